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
}
