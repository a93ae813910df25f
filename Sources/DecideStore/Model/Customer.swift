/// One customer as the run engine reads it: its id and its attribute values, in the order of the batch's
/// `fieldNames` (which start with `id`, so `values[0]` is the id again as `.text`).
public struct Customer: Sendable, Hashable {
    /// The customer's unique id.
    public var id: String
    /// The attribute values, one per field name of the batch that holds the customer.
    public var values: [AttributeValue]

    /// Creates a customer.
    public init(id: String, values: [AttributeValue]) {
        self.id = id
        self.values = values
    }
}
