#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file read in large chunks into one reused buffer, for the byte-level readers.
final class ByteStream {
    /// The bytes read by the last `refill()`, valid from `position` to `limit`.
    let buffer: UnsafeMutableBufferPointer<UInt8>
    /// The next unread byte of `buffer`.
    var position = 0
    /// The end of the valid bytes of `buffer`.
    var limit = 0
    private let handle: UnsafeMutablePointer<FILE>

    /// Opens `path` for reading.
    init?(path: String, chunkSize: Int = 1 << 20) {
        guard let handle = fopen(path, "rb") else { return nil }
        self.handle = handle
        buffer = .allocate(capacity: chunkSize)
    }

    deinit {
        fclose(handle)
        buffer.deallocate()
    }

    /// Replaces the buffer's contents with the next chunk of the file.
    ///
    /// - Returns: `false` at the end of the file.
    func refill() -> Bool {
        limit = fread(buffer.baseAddress, 1, buffer.count, handle)
        position = 0
        return limit > 0
    }
}
