import Foundation

/// Reading a script file (a flow, a module, a flow test, a REPL script) from disk, bounded: its size is checked
/// before a byte is read, so a huge file is refused instead of filling the host's memory.
public enum ScriptFile {
    /// The largest script file, and the largest source the sandbox compiles as a flow or module: 4 MiB.
    public static let maximumBytes = 4 << 20

    /// The text of the file at `path`, or `nil` when there is no readable file there.
    ///
    /// - Throws: ``LuaError`` (syntax) naming the file when it is over ``maximumBytes``.
    public static func read(_ path: String) throws(LuaError) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        guard size <= UInt64(maximumBytes) else {
            throw LuaError(.syntax, "\(path): the file is \(size) bytes, over the limit of \(maximumBytes) bytes")
        }
        try? handle.seek(toOffset: 0)
        guard let data = try? handle.readToEnd() else { return "" }
        guard data.count <= maximumBytes else {
            throw LuaError(.syntax, "\(path): the file is over the limit of \(maximumBytes) bytes")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
