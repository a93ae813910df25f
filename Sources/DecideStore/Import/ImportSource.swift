import Foundation

/// Where imported customers come from: a CSV or JSON Lines file, or the synthetic audience generator.
public enum ImportSource: Sendable, Hashable {
    /// A file in `format`; without one, JSON Lines when its name ends in `.jsonl`, CSV with a header row otherwise.
    case file(URL, format: ImportFormat? = nil)
    /// `count` synthetic customers, the same ones for the same `seed`.
    case generated(count: Int, seed: UInt64)

    /// Opens a reader at the first record. Each call starts again from the beginning.
    func makeReader() throws(ImportError) -> any ImportRecordReader {
        switch self {
        case .file(let url, let format):
            switch format ?? ImportFormat(fileName: url.lastPathComponent) {
            case .jsonl: try JSONLinesReader(url: url)
            case .csv: try CSVReader(url: url)
            }
        case .generated(let count, let seed):
            AudienceGenerator(count: count, seed: seed)
        }
    }
}

/// The formats customers are imported from.
public enum ImportFormat: String, Sendable, Hashable, CaseIterable {
    /// CSV with a header row.
    case csv
    /// JSON Lines: one JSON object per line.
    case jsonl

    /// The format a file name implies: JSON Lines for `.jsonl`, CSV otherwise.
    public init(fileName: String) {
        self = fileName.lowercased().hasSuffix(".jsonl") ? .jsonl : .csv
    }
}
