import Foundation

/// Where imported customers come from: a CSV or JSON Lines file, or the synthetic audience generator.
public enum ImportSource: Sendable, Hashable {
    /// A file: JSON Lines when its name ends in `.jsonl`, CSV with a header row otherwise.
    case file(URL)
    /// `count` synthetic customers, the same ones for the same `seed`.
    case generated(count: Int, seed: UInt64)

    /// Opens a reader at the first record. Each call starts again from the beginning.
    func makeReader() throws(ImportError) -> any ImportRecordReader {
        switch self {
        case .file(let url) where url.pathExtension.lowercased() == "jsonl":
            try JSONLinesReader(url: url)
        case .file(let url):
            try CSVReader(url: url)
        case .generated(let count, let seed):
            AudienceGenerator(count: count, seed: seed)
        }
    }
}
