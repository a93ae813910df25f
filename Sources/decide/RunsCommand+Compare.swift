import ArgumentParser
import DecideStore
import DecideText
import Foundation
import RunEngine

extension RunsCommand {
    /// `decide runs compare ID1 ID2`: champion against challenger.
    struct Compare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare two runs: breakdowns side by side, and the customers whose decisions differ."
        )

        @OptionGroup var store: StoreOptions
        @Argument(help: "The champion run.") var champion: String
        @Argument(help: "The challenger run.") var challenger: String
        @Option(help: "How many differing customers to show.") var examples = 5
        @Flag(help: "Print the comparison as JSON.") var json = false

        func validate() throws {
            guard (0...1000).contains(examples) else { throw ValidationError("--examples must be 0 to 1000") }
        }

        func run() async throws {
            let store = try await RunsCommand.openStore(self.store)
            let comparison = try await Comparison(
                champion: try await RunDocument(try await store.run(id: champion), store: store),
                challenger: try await RunDocument(try await store.run(id: challenger), store: store), store: store,
                examples: examples)
            if json { return try JSONOutput.print(comparison) }
            print("Champion   \(comparison.champion.id): \(comparison.champion.name)\(Self.partial(comparison.champion))")
            print("Challenger \(comparison.challenger.id): \(comparison.challenger.name)\(Self.partial(comparison.challenger))")
            print("")
            for (label, shares) in [("OFFER", comparison.offers), ("CHANNEL", comparison.channels)] {
                print(TextTable(headers: [label, "CHAMPION", "%", "CHALLENGER", "%", "DIFF"], rows: shares.map {
                    [$0.key, String($0.championCount), String(format: "%.1f", $0.championPercent), String($0.challengerCount),
                     String(format: "%.1f", $0.challengerPercent), String(format: "%+d", $0.challengerCount - $0.championCount)]
                }).render())
                print("")
            }
            if comparison.champion.partial || comparison.challenger.partial {
                print("Note: a partial run has no decision for the customers it did not reach; they count as different.")
            }
            print("\(comparison.differentCustomers) customers got different decisions.")
            if !comparison.examples.isEmpty {
                print(TextTable(headers: ["CUSTOMER", "CHAMPION", "CHALLENGER"],
                                rows: comparison.examples.map { [$0.customerId, $0.champion, $0.challenger] }).render())
            }
        }

        private static func partial(_ run: Comparison.Run) -> String {
            run.partial ? " (partial: \(run.status), \(run.processed) of \(run.total) customers)" : ""
        }
    }

    /// Two runs side by side: what `runs compare` prints, and its `--json` document.
    struct Comparison: Encodable {
        /// One run of the comparison.
        struct Run: Encodable {
            var id: String
            var name: String
            var status: String
            var partial: Bool
            var processed: Int
            var total: Int
        }

        /// One offer's or channel's counts in both runs.
        struct Share: Encodable {
            var key: String
            var championCount: Int
            var championPercent: Double
            var challengerCount: Int
            var challengerPercent: Double
        }

        /// A customer decided differently.
        struct Example: Encodable {
            var customerId: String
            var champion: String
            var challenger: String
        }

        var champion: Run
        var challenger: Run
        var offers: [Share]
        var channels: [Share]
        var differentCustomers: Int
        var examples: [Example]

        init(champion first: RunDocument, challenger second: RunDocument, store: some RunStore, examples wanted: Int) async throws {
            func run(_ document: RunDocument) -> Run {
                Run(id: document.id, name: document.name, status: document.status, partial: document.partial,
                    processed: document.progress.processed, total: document.progress.total)
            }
            func shares(_ a: [String: (Int, Double)], _ b: [String: (Int, Double)]) -> [Share] {
                Set(a.keys).union(b.keys).sorted().map { key in
                    let x = a[key] ?? (0, 0), y = b[key] ?? (0, 0)
                    return Share(key: key, championCount: x.0, championPercent: x.1, challengerCount: y.0,
                                 challengerPercent: y.1)
                }
            }
            champion = run(first)
            challenger = run(second)
            offers = shares(
                Dictionary(uniqueKeysWithValues: first.offerBreakdown.map { ($0.offerId, ($0.count, $0.percent)) }),
                Dictionary(uniqueKeysWithValues: second.offerBreakdown.map { ($0.offerId, ($0.count, $0.percent)) }))
            channels = shares(
                Dictionary(uniqueKeysWithValues: first.channelBreakdown.map { ($0.channel, ($0.count, $0.percent)) }),
                Dictionary(uniqueKeysWithValues: second.channelBreakdown.map { ($0.channel, ($0.count, $0.percent)) }))
            var champions: [String: String] = [:]
            try await store.exportResults(runId: first.id) { champions[$0.customerId] = Self.key($0) }
            var differing: [Example] = []
            var count = 0
            try await store.exportResults(runId: second.id) { result in
                let theirs = Self.key(result)
                let ours = champions.removeValue(forKey: result.customerId) ?? "(not in champion)"
                if ours != theirs {
                    count += 1
                    if differing.count < wanted {
                        differing.append(Example(customerId: result.customerId, champion: ours, challenger: theirs))
                    }
                }
            }
            for (customerId, ours) in champions.sorted(by: { $0.key < $1.key }) where differing.count < wanted {
                differing.append(Example(customerId: customerId, champion: ours, challenger: "(not in challenger)"))
            }
            differentCustomers = count + champions.count
            examples = differing
        }

        static func key(_ result: CustomerResult) -> String {
            result.recommendations.isEmpty
                ? "(none)" : result.recommendations.map { "\($0.offerId)/\($0.channel)" }.joined(separator: " ")
        }
    }
}
