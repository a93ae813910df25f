/// One customer as `--json` prints it and the API serves it: `{"id": ..., "attributes": {"age": 42, ...}}`.
public struct CustomerDocument: Sendable, Encodable {
    /// The customer's id.
    public let id: String
    /// Every attribute but `id`, by name.
    public let attributes: [String: AttributeValue]

    /// The customer `customer` of a batch with the field names `fieldNames`.
    public init(fieldNames: [String], customer: Customer) {
        id = customer.id
        attributes = Dictionary(uniqueKeysWithValues: zip(fieldNames, customer.values).dropFirst().map { ($0, $1) })
    }

    /// Every customer of `batch`.
    public static func all(in batch: CustomerBatch) -> [CustomerDocument] {
        batch.customers.map { CustomerDocument(fieldNames: batch.fieldNames, customer: $0) }
    }
}
