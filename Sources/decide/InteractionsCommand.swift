import ArgumentParser
import DecideStore
import DecideText
import Foundation

/// `decide interactions`: the contact history (what customers were sent and how they answered).
struct InteractionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interactions",
        abstract: "Import, show, count and delete customers' interaction history.",
        subcommands: [Import.self, Show.self, Count.self, Delete.self]
    )

    /// `decide interactions import FILE`.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import interactions from a CSV file with a header row or a JSON Lines (.jsonl) file.",
            discussion: """
                Fields: id (optional), customer_id, offer_id, channel (optional), outcome (sent, impression, clicked, \
                accepted, declined or another word of a-z, 0-9 and _), at (ISO 8601 with a zone, or a date meaning \
                00:00 UTC); camelCase names (customerId, offerId) are accepted too. All or nothing: a bad row stops \
                the import with its line, column and value, and nothing is stored. An interaction whose id is stored \
                already, or came earlier in the file, is skipped, so importing a file again is harmless. FILE - reads \
                standard input (CSV unless --format jsonl).
                """
        )

        @OptionGroup var store: StoreOptions
        @Argument(help: "The CSV or .jsonl file, or - for standard input.") var file: String
        @Option(help: "csv or jsonl (default: from the file's extension; csv for standard input).") var format: ImportFormat?
        @Flag(help: "Report each invalid row on standard error and import the others.") var skipInvalid = false
        @Flag(help: "Print the summary as JSON.") var json = false

        func run() async throws {
            let store = try await self.store.open()
            var onRejected: (@Sendable (ImportError) -> Void)?
            if skipInvalid {
                onRejected = { error in
                    var standardError = StandardError()
                    print("decide: skipped: \(error)", to: &standardError)
                }
            }
            let summary: InteractionImportSummary
            if file == "-" {
                let spooled = try StandardInput.spool()
                defer { try? FileManager.default.removeItem(at: spooled.deletingLastPathComponent()) }
                summary = try await store.importInteractions(from: .file(spooled, format: format ?? .csv), onRejected: onRejected)
            } else {
                summary = try await store.importInteractions(from: .file(URL(fileURLWithPath: file), format: format), onRejected: onRejected)
            }
            if json { return try JSONOutput.print(summary) }
            print("Stored \(summary.stored) interactions, skipped \(summary.skipped) already stored"
                + (summary.rejected > 0 ? ", rejected \(summary.rejected) invalid rows" : ""))
        }
    }

    /// `decide interactions show CUSTOMER`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a customer's interactions, newest first.")

        @OptionGroup var store: StoreOptions
        @Argument(help: "The customer's id.") var customer: String
        @Option(help: "At most this many interactions (1 to 1000).") var limit = 50
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let store = try await self.store.open()
            let page = try await store.interactions(customerId: customer, limit: limit, offset: 0)
            if json { return try JSONOutput.print(InteractionPage(interactions: page.interactions, total: page.total)) }
            print(TextTable(headers: ["AT", "OFFER", "CHANNEL", "OUTCOME", "ID"], rows: page.interactions.map {
                [Interaction.text(of: $0.at), $0.offerId, $0.channel ?? "-", $0.outcome, $0.id ?? "-"]
            }).render())
            print("\(page.interactions.count) of \(page.total) interactions")
        }
    }

    /// `decide interactions count`.
    struct Count: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Count interactions, narrowed by customer, offer, channel or outcome.")

        @OptionGroup var store: StoreOptions
        @Option(help: "Only this customer's.") var customer: String?
        @Option(help: "Only this offer's.") var offer: String?
        @Option(help: "Only on this channel.") var channel: String?
        @Option(help: "Only with this outcome.") var outcome: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let count = try await self.store.open().countInteractions(
                InteractionFilter(customerId: customer, offerId: offer, channel: channel, outcome: outcome))
            if json { return try JSONOutput.print(["count": count]) }
            print(count)
        }
    }

    /// `decide interactions delete --customer C`.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase a customer's interaction history (a person's right to be forgotten).")

        @OptionGroup var store: StoreOptions
        @Option(help: "The customer whose history is erased.") var customer: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let deleted = try await self.store.open().deleteInteractions(customerId: customer)
            if json { return try JSONOutput.print(["deleted": deleted]) }
            print("Deleted \(deleted) interactions of \(customer)")
        }
    }
}
