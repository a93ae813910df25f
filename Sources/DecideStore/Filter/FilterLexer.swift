/// Splits the text form of a filter into tokens.
struct FilterLexer {
    private let characters: [Character]
    private let source: String
    private var index = 0

    init(source: String) {
        self.source = source
        characters = Array(source)
    }

    /// All tokens of the text, ending with `.end`.
    mutating func tokens() throws(FilterError) -> [FilterToken] {
        var tokens: [FilterToken] = []
        while true {
            let token = try next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private mutating func next() throws(FilterError) -> FilterToken {
        while index < characters.count, characters[index].isWhitespace { index += 1 }
        let start = index
        guard index < characters.count else { return FilterToken(kind: .end, text: "", column: start + 1) }
        let character = characters[index]
        if character == "\"" || character == "'" { return try string(quote: character) }
        if character.isNumber || (character == "-" && peek(1)?.isNumber == true) { return try number() }
        if character.isLetter || character == "_" {
            while index < characters.count, characters[index].isLetter || characters[index].isNumber || characters[index] == "_" {
                index += 1
            }
            let word = String(characters[start..<index])
            switch word.lowercased() {
            case "true": return FilterToken(kind: .literal(.boolean(true)), text: word, column: start + 1)
            case "false": return FilterToken(kind: .literal(.boolean(false)), text: word, column: start + 1)
            default: return FilterToken(kind: .word(word), text: word, column: start + 1)
            }
        }
        for symbol in ["!=", "<=", ">=", "=", "<", ">", "(", ")", ","] where matches(symbol) {
            index += symbol.count
            return FilterToken(kind: .symbol(symbol), text: symbol, column: start + 1)
        }
        throw FilterError(.syntax, "unexpected character \"\(character)\"", column: start + 1, source: source)
    }

    private func peek(_ offset: Int) -> Character? {
        index + offset < characters.count ? characters[index + offset] : nil
    }

    private func matches(_ symbol: String) -> Bool {
        symbol.enumerated().allSatisfy { peek($0.offset) == $0.element }
    }

    private mutating func number() throws(FilterError) -> FilterToken {
        let start = index
        index += 1
        while let next = peek(0), next.isNumber || next == "." || next == "e" || next == "E"
            || ((next == "+" || next == "-") && (characters[index - 1] == "e" || characters[index - 1] == "E")) {
            index += 1
        }
        let text = String(characters[start..<index])
        if let integer = Int64(text) {
            return FilterToken(kind: .literal(.integer(integer)), text: text, column: start + 1)
        }
        guard let real = Double(text), real.isFinite else {
            throw FilterError(.syntax, "invalid number \(text)", column: start + 1, source: source)
        }
        return FilterToken(kind: .literal(.real(real)), text: text, column: start + 1)
    }

    /// A quoted string; `\\`, `\"`, `\'`, `\n`, `\t` and `\r` are escapes, any other backslash is kept as written
    /// (so `"\."` in a regular expression stays `\.`).
    private mutating func string(quote: Character) throws(FilterError) -> FilterToken {
        let start = index
        index += 1
        var value = ""
        while index < characters.count {
            let character = characters[index]
            index += 1
            if character == quote {
                return FilterToken(kind: .literal(.text(value)), text: String(characters[start..<index]), column: start + 1)
            }
            guard character == "\\", index < characters.count else {
                value.append(character)
                continue
            }
            let escaped = characters[index]
            index += 1
            switch escaped {
            case "\\", "\"", "'": value.append(escaped)
            case "n": value.append("\n")
            case "t": value.append("\t")
            case "r": value.append("\r")
            default: value.append(contentsOf: ["\\", escaped])
            }
        }
        throw FilterError(.unterminatedString, "unterminated string", column: start + 1, source: source)
    }
}
