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
        } catch where Self.isBrokenPipe(error) {
            exit(141)
        }
    }

    /// Whether a write failed because nobody reads the other end of the pipe any more (`EPIPE`).
    private static func isBrokenPipe(_ error: any Error) -> Bool {
        let error = error as NSError
        if error.domain == NSPOSIXErrorDomain { return error.code == Int(EPIPE) }
        guard let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError else { return false }
        return underlying.domain == NSPOSIXErrorDomain && underlying.code == Int(EPIPE)
    }
}
