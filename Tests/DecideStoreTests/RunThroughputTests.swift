import DecideStore
import Foundation
import Testing
import TestSupport

/// The commit throughput of the hot path, printed (not asserted: timing depends on the machine and build).
@Suite("Run throughput")
struct RunThroughputTests {
    @Test("100,000 customers with two recommendations each commit in batches of 1,000", arguments: StoreKind.available)
    func throughput(kind: StoreKind) async throws {
        let temporary = try await TemporaryStore.make(kind)
        let run = try await temporary.startRun(total: 100_000)
        var elapsed = Duration.zero
        for start in stride(from: 0, to: 100_000, by: 1000) {
            let customers = (start..<start + 1000).map { number in
                TestCustomer(id: String(format: "c%07d", number), recommendations: [
                    ("offer\(number % 17)", "email", Double(number % 100) / 100), ("offer\(number % 5)", "sms", nil),
                ])
            }
            let batch = try RunBatchCommit.test(run.id, customers, stages: [(3000, 1000)])
            let started = ContinuousClock.now
            try await temporary.store.commitBatch(batch)
            elapsed += ContinuousClock.now - started
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("run store: committed 100000 customers in \(Int(seconds * 1000)) ms: \(Int(100_000 / seconds)) customers/s")
        #expect(try await temporary.store.run(id: run.id).summary.totalRecommendations == 200_000)
    }
}
