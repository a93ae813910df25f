import Foundation

/// A `TextOutputStream` that writes to the process's standard error.
public struct StandardError: TextOutputStream {
    /// A stream over standard error.
    public init() {}

    /// Writes `string` to standard error, escaped for the terminal.
    public mutating func write(_ string: String) {
        try? FileHandle.standardError.writeForReader(Data(string.escapedForTerminal().utf8))
    }
}
