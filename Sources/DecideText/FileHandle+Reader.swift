import Foundation

extension FileHandle {
    /// Writes `data` as a command-line tool should to a reader that may go away (`decide runs export ... | head`):
    /// when it has, the process ends at once with status 141, as SIGPIPE would end it. (The PostgreSQL client,
    /// through SwiftNIO, ignores SIGPIPE, so the write fails instead, and Foundation's non-throwing `write(_:)`
    /// would crash.)
    ///
    /// - Throws: Any other write error (a full disk).
    public func writeForReader(_ data: Data) throws {
        do {
            try write(contentsOf: data)
        } catch where Self.posixCode(of: error) == EPIPE {
            exit(141)
        }
    }

    /// Writes `text` to standard output, as every line a command prints is written: unbuffered, so that a failed
    /// write is seen at once. The process ends with 141 when the reader has gone (`decide runs list | head`), as
    /// SIGPIPE would end it, and with 1 and the cause on standard error when the write fails otherwise (a full
    /// disk): a command's output is never cut short while it ends with 0.
    public static func writeToStandardOutput(_ text: String) {
        do {
            try FileHandle.standardOutput.writeForReader(Data(text.utf8))
        } catch {
            let cause = posixCode(of: error).map { String(cString: strerror($0)) } ?? "\(error)"
            try? FileHandle.standardError.write(contentsOf: Data("decide: cannot write standard output: \(cause)\n".utf8))
            exit(1)
        }
    }

    /// The POSIX error code of a failed write (`EPIPE` when nobody reads the other end of the pipe any more), when
    /// it has one.
    private static func posixCode(of error: any Error) -> Int32? {
        let error = error as NSError
        if error.domain == NSPOSIXErrorDomain { return Int32(error.code) }
        guard let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError,
            underlying.domain == NSPOSIXErrorDomain
        else { return nil }
        return Int32(underlying.code)
    }
}
