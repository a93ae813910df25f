import Foundation

/// Compiled regular expressions for `matches`, compiled once per distinct pattern and shared by every connection.
final class RegexCache: @unchecked Sendable {
    /// A pattern that is not a valid regular expression.
    struct InvalidPattern: Error {}

    /// The cache every filter and database connection shares.
    static let shared = RegexCache()

    private static let capacity = 1024
    private let lock = NSLock()
    private var regexes: [String: NSRegularExpression] = [:]

    /// The compiled expression for `pattern`.
    ///
    /// - Throws: `InvalidPattern` when the pattern does not compile.
    func regex(for pattern: String) throws(InvalidPattern) -> NSRegularExpression {
        if let regex = lock.withLock({ regexes[pattern] }) { return regex }
        let regex: NSRegularExpression
        do {
            regex = try NSRegularExpression(pattern: pattern)
        } catch {
            throw InvalidPattern()
        }
        lock.withLock {
            if regexes.count >= Self.capacity { regexes.removeAll() }
            regexes[pattern] = regex
        }
        return regex
    }

    /// Whether `text` contains a match of `pattern` (like SQL `REGEXP`, the match need not cover the whole text).
    func matches(_ text: String, pattern: String) throws(InvalidPattern) -> Bool {
        let regex = try regex(for: pattern)
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
