import DecideStore

/// One customer as `--json` prints it: `{"id": ..., "attributes": {"age": 42, ...}}`.
struct CustomerDocument: Encodable {
    /// The customer's id.
    let id: String
    /// Every attribute but `id`, by name.
    let attributes: [String: AttributeValue]

    /// The customer `customer` of a batch with the field names `fieldNames`.
    init(fieldNames: [String], customer: Customer) {
        id = customer.id
        attributes = Dictionary(uniqueKeysWithValues: zip(fieldNames, customer.values).dropFirst().map { ($0, $1) })
    }

    /// Every customer of `batch`.
    static func all(in batch: CustomerBatch) -> [CustomerDocument] {
        batch.customers.map { CustomerDocument(fieldNames: batch.fieldNames, customer: $0) }
    }
}
