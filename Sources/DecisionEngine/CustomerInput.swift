import DecideStore
import Foundation
import LuaRuntime

/// One customer given inline (a JSON object on the command line, a table in a flow test), as the engine takes it.
public struct CustomerInput: Sendable, Hashable {
    /// The field names, `id` first.
    public var fieldNames: [String]
    /// The customer.
    public var customer: Customer

    /// A customer from a JSON object: `{"id": "c1", "age": 30, "app_user": true}`. Whole numbers become
    /// integers, other numbers reals, `null` a missing value.
    ///
    /// - Throws: ``CustomerInputError`` naming the field when the text is not an object of scalars with an `id`.
    public init(json: String) throws(CustomerInputError) {
        guard let fields = try? JSONDecoder().decode([String: AttributeValue].self, from: Data(json.utf8)) else {
            throw CustomerInputError(
                message: "the customer must be a JSON object of text, numbers, booleans and null, like {\"id\": \"c1\", \"age\": 30}")
        }
        try self.init(fields: fields)
    }

    /// A customer from a Lua table value (a flow test's `customer = { ... }`).
    ///
    /// - Throws: ``CustomerInputError`` naming the field when a value is not a scalar or the id is missing.
    public init(lua value: LuaValue) throws(CustomerInputError) {
        guard case .table(let table) = value else {
            throw CustomerInputError(message: "the customer must be a table with an id, like { id = \"t1\", age = 30 }")
        }
        var fields: [String: AttributeValue] = [:]
        for (name, field) in table {
            switch field {
            case .nil: fields[name] = .null
            case .boolean(let flag): fields[name] = .boolean(flag)
            case .integer(let number): fields[name] = .integer(number)
            case .number(let number): fields[name] = .real(number)
            case .string(let text): fields[name] = .text(text)
            case .array, .table:
                throw CustomerInputError(message: "field \"\(name)\": only text, numbers and booleans are allowed")
            }
        }
        try self.init(fields: fields)
    }

    private init(fields: [String: AttributeValue]) throws(CustomerInputError) {
        let id: String
        switch fields["id"] {
        case .text(let text): id = text
        case .integer(let number): id = String(number)
        default: throw CustomerInputError(message: "the customer needs an \"id\" (text)")
        }
        var names = ["id"]
        names += fields.keys.filter { $0 != "id" }.sorted()
        var values = names.map { fields[$0] ?? .null }
        values[0] = .text(id)
        self.fieldNames = names
        self.customer = Customer(id: id, values: values)
    }

    /// A stored customer (a batch of one from the store).
    public init(batch: CustomerBatch) {
        fieldNames = batch.fieldNames
        customer = batch.customers[0]
    }
}

/// An inline customer that cannot be used: not an object, a nested value, no id.
public struct CustomerInputError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, naming the field.
    public var message: String
    public var description: String { "invalid customer: \(message)" }
}

