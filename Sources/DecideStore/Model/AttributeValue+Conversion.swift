/// Converting typed values between attribute types on import.
extension AttributeValue {
    /// The value as `type`: itself when it has that type, an integer widened to a real, a whole real narrowed to an
    /// integer, anything as text; `nil` when it does not fit. `null` fits every type.
    public func converted(to type: AttributeType) -> AttributeValue? {
        switch (self, type) {
        case (.null, _): .null
        case (.integer, .integer), (.real, .real), (.text, .text), (.boolean, .boolean): self
        case (.integer(let value), .real): .real(Double(value))
        case (.real(let value), .integer): Int64(exactly: value).map(AttributeValue.integer)
        case (_, .text): .text(plainText)
        default: nil
        }
    }

    /// The value as plain text, without quotes: `42`, `3.5`, `true`, `hello`; empty for `null`.
    public var plainText: String {
        switch self {
        case .null: ""
        case .text(let value): value
        default: description
        }
    }
}
