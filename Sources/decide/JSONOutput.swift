import DecideText
import Foundation
import RunEngine

/// Prints values as the `--json` output of every command: pretty-printed, keys sorted, one document per call.
enum JSONOutput {
    /// Encodes `value` and prints it to standard output.
    static func print(_ value: some Encodable) throws {
        let data = try JSONEncoder.documents(pretty: true).encode(value)
        FileHandle.writeToStandardOutput(String(decoding: data, as: UTF8.self) + "\n")
    }
}
