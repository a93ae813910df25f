import Foundation

/// Prints values as the `--json` output of every command: pretty-printed, keys sorted, one document per call.
enum JSONOutput {
    /// Encodes `value` and prints it to standard output.
    static func print(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(value)
        Swift.print(String(decoding: data, as: UTF8.self))
    }
}
