import Foundation

/// Reads a file line by line, without line ends, skipping blank lines and a leading UTF-8 byte order mark.
struct LineReader {
    private let stream: ByteStream
    private var lineNumber = 0
    private var bytes: [UInt8] = []

    /// Opens `url`.
    ///
    /// - Throws: `ImportError` when the file cannot be opened.
    init(url: URL) throws(ImportError) {
        guard let stream = ByteStream(path: url.path) else {
            throw ImportError(.unreadableFile, "cannot open \(url.path)", file: url.lastPathComponent)
        }
        self.stream = stream
    }

    /// The next non-blank line and its 1-based number, or `nil` at the end of the file.
    mutating func next() -> (Int, [UInt8])? {
        while true {
            bytes.removeAll(keepingCapacity: true)
            var ended = false
            while stream.position < stream.limit || stream.refill() {
                let byte = stream.buffer[stream.position]
                stream.position += 1
                if byte == UInt8(ascii: "\n") {
                    ended = true
                    break
                }
                bytes.append(byte)
            }
            guard ended || !bytes.isEmpty else { return nil }
            lineNumber += 1
            if lineNumber == 1, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
            if bytes.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) {
                return (lineNumber, bytes)
            }
        }
    }
}
