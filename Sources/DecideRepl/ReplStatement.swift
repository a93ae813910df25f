import Foundation

/// One line typed at the prompt, parsed: a command (`:step`, `:set age = 30`), Lua to evaluate, or nothing.
public enum ReplStatement: Sendable, Hashable {
    /// Nothing to do: an empty line.
    case empty
    /// A command: its name without the colon, and the rest of the line, trimmed.
    case command(name: String, argument: String)
    /// Lua: an expression to print (`= expr`) or a chunk to run (statements, or an expression whose values are
    /// printed).
    case lua(String)

    /// Parses a line.
    ///
    /// ```swift
    /// ReplStatement(parsing: ":why card_gold")  // .command(name: "why", argument: "card_gold")
    /// ReplStatement(parsing: "= customer.age")  // .lua("customer.age")
    /// ```
    public init(parsing line: String) {
        let text = line.trimmingCharacters(in: .whitespaces)
        if text.isEmpty {
            self = .empty
        } else if text.hasPrefix(":") {
            let body = text.dropFirst()
            let name = body.prefix { !$0.isWhitespace }
            let argument = body.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
            self = .command(name: String(name), argument: argument)
        } else if text.hasPrefix("=") {
            self = .lua(String(text.dropFirst()).trimmingCharacters(in: .whitespaces))
        } else {
            self = .lua(text)
        }
    }
}
