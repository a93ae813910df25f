/// A value that crosses between Swift and Lua: what a flow receives and what it returns.
///
/// Integers stay integers (Lua 5.4 distinguishes `3` from `3.0`), strings are UTF-8 and may contain NUL bytes,
/// a Lua sequence (keys `1...n` and nothing else) becomes an ``array(_:)`` and a table whose keys are all
/// strings becomes a ``table(_:)``.
public enum LuaValue: Sendable, Hashable {
    /// Lua's `nil`.
    case `nil`
    /// A boolean.
    case boolean(Bool)
    /// A 64-bit integer (Lua's integer subtype).
    case integer(Int64)
    /// A double (Lua's float subtype).
    case number(Double)
    /// A UTF-8 string.
    case string(String)
    /// A sequence `{v1, v2, ...}`.
    case array([LuaValue])
    /// A table with string keys.
    case table([String: LuaValue])
}

extension LuaValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    /// Lua's `nil`.
    public init(nilLiteral: ()) { self = .nil }
    /// A boolean.
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    /// An integer.
    public init(integerLiteral value: Int64) { self = .integer(value) }
    /// A float.
    public init(floatLiteral value: Double) { self = .number(value) }
    /// A string.
    public init(stringLiteral value: String) { self = .string(value) }
    /// A sequence.
    public init(arrayLiteral elements: LuaValue...) { self = .array(elements) }
    /// A string-keyed table.
    public init(dictionaryLiteral elements: (String, LuaValue)...) {
        self = .table(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension LuaValue {
    /// The value as a string, when it is one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The value as an integer, when it is one.
    public var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The value as a Swift `Double`, for integers and floats alike.
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }

    /// The field `key` of a table value (`nil` for anything else).
    public subscript(key: String) -> LuaValue {
        if case .table(let fields) = self { return fields[key] ?? .nil }
        return .nil
    }

    /// The name of the value's Lua type, as `type()` would say it.
    public var typeName: String {
        switch self {
        case .nil: "nil"
        case .boolean: "boolean"
        case .integer, .number: "number"
        case .string: "string"
        case .array, .table: "table"
        }
    }
}
