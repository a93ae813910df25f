import DecideText
import Foundation

/// Every line the command line prints goes through here: like the standard library's `print`, with the text
/// escaped for the terminal (``Swift/String/escapedForTerminal(keepingLineBreaks:)``), so nothing a flow supplies
/// reaches the terminal raw. JSON output is unchanged by it (JSON already escapes control characters, and the
/// escapes are JSON's).
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    let text = items.map { "\($0)" }.joined(separator: separator)
    FileHandle.writeToStandardOutput(text.escapedForTerminal() + terminator)
}
