import ArgumentParser
import DecideStore
import DecideText
import Foundation
import RunEngine

extension RunsCommand {
    /// `decide runs compare ID1 ID2`: champion against challenger.
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare two runs: breakdowns side by side, and the customers whose decisions differ."
        )

        @OptionGroup var store: StoreOptions
        @Argument(help: "The champion run.") var champion: String
        @Argument(help: "The challenger run.") var challenger: String
        @Option(help: "How many differing customers to show (default 5).") var examples = 5

        func run() throws {
            let store = try RunsCommand.openStore(self.store)
            let first = try RunDocument(try store.run(id: champion), store: store)
            let second = try RunDocument(try store.run(id: challenger), store: store)
            print("Champion   \(first.id): \(first.name)")
            print("Challenger \(second.id): \(second.name)")
            print("")
            func side<Key: Hashable & Comparable>(_ a: [Key: (Int, Double)], _ b: [Key: (Int, Double)], label: String, name: (Key) -> String) {
                let keys = Set(a.keys).union(b.keys).sorted()
                print(TextTable(headers: [label, "CHAMPION", "%", "CHALLENGER", "%", "DIFF"], rows: keys.map { key in
                    let x = a[key] ?? (0, 0), y = b[key] ?? (0, 0)
                    return [name(key), String(x.0), String(format: "%.1f", x.1), String(y.0), String(format: "%.1f", y.1),
                            String(format: "%+d", y.0 - x.0)]
                }).render())
                print("")
            }
            side(Dictionary(uniqueKeysWithValues: first.offerBreakdown.map { ($0.offerId, ($0.count, $0.percent)) }),
                 Dictionary(uniqueKeysWithValues: second.offerBreakdown.map { ($0.offerId, ($0.count, $0.percent)) }),
                 label: "OFFER", name: { $0 })
            side(Dictionary(uniqueKeysWithValues: first.channelBreakdown.map { ($0.channel, ($0.count, $0.percent)) }),
                 Dictionary(uniqueKeysWithValues: second.channelBreakdown.map { ($0.channel, ($0.count, $0.percent)) }),
                 label: "CHANNEL", name: { $0 })
            var champions: [String: String] = [:]
            try store.exportResults(runId: champion) { champions[$0.customerId] = Self.key($0) }
            var differing: [(String, String, String)] = []
            var count = 0
            try store.exportResults(runId: challenger) { result in
                let theirs = Self.key(result)
                let ours = champions.removeValue(forKey: result.customerId) ?? "(not in champion)"
                if ours != theirs {
                    count += 1
                    if differing.count < examples { differing.append((result.customerId, ours, theirs)) }
                }
            }
            count += champions.count
            print("\(count) customers got different decisions.")
            if !differing.isEmpty {
                print(TextTable(headers: ["CUSTOMER", "CHAMPION", "CHALLENGER"], rows: differing.map { [$0.0, $0.1, $0.2] }).render())
            }
        }

        static func key(_ result: CustomerResult) -> String {
            result.recommendations.isEmpty ? "(none)" : result.recommendations.map { "\($0.offerId)/\($0.channel)" }.joined(separator: " ")
        }
    }
}
