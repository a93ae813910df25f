import Foundation

/// A streaming JSON Lines reader: one JSON object of scalars per line; blank lines are skipped.
///
/// The fields are every key of the file, found by a first pass: `id` first, then the others sorted.
/// A key a line leaves out is a missing value.
struct JSONLinesReader: ImportRecordReader {
    let file: String
    let fieldNames: [String]
    var declaredTypes: [AttributeType?] { Array(repeating: nil, count: fieldNames.count) }
    private(set) var line = 0

    private var lines: LineReader
    private var values: [AttributeValue] = []

    /// Opens `url` and collects the keys of all its lines.
    ///
    /// - Throws: `ImportError` when the file cannot be read.
    init(url: URL) throws(ImportError) {
        file = url.lastPathComponent
        var keys: Set<String> = []
        var scan = try LineReader(url: url)
        while let (_, bytes) = scan.next() {
            if let object = try? Self.decode(bytes) { keys.formUnion(object.keys) }
        }
        fieldNames = [Attribute.idName] + keys.subtracting([Attribute.idName]).sorted()
        lines = try LineReader(url: url)
    }

    mutating func next() throws(ImportError) -> Bool {
        guard let (number, bytes) = lines.next() else { return false }
        line = number
        do {
            let object = try Self.decode(bytes)
            values = fieldNames.map { object[$0] ?? .null }
        } catch {
            throw ImportError(.invalidJSON, "not a JSON object of scalar values", file: file, line: line)
        }
        return true
    }

    func kind(at index: Int) -> AttributeType? {
        values[index].type
    }

    func value(at index: Int, as type: AttributeType) -> AttributeValue? {
        values[index].converted(to: type)
    }

    func text(at index: Int) -> String {
        values[index].plainText
    }

    private static func decode(_ bytes: [UInt8]) throws -> [String: AttributeValue] {
        try JSONDecoder().decode([String: AttributeValue].self, from: Data(bytes))
    }
}
