import ArgumentParser
import DecideStore
import DecideText
import Foundation

extension RunsCommand {
    /// `decide runs export ID --format csv|jsonl`: streams every result.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stream all of a run's results as CSV or JSON Lines.",
            discussion: "JSON Lines: one object per customer in id order, customers without recommendations included. CSV: customer_id,rank,offer_id,channel,score, one row per recommendation. With --with-dropped (a run with volume constraints), each JSON line also has \"dropped\" (the candidates the allocation did not deliver, with their candidate rank and reason), and the CSV a last column dropped: empty for a recommendation, the reason for a dropped candidate (whose rank is its candidate rank)."
        )

        /// The export formats.
        enum Format: String, ExpressibleByArgument, CaseIterable {
            case csv, jsonl
        }

        @OptionGroup var store: StoreOptions
        @Argument(help: "The run's id.") var id: String
        @Option(help: "csv or jsonl.") var format: Format
        @Option(help: "Write to this file instead of standard output (- is standard output).") var output: String?
        @Flag(help: "Include the candidates a run's volume allocation dropped, with why.") var withDropped = false

        func run() async throws {
            let store = try await RunsCommand.openStore(self.store)
            let file = output == "-" ? nil : output
            guard let sink = file.map({ FileManager.default.createFile(atPath: $0, contents: nil) ? FileHandle(forWritingAtPath: $0) : nil })
                ?? FileHandle.standardOutput
            else { throw CommandFailure.InvalidInput("cannot write \(output ?? "")") }
            var buffer = Data()
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            if format == .csv {
                buffer.append(contentsOf: "customer_id,rank,offer_id,channel,score\(withDropped ? ",dropped" : "")\n".utf8)
            }
            _ = try await store.run(id: id)
            try await store.exportResults(runId: id, withDropped: withDropped) { result in
                switch format {
                case .jsonl:
                    buffer.append(try encoder.encode(ExportLine(result)))
                    buffer.append(0x0A)
                case .csv:
                    for recommendation in result.recommendations {
                        let score = recommendation.score.map { "\($0)" } ?? ""
                        let row = [result.customerId, String(recommendation.rank), recommendation.offerId,
                                   recommendation.channel, score].map(Self.csvField).joined(separator: ",")
                        buffer.append(contentsOf: (row + (withDropped ? ",\n" : "\n")).utf8)
                    }
                    for candidate in result.dropped ?? [] {
                        let row = [result.customerId, String(candidate.rank), candidate.offerId, candidate.channel,
                                   "\(candidate.score)", candidate.reason].map(Self.csvField).joined(separator: ",")
                        buffer.append(contentsOf: (row + "\n").utf8)
                    }
                }
                if buffer.count > 1 << 20 {
                    try sink.writeForReader(buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            try sink.writeForReader(buffer)
        }

        static func csvField(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
                ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
    }
}

/// One JSON Lines row of an export.
struct ExportLine: Encodable {
    var customerId: String
    var recommendations: [Recommendation]
    var dropped: [DroppedCandidate]?

    init(_ result: CustomerResult) {
        customerId = result.customerId
        recommendations = result.recommendations
        dropped = result.dropped
    }
}
