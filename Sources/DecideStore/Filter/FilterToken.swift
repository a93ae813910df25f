/// A token of the filter text form, with the 1-based column where it starts.
struct FilterToken: Sendable, Hashable {
    /// What the token is.
    enum Kind: Sendable, Hashable {
        /// A field name or a keyword; keywords are matched case-insensitively by the parser.
        case word(String)
        /// A number, string, `true` or `false` literal.
        case literal(AttributeValue)
        /// One of `( ) , = != < <= > >=`.
        case symbol(String)
        /// The end of the text.
        case end
    }

    /// What the token is.
    var kind: Kind
    /// The token as written.
    var text: String
    /// The 1-based column of its first character.
    var column: Int

    /// Whether the token is the keyword `keyword` (given in lower case).
    func isKeyword(_ keyword: String) -> Bool {
        if case .word(let word) = kind { word.lowercased() == keyword } else { false }
    }
}
