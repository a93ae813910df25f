/// Names numbered in the order they were first added (0, 1, 2, ...): how a batch's channels and a history's offer
/// ids, channels and outcomes travel as small integers instead of strings.
public struct NameTable: Sendable, Hashable {
    /// The names, by number.
    public private(set) var names: [String] = []
    private var numbers: [String: Int32] = [:]

    /// An empty table.
    public init() {}

    /// The number of `name`, added when new.
    public mutating func number(of name: String) -> Int32 {
        if let number = numbers[name] { return number }
        let number = Int32(names.count)
        names.append(name)
        numbers[name] = number
        return number
    }
}
