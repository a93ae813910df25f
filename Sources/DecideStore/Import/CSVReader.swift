import Foundation

/// A streaming CSV reader over bytes: a header row, then records of as many fields.
///
/// Handles quoted fields with embedded commas, doubled quotes and line breaks, a UTF-8 byte order mark,
/// CRLF or LF line ends and blank lines. Only the current record is held in memory.
final class CSVReader: ImportRecordReader {
    let file: String
    private(set) var fieldNames: [String]
    var declaredTypes: [AttributeType?] { Array(repeating: nil, count: fieldNames.count) }
    private(set) var line = 1

    private let stream: ByteStream
    private var nextLine = 1
    private var bytes: [UInt8] = []
    private var fieldEnds: [Int] = []
    private var skipLineFeed = false

    private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    /// Opens `url` and reads its header row.
    ///
    /// - Throws: `ImportError` when the file cannot be read or has no header.
    init(url: URL) throws(ImportError) {
        file = url.lastPathComponent
        guard let stream = ByteStream(path: url.path) else {
            throw ImportError(.unreadableFile, "cannot open \(url.path)", file: url.lastPathComponent)
        }
        self.stream = stream
        fieldNames = []
        try skipByteOrderMark()
        guard try readRecord() else { throw ImportError(.invalidHeader, "the file is empty: expected a header row", file: file) }
        fieldNames = (0..<fieldEnds.count).map { text(at: $0).trimmingSpaces }
    }

    func next() throws(ImportError) -> Bool {
        guard try readRecord() else { return false }
        guard fieldEnds.count == fieldNames.count else {
            throw ImportError(
                .wrongFieldCount, "expected \(fieldNames.count) fields as in the header, found \(fieldEnds.count)",
                file: file, line: line)
        }
        return true
    }

    func kind(at index: Int) -> AttributeType? {
        withField(index) { ByteField.kind(of: $0) }
    }

    func value(at index: Int, as type: AttributeType) -> AttributeValue? {
        withField(index) { ByteField.value(of: $0, as: type) }
    }

    func text(at index: Int) -> String {
        withField(index) { String(decoding: $0, as: UTF8.self) }
    }

    private func withField<T>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        let start = index == 0 ? 0 : fieldEnds[index - 1]
        return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<fieldEnds[index]])) }
    }

    private func skipByteOrderMark() throws(ImportError) {
        guard stream.refill() else { return }
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        if stream.limit >= 3, Array(stream.buffer[0..<3]) == bom { stream.position = 3 }
    }

    private enum State {
        case fieldStart, unquoted, quoted, quoteInQuoted
    }

    /// Reads the next non-blank record into `bytes` and `fieldEnds`.
    ///
    /// The loop works on local copies of the buffer position and of the record arrays (moved out and back), so that
    /// the hot path touches no class property.
    ///
    /// - Returns: `false` at the end of the file.
    private func readRecord() throws(ImportError) -> Bool {
        var bytes: [UInt8] = [], ends: [Int] = []
        swap(&bytes, &self.bytes)
        swap(&ends, &fieldEnds)
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        defer {
            swap(&bytes, &self.bytes)
            swap(&ends, &fieldEnds)
        }
        let buffer = stream.buffer
        var position = stream.position, limit = stream.limit
        defer { stream.position = position }
        var state = State.fieldStart, lines = nextLine, skipLineFeed = self.skipLineFeed
        defer {
            nextLine = lines
            self.skipLineFeed = skipLineFeed
        }
        line = lines
        while true {
            if position == limit {
                guard stream.refill() else {
                    position = stream.position
                    if state == .quoted {
                        throw ImportError(.unterminatedQuote, "the file ends inside a quoted field", file: file, line: line)
                    }
                    if state == .fieldStart && ends.isEmpty { return false }
                    ends.append(bytes.count)
                    return true
                }
                position = stream.position
                limit = stream.limit
            }
            let byte = buffer[position]
            position += 1
            if skipLineFeed {
                skipLineFeed = false
                if byte == Self.lineFeed { continue }
            }
            switch state {
            case .quoted:
                if byte == Self.quote {
                    state = .quoteInQuoted
                } else {
                    if byte == Self.lineFeed { lines += 1 }
                    bytes.append(byte)
                }
            case .fieldStart where byte == Self.quote:
                state = .quoted
            case .quoteInQuoted where byte == Self.quote:
                bytes.append(byte)
                state = .quoted
            case .fieldStart, .unquoted, .quoteInQuoted:
                if byte == Self.comma {
                    ends.append(bytes.count)
                    state = .fieldStart
                } else if byte == Self.lineFeed || byte == Self.carriageReturn {
                    lines += 1
                    skipLineFeed = byte == Self.carriageReturn
                    if state == .fieldStart && ends.isEmpty {
                        line = lines
                        continue
                    }
                    ends.append(bytes.count)
                    return true
                } else {
                    bytes.append(byte)
                    state = .unquoted
                }
            }
        }
    }
}
