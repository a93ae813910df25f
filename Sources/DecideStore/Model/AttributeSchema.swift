/// The attributes every customer has, in column order, starting with `id`.
public struct AttributeSchema: Sendable, Hashable, Codable {
    /// The attributes, `id` first.
    public var attributes: [Attribute]

    /// Creates a schema from the attributes that follow `id`.
    public init(attributesAfterID: [Attribute]) {
        attributes = [Attribute(name: Attribute.idName, type: .text)] + attributesAfterID
    }

    /// The attribute called exactly `name`, if any.
    public func attribute(named name: String) -> Attribute? {
        attributes.first { $0.name == name }
    }

    /// The attribute names, in column order.
    public var names: [String] { attributes.map(\.name) }
}
