/// ANSI colours for the REPL's output, or none: off when output is piped, `NO_COLOR` is set, or in scripts.
public struct ReplStyle: Sendable {
    /// Whether escape sequences are written.
    public let enabled: Bool

    /// A style with colours on or off.
    public init(enabled: Bool) {
        self.enabled = enabled
    }

    /// Whether colours suit this process's standard output: a terminal, and `NO_COLOR` unset or empty.
    public static func detect(isTerminal: Bool, environment: [String: String]) -> Bool {
        isTerminal && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
    }

    /// Headings and names.
    public func bold(_ text: String) -> String { wrap(text, "1") }
    /// Secondary information.
    public func dim(_ text: String) -> String { wrap(text, "2") }
    /// Errors and dropped offers.
    public func red(_ text: String) -> String { wrap(text, "31") }
    /// Recommendations and kept offers.
    public func green(_ text: String) -> String { wrap(text, "32") }
    /// Notices.
    public func yellow(_ text: String) -> String { wrap(text, "33") }
    /// Values typed by the user, offer ids.
    public func cyan(_ text: String) -> String { wrap(text, "36") }

    private func wrap(_ text: String, _ code: String) -> String {
        enabled && !text.isEmpty ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
