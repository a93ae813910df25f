/// Where a condition's parts were written in the text form: 1-based character columns.
public struct FilterLocation: Sendable, Hashable {
    /// The column of the field name.
    public var field: Int
    /// The column of each value literal, in order.
    public var values: [Int]

    /// Creates a location.
    public init(field: Int, values: [Int]) {
        self.field = field
        self.values = values
    }
}
