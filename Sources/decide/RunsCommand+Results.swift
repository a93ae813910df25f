import ArgumentParser
import DecideStore
import DecideText
import Foundation
import RunEngine

extension RunsCommand {
    /// `decide runs results ID`: per-customer results, paged and filtered.
    struct Results: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a run's per-customer results.")

        @OptionGroup var store: StoreOptions
        @Argument(help: "The run's id.") var id: String
        @Option(help: "Only this customer.") var customer: String?
        @Option(help: "Only customers recommended this offer.") var offer: String?
        @Option(help: "Only customers with a recommendation on this channel.") var channel: String?
        @Option(help: "At most this many customers.") var limit = 50
        @Option(help: "Skip this many customers.") var offset = 0
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let store = try await RunsCommand.openStore(self.store)
            let run = try await store.run(id: id)
            var page = try await store.results(runId: id, customerId: customer, offerId: offer, channel: channel,
                                         limit: limit, offset: offset)
            if customer != nil { page.customers = try await store.attachingDropped(page.customers, run: run) }
            if json { return try JSONOutput.print(ResultPage(results: page.customers.map(ResultDocument.init), total: page.total)) }
            var rows: [[String]] = []
            for result in page.customers {
                if result.recommendations.isEmpty {
                    rows.append([result.customerId, "-", result.error.map { "error: \($0)" } ?? "(none)", "", ""])
                }
                for recommendation in result.recommendations {
                    rows.append([result.customerId, String(recommendation.rank), recommendation.offerId, recommendation.channel,
                                 recommendation.score.map { String(format: "%.4g", $0) } ?? "-"])
                }
            }
            print(TextTable(headers: ["CUSTOMER", "RANK", "OFFER", "CHANNEL", "SCORE"], rows: rows).render())
            let dropped = page.customers.flatMap { result in (result.dropped ?? []).map { (result.customerId, $0) } }
            if !dropped.isEmpty {
                print("")
                print(TextTable(
                    headers: ["CUSTOMER", "CANDIDATE", "OFFER", "CHANNEL", "SCORE", "DROPPED BECAUSE"],
                    rows: dropped.map { customer, candidate in
                        [customer, String(candidate.rank), candidate.offerId, candidate.channel,
                         String(format: "%.4g", candidate.score), candidate.reason]
                    }
                ).render())
            }
            print("\(page.customers.count) of \(page.total) customers (offset \(offset))")
        }
    }
}
