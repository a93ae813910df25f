import DecideServer
import DecideStore
import DecisionEngine
import Foundation
import Hummingbird
import Logging
import TestSupport

/// A temporary store with a generated audience and a saved segment `high_value`, served with the repository's
/// example flows (or a flows directory of the test's own).
struct ServerFixture: Sendable {
    /// The repository's `flows/` directory.
    static let exampleFlows = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("flows").path

    let directory: URL
    let store: any RunQueueStore
    let library: FlowLibrary
    /// The store as `--db` names it: the SQLite file, or the PostgreSQL URL.
    let databasePath: String

    /// Creates the fixture with `customers` generated customers, in a store of `kind`.
    ///
    /// - Parameter flows: Flows of the test's own, by key, written to a temporary directory; the example flows
    ///   when empty.
    init(customers: Int = 200, flows: [String: String] = [:], kind: StoreKind = .sqlite) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("decide-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        databasePath = try await TestDatabase.make(kind, in: directory)
        store = try await StoreLocation(parsing: databasePath).open()
        _ = try await store.importCustomers(from: .generated(count: customers, seed: 7), options: ImportOptions())
        _ = try await store.saveSegment(name: "high_value", filter: "income >= 50000", description: "Well-off", replace: false)
        if flows.isEmpty {
            library = FlowLibrary(directory: Self.exampleFlows)
        } else {
            let folder = directory.appendingPathComponent("flows")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (key, source) in flows {
                try source.write(to: folder.appendingPathComponent("\(key).lua"), atomically: true, encoding: .utf8)
            }
            library = FlowLibrary(directory: folder.path)
        }
    }

    /// The application over this fixture, on a free loopback port.
    func application(concurrentRuns: Int = 1, lease: LeasePolicy = LeasePolicy()) -> some ApplicationProtocol {
        var logger = Logger(label: "decide-server-tests")
        logger.logLevel = .error
        return buildApplication(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0, concurrentRuns: concurrentRuns,
                                               lease: lease),
            store: store, library: library, logger: logger
        )
    }

    /// Deletes the directory.
    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A flow that spins for every customer: slow enough to observe a run while it executes.
    static let slowFlow = """
        return flow {
          name = "Slow",
          offers = { { id = "a", name = "A", value = 1 }, { id = "b", name = "B", value = 2 } },
          stages = {
            filter("spin", function(c, o) for i = 1, 20000 do end return true end),
            score("value", function(c, o) return o.value end),
            rank {},
            channel("reach", function(c, o) return c.app_user and "push" or "email" end),
          },
        }
        """
}
