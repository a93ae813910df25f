/// One attribute value of a customer, typed as it is stored.
///
/// `null` stands for a missing value. The run engine hands these values to Lua as they are:
/// integers as Lua integers, reals as floats, text as strings, booleans as booleans and `null` as `nil`.
public enum AttributeValue: Sendable, Hashable {
    /// A missing value.
    case null
    /// A 64-bit signed integer.
    case integer(Int64)
    /// A double-precision floating-point number.
    case real(Double)
    /// A UTF-8 string.
    case text(String)
    /// `true` or `false`.
    case boolean(Bool)

    /// The type of the value, or `nil` for `null`.
    public var type: AttributeType? {
        switch self {
        case .null: nil
        case .integer: .integer
        case .real: .real
        case .text: .text
        case .boolean: .boolean
        }
    }
}
