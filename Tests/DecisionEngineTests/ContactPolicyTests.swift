import DecideStore
import Foundation
import LuaRuntime
import Testing

@testable import DecisionEngine

/// `cap`, `cooldown` and `history`, against histories computed by hand. The decision time is 2026-11-30T00:00:00Z
/// unless a test says otherwise; "N days ago" means N × 86,400 s before it.
@Suite("Contact policies")
struct ContactPolicyTests {
    static let decision = Interaction.time("2026-11-30T00:00:00Z")!

    /// Four offers: a and b on email, c on sms, d on push; scores a 4, b 3, c 2, d 1.
    static func flow(_ stages: String) -> FlowSource {
        Support.flow("""
            return flow {
              name = "Policies",
              offers = {
                { id = "a", name = "A", channel = "email" }, { id = "b", name = "B", channel = "email" },
                { id = "c", name = "C", channel = "sms" }, { id = "d", name = "D", channel = "push" },
              },
              stages = {
                score("value", function(c, o) return ({ a = 4, b = 3, c = 2, d = 1 })[o.id] end),
                \(stages)
              },
            }
            """)
    }

    /// An interaction of customer c1 `seconds` before the decision time.
    static func entry(_ offer: String, _ outcome: String, secondsAgo seconds: Double, channel: String? = nil) -> Interaction {
        Interaction(
            customerId: "c1", offerId: offer, channel: channel, outcome: outcome,
            at: decision.addingTimeInterval(-seconds))
    }

    static func daysAgo(_ days: Double) -> Double { days * 86_400 }

    /// Traces customer c1 with `history`.
    static func trace(_ flow: FlowSource, _ history: [Interaction], at time: Date = decision) throws -> DecisionTrace {
        let customer = try Support.batch([#"{"id": "c1"}"#])
        return try FlowWorker().trace(
            customer.customers[0], fieldNames: customer.fieldNames, flow: flow, history: InteractionHistory(history),
            decisionTime: time)
    }

    static func dropped(_ trace: DecisionTrace, stage: String) -> [String] {
        trace.stages.first { $0.name == stage }?.dropped.map { "\($0.offerId): \($0.reason)" } ?? []
    }

    @Test("a window holds [decision time − D days, decision time): its start is in, the decision time itself is out")
    func windowBoundaries() throws {
        let flow = Self.flow("""
            stage("counts", function(c, candidates)
              print(history.count { days = 7 }, history.count { outcome = "sent", days = 7 }, history.count())
              return candidates
            end),
            """)
        let history = [
            Self.entry("a", "sent", secondsAgo: Self.daysAgo(7)),  // exactly at the start: in
            Self.entry("a", "sent", secondsAgo: Self.daysAgo(7) + 0.001),  // a millisecond before it: out
            Self.entry("b", "sent", secondsAgo: 0.001),  // a millisecond before the decision: in
            Self.entry("b", "clicked", secondsAgo: 0),  // at the decision time: invisible
            Self.entry("c", "sent", secondsAgo: -60),  // after it: invisible
        ]
        let trace = try Self.trace(flow, history)
        #expect(trace.printed == ["2\t2\t3"])
    }

    @Test("times with a zone other than UTC count by the instant they name")
    func otherZone() throws {
        let flow = Self.flow(#"stage("n", function(c, k) print(history.count { days = 1 }) return k end),"#)
        let at = try #require(Interaction.time("2026-11-29T01:00:00+01:00"))  // 00:00Z, exactly one day before
        let later = try #require(Interaction.time("2026-11-29T00:59:59+01:00"))  // 23:59:59Z the day before: out
        let history = [
            Interaction(customerId: "c1", offerId: "a", outcome: "sent", at: at),
            Interaction(customerId: "c1", offerId: "a", outcome: "sent", at: later),
        ]
        #expect(try Self.trace(flow, history).printed == ["1"])
    }

    @Test("cap counts the outcome on its channel in the window and keeps the first max − count of that channel's candidates")
    func capOnChannel() throws {
        // Offer d has no channel of its own and there is no channel stage before the cap.
        let flow = Support.flow("""
            return flow {
              name = "No channel",
              offers = { { id = "a", name = "A", channel = "email" }, { id = "d", name = "D" } },
              stages = { cap { max = 3, days = 7, channel = "email", name = "email fatigue" } },
            }
            """)
        // Two emails sent in the window, one outside it, one on sms, one clicked: count = 2, so one email slot left.
        let history = [
            Self.entry("c", "sent", secondsAgo: Self.daysAgo(1), channel: "email"),
            Self.entry("d", "sent", secondsAgo: Self.daysAgo(6.5), channel: "email"),
            Self.entry("a", "sent", secondsAgo: Self.daysAgo(8), channel: "email"),
            Self.entry("a", "sent", secondsAgo: Self.daysAgo(1), channel: "sms"),
            Self.entry("b", "clicked", secondsAgo: Self.daysAgo(1), channel: "email"),
        ]
        let flowWithChannel = Self.flow("""
            cap { max = 3, days = 7, channel = "email", name = "email fatigue" },
            """)
        let trace = try Self.trace(flowWithChannel, history)
        #expect(trace.recommendations.map(\.offerId) == ["a", "c", "d"])
        #expect(Self.dropped(trace, stage: "email fatigue") == ["b: cap 'email fatigue': 2 sent on email in 7 days (max 3)"])
        // Offer d has no channel at all when it reaches the cap: an error for this customer naming the stage.
        let error = #expect(throws: DecisionError.self) { try Self.trace(flow, history) }
        #expect(error?.stage == "email fatigue")
        #expect(error.map { "\($0)".contains("offer 'd' has no channel") } == true)
    }

    @Test("cap without a channel applies to every candidate; at or over max it keeps none")
    func capEverything() throws {
        let flow = Self.flow("""
            channel("reach", function(c, o) return o.channel or "push" end),
            cap { max = 2, days = 30, name = "two a month" },
            """)
        #expect(try Self.trace(flow, []).recommendations.map(\.offerId) == ["a", "b"])
        let one = [Self.entry("x", "sent", secondsAgo: Self.daysAgo(29))]
        let trace = try Self.trace(flow, one)
        #expect(trace.recommendations.map(\.offerId) == ["a"])
        #expect(Self.dropped(trace, stage: "two a month") == [
            "b: cap 'two a month': 1 sent in 30 days (max 2)", "c: cap 'two a month': 1 sent in 30 days (max 2)",
            "d: cap 'two a month': 1 sent in 30 days (max 2)",
        ])
        let full = one + [Self.entry("y", "sent", secondsAgo: 10), Self.entry("z", "sent", secondsAgo: 20)]
        #expect(try Self.trace(flow, full).recommendations.isEmpty)
        let zero = Self.flow(#"channel("reach", function(c, o) return "push" end), cap { max = 0, days = 1 },"#)
        #expect(try Self.trace(zero, []).recommendations.isEmpty)
    }

    @Test("cap per_offer judges each offer on its own count, with the outcome and a fractional window")
    func capPerOffer() throws {
        let flow = Self.flow("""
            channel("reach", function(c, o) return o.channel or "push" end),
            cap { max = 1, days = 0.5, outcome = "clicked", per_offer = true, name = "one click" },
            """)
        let history = [
            Self.entry("a", "clicked", secondsAgo: 3_600),
            Self.entry("b", "clicked", secondsAgo: 43_201),  // just outside half a day
            Self.entry("c", "sent", secondsAgo: 60),
        ]
        let trace = try Self.trace(flow, history)
        #expect(trace.recommendations.map(\.offerId) == ["b", "c", "d"])
        #expect(Self.dropped(trace, stage: "one click") == ["a: cap 'one click': 1 clicked for 'a' in 0.5 days (max 1)"])
    }

    @Test("cooldown drops an offer the customer had the outcome for in the window, saying how many days ago")
    func cooldown() throws {
        let flow = Self.flow("""
            cooldown { days = 30, name = "no nagging" },
            cooldown { days = 14, outcome = "accepted", name = "just bought" },
            """)
        let history = [
            Self.entry("a", "declined", secondsAgo: Self.daysAgo(12) + 100),
            Self.entry("a", "declined", secondsAgo: Self.daysAgo(20)),
            Self.entry("b", "declined", secondsAgo: Self.daysAgo(31)),  // outside the window
            Self.entry("c", "accepted", secondsAgo: Self.daysAgo(1)),
            Self.entry("d", "clicked", secondsAgo: Self.daysAgo(1)),
        ]
        let trace = try Self.trace(flow, history)
        #expect(trace.recommendations.map(\.offerId) == ["b", "d"])
        #expect(Self.dropped(trace, stage: "no nagging") == ["a: cooldown 'no nagging': declined 12 days ago"])
        #expect(Self.dropped(trace, stage: "just bought") == ["c: cooldown 'just bought': accepted 1 day ago"])
    }

    @Test("history.count and history.last match on every field given; last is in days, fractions kept, or nil")
    func historyHelpers() throws {
        let flow = Self.flow("""
            stage("look", function(c, candidates)
              print(history.count { offer = "a" }, history.count { offer = "a", channel = "email", outcome = "sent" },
                history.count { outcome = "clicked", days = 2 }, history.last { offer = "a", outcome = "sent" },
                history.last { channel = "sms" }, history.last { offer = "nope" })
              return candidates
            end),
            """)
        let history = [
            Self.entry("a", "sent", secondsAgo: Self.daysAgo(1.5), channel: "email"),
            Self.entry("a", "sent", secondsAgo: Self.daysAgo(3), channel: "push"),
            Self.entry("a", "clicked", secondsAgo: Self.daysAgo(1), channel: "email"),
            Self.entry("b", "clicked", secondsAgo: Self.daysAgo(3), channel: "sms"),
        ]
        #expect(try Self.trace(flow, history).printed == ["3\t1\t1\t1.5\t3.0\tnil"])
    }

    @Test("history is there in functions of required modules, which decide what the flow's policies would")
    func historyInModules() throws {
        let rules = """
            local M = {}
            function M.fresh(c, o) return history.count { offer = o.id, outcome = "declined", days = 30 } == 0 end
            return M
            """
        let flow = FlowSource(
            key: "modular", path: "flows/modular.lua",
            source: """
                local rules = require("rules")
                return flow {
                  name = "Modular",
                  offers = { { id = "a", name = "A", channel = "email" }, { id = "b", name = "B", channel = "email" } },
                  stages = { filter("not declined lately", rules.fresh) },
                }
                """,
            modules: ["rules": rules])
        #expect(try FlowWorker().describe(flow).historyScope == .all)
        let trace = try Self.trace(flow, [Self.entry("a", "declined", secondsAgo: Self.daysAgo(3))])
        #expect(trace.recommendations.map(\.offerId) == ["b"])
    }

    @Test("history refuses unknown fields and writes, and answers only while a customer is being decided")
    func historyMisuse() throws {
        for (body, message) in [
            ("history.count { colour = 1 }", "history.count: unknown field 'colour'"),
            ("history.last { days = 3 }", "history.last: unknown field 'days'"),
            ("history.count { days = 0 }", "`days` must be a positive number"),
            ("history.count { outcome = \"Sent\" }", "is not an outcome"),
            ("history.count = 1", "history is read-only"),
            ("history.forget()", "history has count and last"),
        ] {
            let flow = Self.flow("filter(\"f\", function(c, o) \(body) return true end),")
            let error = #expect(throws: DecisionError.self) { try Self.trace(flow, []) }
            #expect(error.map { "\($0)".contains(message) } == true, "\(body): \(String(describing: error))")
        }
        let atLoad = Support.flow("""
            local n = history.count()
            return flow { name = "L", offers = { { id = "a", name = "A", channel = "e" } }, stages = { rank {} } }
            """)
        let error = #expect(throws: FlowError.self) { try FlowWorker().describe(atLoad) }
        #expect(error.map { "\($0)".contains("only there while a customer is being decided") } == true)
    }

    @Test("flows check refuses bad policies, naming the stage and the field")
    func badPolicies() throws {
        let flow = Self.flow("""
            cap { max = -1, days = 7 },
            cap { max = 1.5, days = 0, colour = "red" },
            cooldown { days = "7", outcome = "Declined" },
            cap { max = 2, days = 1, channel = "e mail", per_offer = "yes" },
            """)
        let error = #expect(throws: FlowError.self) { try FlowWorker().describe(flow) }
        let problems = error?.problems ?? []
        for expected in [
            "stage #2 'cap': `max` must be a non-negative integer, got -1",
            "stage #3 'cap': unknown field 'colour'", "stage #3 'cap': `days` must be a positive number, got 0",
            "stage #3 'cap': `max` must be a non-negative integer, got 1.5",
            "stage #4 'cooldown': `days` must be a positive number, got '7'",
            "stage #4 'cooldown': `outcome` 'Declined' is not an outcome",
            "stage #5 'cap': `channel` 'e mail'", "stage #5 'cap': `per_offer` must be true or false",
        ] {
            #expect(problems.contains { $0.contains(expected) }, "\(expected) in \(problems)")
        }
        #expect(try FlowWorker().describe(Self.flow("cap { max = 1e1, days = 7 },")).readsHistory)
    }

    @Test("the batch path applies the same policies as the trace, per customer, with the batch's history")
    func batchPath() throws {
        let flow = Self.flow("""
            cooldown { days = 30 },
            channel("reach", function(c, o) return o.channel or "push" end),
            cap { max = 2, days = 7, channel = "email" },
            """)
        let batch = try Support.batch([#"{"id": "c1"}"#, #"{"id": "c2"}"#, #"{"id": "c3"}"#])
        var history = InteractionHistory()
        for (customer, offer, outcome, channel) in [
            ("c1", "a", "declined", "email"), ("c2", "x", "sent", "email"), ("c2", "y", "sent", "email"),
        ] {
            history.append(
                customerId: customer, offerId: offer, channel: channel, outcome: outcome,
                at: Self.decision.milliseconds - 86_400_000)
        }
        let worker = try FlowWorker()
        let description = try worker.describe(flow)
        #expect(description.readsHistory)
        let decisions = try worker.decide(batch, history: history, flow: flow, decisionTime: Self.decision)
        #expect(decisions.errors.isEmpty)
        #expect(decisions.recommendations(at: 0, flow: description).map(\.offerId) == ["b", "c", "d"])
        #expect(decisions.recommendations(at: 1, flow: description).map(\.offerId) == ["c", "d"])
        #expect(decisions.recommendations(at: 2, flow: description).map(\.offerId) == ["a", "b", "c", "d"])
        #expect(decisions.funnel.map(\.dropped) == [0, 1, 0, 2])
    }

    @Test("a flow test case's history and as_of decide the case; a bad history entry fails it naming the entry")
    func testCases() throws {
        let flow = Self.flow("cooldown { days = 30 },")
        let tests = """
            return {
              { name = "declined lately", customer = { id = "t1" }, as_of = "2026-11-30",
                history = { { offer = "a", outcome = "declined", at = "2026-11-20T00:00:00Z" } },
                expect = { "b", "c", "d" } },
              { name = "long ago", customer = { id = "t2" }, as_of = "2026-11-30",
                history = { { offer = "a", channel = "email", outcome = "declined", at = "2026-10-01" } },
                expect = { "a", "b", "c", "d" } },
              { name = "bad", customer = { id = "t3" }, history = { { offer = "a", outcome = "declined", at = "soon" } },
                expect = {} },
            }
            """
        let results = try FlowWorker().runTests(of: flow, testSource: tests, testPath: "p.test.lua")
        #expect(results.map(\.failures.isEmpty) == [true, true, false])
        #expect(results[2].failures.first?.contains("history[1].at \"soon\" is not a time") == true)
    }
}
