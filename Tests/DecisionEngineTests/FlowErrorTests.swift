import DecideStore
import Testing

@testable import DecisionEngine

@Suite("Errors flow authors see")
struct FlowErrorTests {
    private func loadError(_ source: String) throws -> FlowError {
        try #require(throws: FlowError.self) { try FlowWorker().describe(Support.flow(source)) }
    }

    @Test("a syntax error names the file and line")
    func syntaxError() throws {
        let error = try loadError("local x = \nreturn flow { name = }")
        #expect(error.code == .loadFailed)
        #expect(error.problems[0].contains("test_flow.lua:2:"))
    }

    @Test("a duplicate offer id is a problem naming both offers")
    func duplicateOffer() throws {
        let error = try loadError("""
            return flow { name = "D", offers = { { id = "x", name = "X" }, { id = "x", name = "Y" } },
              stages = { channel("c", function() return "push" end) } }
            """)
        #expect(error.code == .invalid)
        #expect(error.problems == ["\(Support.fixtures)/test_flow.lua: duplicate offer id 'x' (offers #1 and #2)"])
    }

    @Test("an unknown stage kind, a missing stage name and a bad rank.top are each reported")
    func badStages() throws {
        let error = try loadError("""
            return flow { name = "S", offers = { { id = "x", name = "X" } },
              stages = {
                { kind = "magic" },
                filter(nil, function() return true end),
                rank { top = 0 },
              } }
            """)
        #expect(error.problems.count == 3)
        #expect(error.problems[0].contains("stage #1 is not a stage"))
        #expect(error.problems[1].contains("test_flow.lua:4: stage #2 (filter) needs a name"))
        #expect(error.problems[2].contains("test_flow.lua:5: stage #3 'rank': rank { top = N } needs a positive integer, got 0"))
    }

    @Test("an offer without an id or a name is reported")
    func offerFields() throws {
        let error = try loadError("""
            return flow { name = "O", offers = { { name = "X" }, { id = "y" } }, stages = { limit(1) } }
            """)
        #expect(error.problems.contains { $0.contains("offer #1 has an invalid `id` nil: it is a nil, not text") })
        #expect(error.problems.contains { $0.contains("offer 'y' needs a `name`") })
    }

    @Test("a require of a missing module names the module and the line")
    func missingModule() throws {
        let error = try loadError("local m = require('nowhere')\nreturn flow {}")
        #expect(error.problems[0].contains("module 'nowhere' not found"))
        #expect(error.problems[0].contains("test_flow.lua:1:"))
    }

    @Test("a runtime error at the top level names the line")
    func topLevelError() throws {
        let error = try loadError("local t = nil\nlocal x = t.field")
        #expect(error.problems[0].contains("test_flow.lua:2: attempt to index a nil value"))
    }

    @Test("a file that does not return a flow is reported")
    func notAFlow() throws {
        #expect(try loadError("return 42").problems[0].contains("return flow { ... }"))
    }

    @Test("a constraint naming an unknown offer, a bad max, an unknown field or a repeated selector is reported with its line")
    func badConstraints() throws {
        let error = try loadError("""
            return flow { name = "V", offers = { { id = "x", name = "X" }, { id = "y", name = "Y" } },
              constraints = {
                volume { max = 1, offer = "z" },
                volume { max = -1 },
                volume { max = 1.5, channel = "email" },
                volume { max = 2, offers = { "x", "y" } },
                volume { max = 3, offers = { "y", "x" }, name = "again" },
                volume { max = 1, colour = "red", channel = "sms" },
                volume { max = 1, offer = "x", channel = "sms" },
              },
              stages = { score("s", function() return 1 end) } }
            """)
        #expect(error.code == .invalid)
        #expect(error.problems.count == 6)
        #expect(error.problems[0].contains("test_flow.lua:3: constraint #1: `offer` 'z' is not an offer of this flow"))
        #expect(error.problems[1].contains("test_flow.lua:4: constraint #2: `max` must be a non-negative integer, got -1"))
        #expect(error.problems[2].contains("test_flow.lua:5: constraint #3: `max` must be a non-negative integer, got 1.5"))
        #expect(error.problems[3].contains("test_flow.lua:7: constraint #5 has the same selector (offers y+x) as constraint #4 at"))
        #expect(error.problems[4].contains("test_flow.lua:8: constraint #6: unknown field 'colour'"))
        #expect(error.problems[5].contains("test_flow.lua:9: constraint #7: give at most one of `offer`, `offers` and `channel`"))
    }

    @Test("a flow's constraints are described with their default names, and a whole-number float max is an integer")
    func describedConstraints() throws {
        let flow = try FlowWorker().describe(Support.flow("""
            return flow { name = "V", max_offers = 2, offers = { { id = "x", name = "X" }, { id = "y", name = "Y" } },
              constraints = { volume { max = 1e3, offer = "x" }, volume { max = 0, channel = "sms" },
                              volume { max = 5, offers = { "y", "x" } }, volume { max = 9, name = "all of it" } },
              stages = { score("s", function() return 1 end) } }
            """))
        #expect(flow.maxOffers == 2)
        #expect(flow.constraints.map(\.name) == ["offer x", "channel sms", "offers y+x", "all of it"])
        #expect(flow.constraints.map(\.max) == [1000, 0, 5, 9])
        #expect(flow.constraints[3].selector == .total)
        #expect(flow.constraintsNote?.contains("apply only in runs") == true)
    }
}
