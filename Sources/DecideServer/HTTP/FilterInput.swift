import DecideStore

/// A filter as a request gives it: the text form (`"age >= 30 and app_user"`) or the JSON form
/// (`{"all": [...]}`), kept as text (the JSON form printed back as text, which parses back to the same filter).
struct FilterInput: Decodable {
    /// The filter in the text form.
    var text: String
    /// The filter as given in the JSON form, with the JSON path of its member (`filter`).
    private var json: (filter: Filter, path: String)?

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self.text = text
        } else {
            let filter = try container.decode(Filter.self)
            text = filter.description
            json = (filter, APIProblem.jsonPath(decoder.codingPath))
        }
    }

    /// Checks a filter given in the JSON form against the customer attributes, so that its errors name the JSON
    /// path at fault (`filter.any[2].op`) rather than a column of text the client never wrote. A text filter is
    /// checked where it is used.
    ///
    /// - Throws: `FilterError` with its `path`.
    func validate(in store: some CustomerStore) async throws {
        guard let json else { return }
        try json.filter.validate(against: try await store.schema(), source: nil, path: json.path)
    }
}
