import DecideStore

/// The body of `POST /api/v1/segments`.
struct CreateSegmentBody: Decodable {
    var name: String
    var filter: FilterInput
    var description: String?
    var replace: Bool?

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case name, filter, description, replace
    }

    init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, known: Set(CodingKeys.allCases.map(\.rawValue)))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        filter = try container.decode(FilterInput.self, forKey: .filter)
        description = try container.decodeUnlessAbsent(String.self, forKey: .description)
        replace = try container.decodeUnlessAbsent(Bool.self, forKey: .replace)
        guard (1...InputLimits.nameCharacters).contains(name.count) else {
            throw APIProblem.invalid("name must be 1 to \(InputLimits.nameCharacters) characters, got \(name.count)", field: "name")
        }
        if let description, description.count > InputLimits.descriptionCharacters {
            throw APIProblem.invalid(
                "description must be at most \(InputLimits.descriptionCharacters) characters, got \(description.count)",
                field: "description")
        }
    }
}
