/// The type of a customer attribute, which is the type of its column.
public enum AttributeType: String, Sendable, Codable, CaseIterable {
    /// 64-bit signed integers.
    case integer
    /// Double-precision floating-point numbers.
    case real
    /// UTF-8 text.
    case text
    /// `true` or `false`.
    case boolean

    /// Reads a type as written in `--schema name:type`, accepting the usual aliases
    /// (`int`, `float`, `double`, `number`, `string`, `bool`).
    ///
    /// - Parameter name: The type's name, case-insensitive.
    public init?(schemaName name: String) {
        switch name.lowercased() {
        case "integer", "int": self = .integer
        case "real", "float", "double", "number": self = .real
        case "text", "string": self = .text
        case "boolean", "bool": self = .boolean
        default: return nil
        }
    }

    /// Whether values of this type are numbers (`integer` or `real`), which compare with one another.
    public var isNumeric: Bool { self == .integer || self == .real }

    /// The narrowest type that holds values of both `self` and `other`: integers widen to reals, anything else to text.
    public func widened(with other: AttributeType) -> AttributeType {
        if self == other { return self }
        if isNumeric && other.isNumeric { return .real }
        return .text
    }
}
