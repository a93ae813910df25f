import ArgumentParser
import DecideStore
import DecideText
import DecisionEngine
import Foundation

extension FlowsCommand {
    /// `decide flows explain FLOW`: why one customer gets what they get, stage by stage.
    struct Explain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show, stage by stage, what a flow decides for one customer and why."
        )

        @OptionGroup var flows: FlowOptions
        @OptionGroup var store: StoreOptions
        @Argument(help: "The flow, by key or path.") var flow: String
        @Option(help: "The customer as a JSON object, e.g. '{\"id\": \"c1\", \"age\": 30}'.") var customerJson: String?
        @Option(help: "A stored customer's id.") var customer: String?
        @Option(help: "The seed for math.random (as a run's --seed).") var seed: UInt64 = 0
        @Option(
            help: ArgumentHelp(
                "Decide as of this time (ISO 8601 with a zone, or a date meaning 00:00 UTC) instead of now.", valueName: "time"))
        var asOf: String?
        @Option(
            help: ArgumentHelp(
                "The customer's interaction history, a JSON array of {\"offerId\", \"channel\", \"outcome\", \"at\"} "
                    + "(instead of a stored customer's history).", valueName: "file"))
        var historyJson: String?
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            guard (customerJson == nil) != (customer == nil) else {
                throw ValidationError("give exactly one of --customer-json and --customer")
            }
            if let asOf, Interaction.time(asOf) == nil {
                throw ValidationError("--as-of: \"\(asOf)\" is not a time: use ISO 8601 with a zone (2026-11-02T09:30:00Z) or a date (2026-11-02)")
            }
        }

        func run() async throws {
            let input = if let customerJson {
                try CustomerInput(json: customerJson)
            } else {
                CustomerInput(batch: try await store.open().customer(id: customer!))
            }
            let source = try flows.source(of: flow)
            let decisionTime = asOf.flatMap(Interaction.time) ?? Date()
            let history: InteractionHistory
            if let historyJson {
                history = try Self.history(file: historyJson, customerId: input.customer.id)
            } else if customer != nil {
                history = try await store.open().history(
                    of: [input.customer.id], window: HistoryWindow(before: decisionTime))
            } else {
                history = InteractionHistory()
            }
            let trace = try flows.worker().trace(
                input.customer, fieldNames: input.fieldNames, flow: source, seed: seed, history: history,
                decisionTime: decisionTime)
            if json { return try JSONOutput.print(trace) }
            print(TraceText.render(trace))
            if let note = try flows.worker().describe(source).constraintsNote { print("\n" + note) }
        }

        /// The largest `--history-json` file, and the most interactions it may hold.
        static let maximumHistoryBytes = 16 << 20
        static let maximumHistoryEntries = 100_000

        /// The interactions of a `--history-json` file: a JSON array (or `{"interactions": [...]}`) of objects with
        /// `offerId` (or `offer_id`), `outcome`, `at`, and optionally `channel`, `id` and `customerId` (which must be
        /// the customer's).
        ///
        /// - Throws: ``CommandFailure/InvalidInput`` naming the file, the entry and the field.
        static func history(file: String, customerId: String) throws -> InteractionHistory {
            let data: Data
            do {
                let url = URL(fileURLWithPath: file)
                let size = try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int ?? 0
                guard size <= maximumHistoryBytes else {
                    throw CommandFailure.InvalidInput("--history-json \(file): \(size) bytes, over the limit of \(maximumHistoryBytes)")
                }
                data = try Data(contentsOf: url)
            } catch let error as CommandFailure.InvalidInput {
                throw error
            } catch {
                throw CommandFailure.InvalidInput("--history-json \(file): cannot be read (\(error.localizedDescription))")
            }
            func invalid(_ message: String) -> CommandFailure.InvalidInput {
                CommandFailure.InvalidInput("--history-json \(file): \(message)")
            }
            var parsed = try? JSONSerialization.jsonObject(with: data)
            if let wrapper = parsed as? [String: Any], let list = wrapper["interactions"] { parsed = list }
            guard let entries = parsed as? [Any] else {
                throw invalid("not a JSON array of interactions like [{\"offerId\": \"gold\", \"outcome\": \"sent\", \"at\": \"2026-11-02\"}]")
            }
            guard entries.count <= maximumHistoryEntries else {
                throw invalid("\(entries.count) interactions, over the limit of \(maximumHistoryEntries)")
            }
            let names: [String: String] = [
                "id": "id", "customerId": "customerId", "customer_id": "customerId", "offerId": "offerId",
                "offer_id": "offerId", "channel": "channel", "outcome": "outcome", "at": "at",
            ]
            var interactions: [Interaction] = []
            for (index, entry) in entries.enumerated() {
                guard let object = entry as? [String: Any] else { throw invalid("[\(index)] is not an object") }
                var fields: [String: String] = [:]
                for (key, value) in object.sorted(by: { $0.key < $1.key }) {
                    guard let field = names[key] else {
                        throw invalid("[\(index)] has an unknown field \"\(key)\" (an interaction has offerId, channel, outcome, at)")
                    }
                    if value is NSNull { continue }
                    guard let text = value as? String else { throw invalid("[\(index)].\(key) must be text") }
                    if let problem = Interaction.problem(field: field, value: text) {
                        throw invalid("[\(index)].\(key) \"\(text.prefix(60))\": \(problem)")
                    }
                    fields[field] = text
                }
                for required in ["offerId", "outcome", "at"] where fields[required] == nil {
                    throw invalid("[\(index)] needs \(required)")
                }
                if let other = fields["customerId"], other != customerId {
                    throw invalid("[\(index)].customerId is \"\(other)\", not the customer being explained (\"\(customerId)\")")
                }
                guard let at = Interaction.time(fields["at"]!) else {
                    throw invalid("[\(index)].at \"\(fields["at"]!.prefix(60))\" is not a time: use ISO 8601 with a zone (2026-11-02T09:30:00Z) or a date (2026-11-02)")
                }
                interactions.append(Interaction(
                    customerId: customerId, offerId: fields["offerId"]!, channel: fields["channel"], outcome: fields["outcome"]!,
                    at: at))
            }
            return InteractionHistory(interactions)
        }
    }
}
