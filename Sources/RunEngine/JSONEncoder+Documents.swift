import Foundation

extension JSONEncoder {
    /// The one encoder configuration for every document the CLI prints with `--json` and the API serves: keys
    /// sorted, slashes unescaped, dates in ISO 8601.
    ///
    /// - Parameter pretty: Indent the output (the CLI does; the API does not).
    public static func documents(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if pretty { encoder.outputFormatting.insert(.prettyPrinted) }
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}
