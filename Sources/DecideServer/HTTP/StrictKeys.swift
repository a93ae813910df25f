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

extension KeyedDecodingContainer {
    /// Decodes an optional member that may be left out but not given as `null`.
    ///
    /// - Throws: `DecodingError.valueNotFound` at the member for `null` (answered as "expected ..., got null").
    func decodeUnlessAbsent<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value? {
        guard contains(key) else { return nil }
        if try decodeNil(forKey: key) {
            throw DecodingError.valueNotFound(type, .init(codingPath: codingPath + [key], debugDescription: "null"))
        }
        return try decode(type, forKey: key)
    }

    /// Decodes an integer member, naming it when the JSON holds something else: Foundation's decoder reports a
    /// number that does not fit (`"seed": 1.5`, `"workers": 1e30`) as malformed JSON with no field at all.
    ///
    /// - Throws: `DecodingError.typeMismatch` at the member for a value that is not an integer in range.
    func decodeIntegerIfPresent<Integer: FixedWidthInteger & Decodable>(
        _ type: Integer.Type, forKey key: Key
    ) throws -> Integer? {
        do {
            return try decodeUnlessAbsent(type, forKey: key)
        } catch let error as DecodingError {
            throw error
        } catch {
            // Foundation's own "number not representable" error, which it reports as malformed JSON, pathless.
            throw DecodingError.typeMismatch(
                type, .init(codingPath: codingPath + [key], debugDescription: "expected an integer in range"))
        }
    }
}
