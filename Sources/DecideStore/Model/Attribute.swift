/// A customer attribute: a named, typed column of the customer table.
public struct Attribute: Sendable, Hashable, Codable {
    /// The attribute's name, matching `^[A-Za-z_][A-Za-z0-9_]*$`.
    public var name: String
    /// The attribute's type.
    public var type: AttributeType

    /// The name of the attribute that identifies a customer; it is always present and always text.
    public static let idName = "id"

    /// Creates an attribute.
    public init(name: String, type: AttributeType) {
        self.name = name
        self.type = type
    }

    /// Whether `name` can name an attribute: an ASCII letter or underscore, then letters, digits or underscores.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || isLetter(first) else { return false }
        return name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || isLetter($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}
