import DecideStore
import DecisionEngine
import Foundation
import RunEngine
import TestSupport

/// A temporary store (SQLite, or a new PostgreSQL database) with a small hand-made audience and a flows directory,
/// the directory deleted when the fixture goes.
final class RunFixture {
    let directory: URL
    let kind: StoreKind
    let store: any RunQueueStore
    let library: FlowLibrary
    /// The store as `--db` names it for child processes: the SQLite file, or the PostgreSQL URL.
    let databasePath: String

    /// Creates the fixture with `customers` customers (ids C0001...), ages 18 + i, every third an app user, in a new
    /// store of `kind`, or in the PostgreSQL database `database` names.
    init(customers: Int = 10, flows: [String: String] = [:], kind: StoreKind = .sqlite, database: String? = nil) async throws {
        self.kind = database == nil ? kind : .postgres
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("decide-runs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("flows"), withIntermediateDirectories: true)
        for (key, source) in flows.merging(["simple": Self.simple], uniquingKeysWith: { mine, _ in mine }) {
            try source.write(to: directory.appendingPathComponent("flows/\(key).lua"), atomically: true, encoding: .utf8)
        }
        if let database {
            databasePath = database
        } else {
            databasePath = try await TestDatabase.make(kind, in: directory)
        }
        store = try await StoreLocation(parsing: databasePath).open()
        library = FlowLibrary(directory: directory.appendingPathComponent("flows").path)
        var lines = ["id,age,app_user"]
        for index in 1...max(1, customers) where customers > 0 {
            lines.append(String(format: "C%04d,%d,%@", index, 18 + index, index % 3 == 0 ? "true" : "false"))
        }
        let csv = directory.appendingPathComponent("customers.csv")
        try (lines.joined(separator: "\n") + "\n").write(to: csv, atomically: true, encoding: .utf8)
        _ = try await store.importCustomers(from: .file(csv), options: ImportOptions())
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Every customer gets offer "a" by email; customers aged 25 or more also get "b" (push for app users, else
    /// email) ranked above "a".
    static let simple = """
        return flow {
          name = "Simple",
          offers = { { id = "a", name = "Offer A", value = 1 }, { id = "b", name = "Offer B", value = 2 } },
          stages = {
            filter("age", function(c, o) return o.id == "a" or c.age >= 25 end),
            score("value", function(c, o) return o.value end),
            rank { top = 2 },
            channel("reach", function(c, o) if o.id == "b" and c.app_user then return "push" end return "email" end),
          },
        }
        """

    /// Creates and executes a run.
    func run(_ request: RunRequest) async throws -> RunRecord {
        let record = try await RunPlanner(library: library, store: store).create(request)
        return try await RunExecutor(store: store).execute(runId: record.id)
    }

    /// Every stored result as `customer:offer/channel,...` lines, in id order.
    func export(_ runId: String) async throws -> [String] {
        var lines: [String] = []
        try await store.exportResults(runId: runId) { result in
            lines.append(result.customerId + ":" + result.recommendations.map { "\($0.offerId)/\($0.channel)" }.joined(separator: ","))
        }
        return lines
    }
}
