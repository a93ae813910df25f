import Foundation

/// The JSON form of a filter, equivalent to the text form:
///
/// ```json
/// {"all": [{"field": "age", "op": "gte", "value": 30},
///          {"any": [{"field": "region", "op": "in", "value": ["north", "west"]},
///                   {"not": {"field": "has_loan", "op": "eq", "value": true}}]},
///          {"field": "phone", "op": "is_null"}]}
/// ```
///
/// `value` is a list for `in`/`not_in` and absent for `is_null`/`is_not_null`.
extension Filter: Codable {
    private enum CodingKeys: String, CodingKey {
        case all, any, not, field, op, value
    }

    /// Any member name, to list what a node has.
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Decodes one node of the JSON form: a group (`all`, `any` or `not`, alone) or a condition (`field`, `op` and,
    /// unless the operator takes none, `value`). Any other member is refused, naming it.
    public init(from decoder: any Decoder) throws {
        let members = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
        let allowed: Set<String> = members.contains { ["all", "any", "not"].contains($0) } && members.count == 1
            ? Set(members) : ["field", "op", "value"]
        if let unknown = members.first(where: { !allowed.contains($0) }) {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath + [AnyKey(stringValue: unknown)],
                debugDescription: "unknown member; a filter node is {\"all\"|\"any\"|\"not\": ...} alone, or {\"field\", \"op\", \"value\"}"))
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let filters = try container.decodeIfPresent([Filter].self, forKey: .all) {
            self = .all(filters)
        } else if let filters = try container.decodeIfPresent([Filter].self, forKey: .any) {
            self = .any(filters)
        } else if let filter = try container.decodeIfPresent(Filter.self, forKey: .not) {
            self = .not(filter)
        } else {
            let field = try container.decode(String.self, forKey: .field)
            let op = try container.decode(FilterOperator.self, forKey: .op)
            let values: [AttributeValue] = switch op.arity {
            case .none: []
            case .one: [try container.decode(AttributeValue.self, forKey: .value)]
            case .list: try container.decode([AttributeValue].self, forKey: .value)
            }
            self = .condition(FilterCondition(field: field, op: op, values: values))
        }
    }

    /// Encodes one node of the JSON form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .all(let filters): try container.encode(filters, forKey: .all)
        case .any(let filters): try container.encode(filters, forKey: .any)
        case .not(let filter): try container.encode(filter, forKey: .not)
        case .condition(let condition):
            try container.encode(condition.field, forKey: .field)
            try container.encode(condition.op, forKey: .op)
            switch condition.op.arity {
            case .none: break
            case .one: try container.encode(condition.values.first ?? .null, forKey: .value)
            case .list: try container.encode(condition.values, forKey: .value)
            }
        }
    }

    /// Decodes the JSON form from `data`.
    ///
    /// - Throws: `FilterError` with code `invalidJSON` when the data is not a filter in the JSON form.
    public init(json data: Data) throws(FilterError) {
        do {
            self = try JSONDecoder().decode(Filter.self, from: data)
        } catch {
            throw FilterError(.invalidJSON, "not a filter in the JSON form: \(error)", column: nil, source: nil)
        }
    }
}
