import DecideStore
import Testing
import TestSupport

/// Reading a run's customer results: pages, filters and the export.
@Suite("Run results")
struct RunResultsTests {
    /// A running run with 25 customers `c00`…`c24` committed in batches of 10: every third has no recommendation,
    /// every fifth failed, the others have `gold` by email and, for even ones, `loan` by sms second.
    static func populated(_ kind: StoreKind) async throws -> (TemporaryStore, RunRecord) {
        let temporary = try await TemporaryStore.make(kind)
        let run = try await temporary.startRun(total: 25)
        let customers = (0..<25).map { number in
            let id = "c" + (number < 10 ? "0" : "") + String(number)
            if number % 5 == 4 { return TestCustomer(id: id, error: "boom at \(id)") }
            if number % 3 == 0 { return TestCustomer(id: id) }
            var recommendations: [(offer: String, channel: String, score: Double?)] = [("gold", "email", Double(number))]
            if number % 2 == 0 { recommendations.append(("loan", "sms", nil)) }
            return TestCustomer(id: id, recommendations: recommendations)
        }
        for start in stride(from: 0, to: customers.count, by: 10) {
            try await temporary.store.commitBatch(.test(run.id, Array(customers[start..<min(start + 10, customers.count)])))
        }
        return (temporary, run)
    }

    @Test("pages are in customer id order with every customer's recommendations by rank, and the total", arguments: StoreKind.available)
    func paging(kind: StoreKind) async throws {
        let (temporary, run) = try await Self.populated(kind)
        let first = try await temporary.store.results(runId: run.id, customerId: nil, offerId: nil, channel: nil, limit: 4, offset: 0)
        #expect(first.total == 25)
        #expect(first.customers.map(\.customerId) == ["c00", "c01", "c02", "c03"])
        #expect(first.customers[0] == CustomerResult(customerId: "c00", recommendations: [], error: nil))
        #expect(first.customers[2] == CustomerResult(
            customerId: "c02",
            recommendations: [
                Recommendation(rank: 1, offerId: "gold", channel: "email", score: 2),
                Recommendation(rank: 2, offerId: "loan", channel: "sms", score: nil),
            ],
            error: nil))
        let last = try await temporary.store.results(runId: run.id, customerId: nil, offerId: nil, channel: nil, limit: 4, offset: 22)
        #expect(last.customers.map(\.customerId) == ["c22", "c23", "c24"])
        #expect(last.customers[2].error == "boom at c24")
    }

    @Test("filters select customers who have such a recommendation and return all of theirs", arguments: StoreKind.available)
    func filters(kind: StoreKind) async throws {
        let (temporary, run) = try await Self.populated(kind)
        let loans = try await temporary.store.results(runId: run.id, customerId: nil, offerId: "loan", channel: nil, limit: 100, offset: 0)
        #expect(loans.customers.map(\.customerId) == ["c02", "c08", "c10", "c16", "c20", "c22"])
        #expect(loans.total == 6)
        #expect(loans.customers.allSatisfy { $0.recommendations.map(\.offerId) == ["gold", "loan"] })
        let email = try await temporary.store.results(runId: run.id, customerId: nil, offerId: nil, channel: "email", limit: 2, offset: 1)
        #expect(email.total == 13 && email.customers.map(\.customerId) == ["c02", "c05"])
        let both = try await temporary.store.results(runId: run.id, customerId: nil, offerId: "loan", channel: "email", limit: 10, offset: 0)
        #expect(both.total == 0 && both.customers.isEmpty)
        let one = try await temporary.store.results(runId: run.id, customerId: "c04", offerId: nil, channel: nil, limit: 10, offset: 0)
        #expect(one.customers == [CustomerResult(customerId: "c04", recommendations: [], error: "boom at c04")] && one.total == 1)
        let none = try await temporary.store.results(runId: run.id, customerId: "c99", offerId: nil, channel: nil, limit: 10, offset: 0)
        #expect(none.total == 0)
        let customerAndOffer = try await temporary.store.results(runId: run.id, customerId: "c08", offerId: "loan", channel: "sms", limit: 10, offset: 0)
        #expect(customerAndOffer.total == 1 && customerAndOffer.customers.map(\.customerId) == ["c08"])
        let oddCustomer = try await temporary.store.results(runId: run.id, customerId: "c07", offerId: "loan", channel: nil, limit: 10, offset: 0)
        #expect(oddCustomer.total == 0 && oddCustomer.customers.isEmpty)
        let failedWithOffer = try await temporary.store.results(
            runId: run.id, customerId: nil, offerId: "gold", channel: nil, failedOnly: true, limit: 10, offset: 0)
        #expect(failedWithOffer.total == 0 && failedWithOffer.customers.isEmpty)
        let goldPage = try await temporary.store.results(runId: run.id, customerId: nil, offerId: "gold", channel: nil, limit: 3, offset: 11)
        #expect(goldPage.total == 13 && goldPage.customers.map(\.customerId) == ["c22", "c23"])
    }

    @Test("the export streams every customer once in id order, those without recommendations and failed ones included", arguments: StoreKind.available)
    func export(kind: StoreKind) async throws {
        let (temporary, run) = try await Self.populated(kind)
        var exported: [CustomerResult] = []
        try await temporary.store.exportResults(runId: run.id) { exported.append($0) }
        #expect(exported.map(\.customerId) == (0..<25).map { ($0 < 10 ? "c0" : "c") + String($0) })
        #expect(exported.filter { $0.recommendations.isEmpty && $0.error == nil }.count == 7)
        #expect(exported.filter { $0.error != nil }.count == 5)
        #expect(exported.reduce(0) { $0 + $1.recommendations.count } == 19)
        let paged = try await temporary.store.results(runId: run.id, customerId: nil, offerId: nil, channel: nil, limit: 100, offset: 0)
        #expect(paged.customers == exported)
        #expect(try await temporary.store.run(id: run.id).summary.totalRecommendations == 19)
    }

    @Test("a negative page size is refused", arguments: StoreKind.available)
    func invalidPage(kind: StoreKind) async throws {
        let (temporary, run) = try await Self.populated(kind)
        await #expect(throws: StoreError.self) {
            try await temporary.store.results(runId: run.id, customerId: nil, offerId: nil, channel: nil, limit: -1, offset: 0)
        }
    }
}
