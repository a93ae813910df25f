/// Refuses JSON objects with members a body type does not know, so a typo (`"segmnt"`) is a `400` naming it
/// rather than a silently ignored field.
struct StrictKeys: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(stringValue: String) {
        self.stringValue = stringValue
    }

    init?(intValue: Int) {
        nil
    }

    /// - Throws: `DecodingError.dataCorrupted` at the first member of `decoder`'s object not in `known`.
    static func check(_ decoder: any Decoder, known: Set<String>) throws {
        let container = try decoder.container(keyedBy: StrictKeys.self)
        if let unknown = container.allKeys.first(where: { !known.contains($0.stringValue) }) {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath + [unknown],
                      debugDescription: "unknown field; known fields: \(known.sorted().joined(separator: ", "))"))
        }
    }
}
