import DecideStore
import Foundation
import LuaRuntime
import Testing

@testable import DecisionEngine

@Suite("Flow workers and the pool")
struct FlowWorkerTests {
    /// A varied audience built in memory.
    static func audience(_ count: Int) throws -> CustomerBatch {
        try Support.batch((0..<count).map { index in
            """
            {"id": "C\(String(format: "%05d", index))", "age": \(18 + index % 60), "income": \(15000 + index * 7919 % 150000),
             "credit_score": \(300 + index * 37 % 550), "balance": \(index * 131 % 40000), "tenure_months": \(index % 200),
             "has_credit_card": \(index % 3 == 0), "has_loan": \(index % 4 == 0), "email_opt_in": \(index % 2 == 0),
             "sms_opt_in": \(index % 5 == 0), "app_user": \(index % 3 == 1), "churn_risk": \(Double(index % 100) / 100),
             "last_purchase_days": \(index % 365)}
            """
        })
    }

    static let crossSell = try! FlowLibrary(directory: Support.exampleFlows).source(of: "cross_sell")

    @Test("the example flows pass their own tests", arguments: ["cross_sell", "retention", "arbitration"])
    func exampleFlowTests(key: String) throws {
        let library = FlowLibrary(directory: Support.exampleFlows)
        let testSource = try String(contentsOfFile: library.testPath(of: key), encoding: .utf8)
        let results = try FlowWorker().runTests(of: try library.source(of: key), testSource: testSource,
                                                testPath: library.testPath(of: key))
        #expect(results.count >= 4)
        #expect(results.allSatisfy { $0.passed }, "\(results.filter { !$0.passed })")
    }

    @Test("a failing test case says what differed")
    func failingTestCase() throws {
        let flow = Support.catalogFlow("limit(1), channel('c', function() return 'push' end),")
        let results = try FlowWorker().runTests(of: flow, testSource: """
            return { { name = "wrong", customer = { id = "t" }, expect = { "b" }, expect_not = { "a" } } }
            """, testPath: "t.test.lua")
        #expect(results[0].failures == [
            #"expected offers { "b" }, got { "a" }"#, "expected no 'a', but it was recommended at rank 1",
        ])
    }

    @Test("results are identical with one worker and with two, whatever the batch size")
    func workersAgree() async throws {
        let audience = try Self.audience(600)
        let flow = Self.crossSell
        func run(workers: Int, batchSize: Int) async throws -> [String] {
            let pool = WorkerPool(workers: workers) { _ in try FlowWorker() }
            defer { pool.shutdown() }
            let slices = stride(from: 0, to: audience.customers.count, by: batchSize).map {
                CustomerBatch(fieldNames: audience.fieldNames,
                              customers: Array(audience.customers[$0..<min($0 + batchSize, audience.customers.count)]))
            }
            return try await withThrowingTaskGroup(of: (Int, [String]).self) { group in
                for (index, slice) in slices.enumerated() {
                    group.addTask {
                        try await pool.run { worker in
                            let description = try worker.describe(flow)
                            let decisions = try worker.decide(slice, flow: flow, seed: 1)
                            return (index, decisions.customerIds.indices.map { customer in
                                decisions.customerIds[customer] + ":" + decisions.recommendations(at: customer, flow: description)
                                    .map { "\($0.offerId)/\($0.channel)/\($0.score ?? -1)" }.joined(separator: ",")
                            })
                        }
                    }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }.sorted { $0.key < $1.key }.flatMap(\.value)
            }
        }
        let one = try await run(workers: 1, batchSize: 600)
        #expect(one.count == 600)
        #expect(one.contains { $0.hasSuffix(":") } && one.contains { $0.contains("/push/") })
        #expect(try await run(workers: 2, batchSize: 37) == one)
        #expect(try await run(workers: 2, batchSize: 100) == one)
    }

    @Test("each worker's state is only ever used on that worker's thread")
    func threadConfinement() async throws {
        final class Probe: WorkerContext {
            let state: LuaState
            let thread = Thread.current
            init() throws { state = try LuaState() }
            var needsReplacement: Bool { false }
        }
        let pool = WorkerPool(workers: 2) { _ in try Probe() }
        defer { pool.shutdown() }
        let pairs = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
            for _ in 0..<200 {
                group.addTask {
                    try await pool.run { probe in
                        probe.state.checkThread()
                        usleep(2000)
                        return ("\(ObjectIdentifier(probe.state))", probe.thread === Thread.current)
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(pairs.allSatisfy { $0.1 })
        #expect(Set(pairs.map(\.0)).count == 2)
    }

    @Test("a changed flow source is compiled again; an unchanged one is served from the cache")
    func changedSourcePickedUp() throws {
        let worker = try FlowWorker()
        var flow = Support.catalogFlow("limit(1), channel('c', function() return 'push' end),")
        flow.modules = ["catalog": try String(contentsOfFile: Support.fixtures + "/catalog.lua", encoding: .utf8)]
        #expect(try Support.decide(flow, "{\"id\": \"x\"}", worker: worker).map(\.offerId) == ["a"])
        flow.source = flow.source.replacingOccurrences(of: "limit(1)", with: "limit(2)")
        #expect(try Support.decide(flow, "{\"id\": \"x\"}", worker: worker).map(\.offerId) == ["a", "b"])
    }

    @Test("a customer who hits a limit fails alone; the rest of the batch is decided on a fresh state")
    func limitMidBatch() throws {
        let flow = Support.catalogFlow("""
            filter('spin', function(c, o) if c.id == "bad" then while true do end end return true end),
            channel('c', function() return 'push' end),
            """)
        let decisions = try FlowWorker(limits: SandboxLimits(instructionBudget: 100_000))
            .decide(try Support.batch([#"{"id": "a1"}"#, #"{"id": "bad"}"#, #"{"id": "z9"}"#]), flow: flow)
        #expect(decisions.customerIds == ["a1", "bad", "z9"])
        #expect(decisions.ends == [4, 4, 8])
        #expect(decisions.errorIndexes == [1])
        #expect(decisions.errors.map(\.customerId) == ["bad"])
        #expect(decisions.errors[0].error.code == .instructionLimit)
    }

    @Test("a trace records each stage's drops with reasons and the final recommendations")
    func trace() throws {
        let input = try CustomerInput(json: #"{"id": "t1", "age": 15}"#)
        let flow = Support.catalogFlow("""
            filter("adults", function(c, o) if o.id == "b" then return false, "b is for adults" end return true end),
            score("value", function(c, o) return o.value end),
            rank { top = 1 },
            channel("email", function() return "email" end),
            """)
        let trace = try FlowWorker().trace(input.customer, fieldNames: input.fieldNames, flow: flow)
        #expect(trace.stages.map(\.name) == ["adults", "value", "rank", "email"])
        #expect(trace.stages[0].dropped == [.init(offerId: "b", reason: "b is for adults")])
        #expect(trace.stages[2].dropped.map(\.reason) == ["below the top 1", "below the top 1"])
        #expect(trace.recommendations == [Recommendation(rank: 1, offerId: "d", channel: "email", score: 30)])
    }
}
