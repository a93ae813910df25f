import DecideStore

/// A filter as a request gives it: the text form (`"age >= 30 and app_user"`) or the JSON form
/// (`{"all": [...]}`), kept as text (the JSON form printed back as text).
struct FilterInput: Decodable {
    /// The filter in the text form.
    var text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self.text = text
        } else {
            text = try container.decode(Filter.self).description
        }
    }
}
