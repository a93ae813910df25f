/// Customers read together, in id order, with the field names shared once for the whole batch.
///
/// ```swift
/// for customer in batch.customers {
///     for (name, value) in zip(batch.fieldNames, customer.values) { ... }
/// }
/// ```
public struct CustomerBatch: Sendable, Hashable {
    /// The attribute names, `id` first, giving the meaning of each position of `Customer.values`.
    public var fieldNames: [String]
    /// The customers, in ascending id order.
    public var customers: [Customer]

    /// Creates a batch.
    public init(fieldNames: [String], customers: [Customer]) {
        self.fieldNames = fieldNames
        self.customers = customers
    }

    /// The value of the field `name` for `customer`, or `nil` when the batch has no such field.
    public func value(_ name: String, of customer: Customer) -> AttributeValue? {
        fieldNames.firstIndex(of: name).map { customer.values[$0] }
    }
}
