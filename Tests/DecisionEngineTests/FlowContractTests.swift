import DecideStore
import LuaRuntime
import Testing

@testable import DecisionEngine

@Suite("The flow contract")
struct FlowContractTests {
    let customer = #"{"id": "c1", "age": 30, "app_user": true}"#

    @Test("filters keep offers whose function returns a truthy value; inactive offers never start")
    func filters() throws {
        let flow = Support.catalogFlow("""
            filter("not b", function(c, o) return o.id ~= "b" end),
            channel("push", function(c, o) return o.channel or "push" end),
            """)
        let result = try Support.decide(flow, customer)
        #expect(result.map(\.offerId) == ["a", "c", "d"])
        #expect(result.map(\.channel) == ["push", "sms", "push"])
        #expect(result.map(\.rank) == [1, 2, 3])
    }

    @Test("rank orders by score, ties in catalogue order, and keeps the top N")
    func rank() throws {
        let flow = Support.catalogFlow("""
            score("value", function(c, o) return o.value end),
            rank { top = 3 },
            channel("email", function() return "email" end),
            """)
        let result = try Support.decide(flow, customer)
        #expect(result.map(\.offerId) == ["b", "d", "c"])
        #expect(result.map(\.score) == [30, 30, 20])
    }

    @Test("a later score stage reads the earlier score through offer.score")
    func scoreAdjustment() throws {
        let flow = Support.catalogFlow("""
            score("value", function(c, o) return o.value end),
            score("boost a", function(c, o) if o.id == "a" then return o.score * 10 end return o.score end),
            rank { top = 1 },
            channel("email", function() return "email" end),
            """)
        #expect(try Support.decide(flow, customer).map(\.offerId) == ["a"])
    }

    @Test("a channel stage returning nil drops the offer; the offer's own channel is the default")
    func channels() throws {
        let flow = Support.catalogFlow("""
            channel("only a", function(c, o) if o.id == "a" then return "email" end end),
            """)
        #expect(try Support.decide(flow, customer).map(\.offerId) == ["a"])
    }

    @Test("limit keeps the first n, and max_offers caps the result")
    func limits() throws {
        let limited = Support.catalogFlow("limit(2), channel('c', function() return 'push' end),")
        #expect(try Support.decide(limited, customer).map(\.offerId) == ["a", "b"])
        let capped = Support.catalogFlow("channel('c', function() return 'push' end),", options: "max_offers = 1,")
        #expect(try Support.decide(capped, customer).map(\.offerId) == ["a"])
    }

    @Test("a general stage can reorder and drop candidates, and set their scores")
    func generalStage() throws {
        let flow = Support.catalogFlow("""
            stage("reverse", function(c, candidates)
              local out = {}
              for i = #candidates, 1, -1 do
                local cand = candidates[i]
                if cand.offer.id ~= "c" then out[#out + 1] = { offer = cand.offer, score = i, channel = "push" } end
              end
              return out
            end),
            """)
        let result = try Support.decide(flow, customer)
        #expect(result.map(\.offerId) == ["d", "b", "a"])
        #expect(result.map(\.score) == [4, 2, 1])
    }

    @Test("a general stage cannot invent offers")
    func inventedOffer() throws {
        let flow = Support.catalogFlow("""
            stage("invent", function(c, candidates) return { { offer = { id = "x" } } } end),
            """)
        let error = try #require(throws: DecisionError.self) { try Support.decide(flow, customer) }
        #expect(error.description.contains("not one of its candidates"))
        #expect(error.stage == "invent")
    }

    @Test("a score that is not a finite number names the flow, stage, offer and customer", arguments: ["nil", "0/0", "math.huge", "'high'"])
    func badScore(value: String) throws {
        let flow = Support.catalogFlow("score(\"bad\", function() return \(value) end),")
        let error = try #require(throws: DecisionError.self) { try Support.decide(flow, customer) }
        #expect(error.customerId == "c1")
        #expect(error.stage == "bad")
        #expect(error.offerId == "a")
        #expect(error.description.contains("must be a finite number"))
        #expect(error.description.contains("test_flow.lua:"))
    }

    @Test("ranking an unscored candidate is an error")
    func rankWithoutScore() throws {
        let flow = Support.catalogFlow("rank { top = 1 },")
        let error = try #require(throws: DecisionError.self) { try Support.decide(flow, customer) }
        #expect(error.description.contains("has no score"))
    }

    @Test("a channel outside the offer's channels is an error")
    func channelOutsideList() throws {
        let flow = Support.catalogFlow("channel('sms', function() return 'sms' end),")
        let error = try #require(throws: DecisionError.self) { try Support.decide(flow, customer) }
        #expect(error.description.contains("'sms' for offer 'a'"))
    }

    @Test("a recommendation without a channel is an error")
    func missingChannel() throws {
        let flow = Support.catalogFlow("filter('all', function() return true end),")
        let error = try #require(throws: DecisionError.self) { try Support.decide(flow, customer) }
        #expect(error.description.contains("without a channel"))
    }

    @Test("the customer and the offers are read-only", arguments: ["c.age = 1", "o.value = 1", "o.score = 1"])
    func readOnly(statement: String) throws {
        let flow = Support.catalogFlow("filter('write', function(c, o) \(statement) return true end),")
        let error = try #require(throws: DecisionError.self) { try Support.decide(flow, customer) }
        #expect(error.description.contains("read-only"))
    }

    @Test("a missing customer value is nil, and the stage's error names the line and the customer")
    func missingValue() throws {
        let flow = Support.catalogFlow("filter('income', function(c, o) return c.income > 1000 end),")
        let error = try #require(throws: DecisionError.self) { try Support.decide(flow, customer) }
        #expect(error.error.line == 5)
        #expect(error.description.contains("attempt to compare"))
        #expect(error.description.contains("customer c1"))
    }

    @Test("math.random is deterministic for a customer and seed")
    func seededRandom() throws {
        let flow = Support.catalogFlow("score('r', function() return math.random() end), rank{}, channel('c', function() return 'push' end),")
        let worker = try FlowWorker()
        let batch = try Support.batch([customer])
        let first = try worker.decide(batch, flow: flow, seed: 7).scores
        #expect(try worker.decide(batch, flow: flow, seed: 7).scores == first)
        #expect(try worker.decide(batch, flow: flow, seed: 8).scores != first)
    }

    @Test("globals set while deciding one customer are gone for the next")
    func globalsDoNotLeak() throws {
        let flow = Support.catalogFlow("""
            filter('leak', function(c, o)
              if o.id ~= "a" then return true end
              local seen = previous
              previous = c.id
              return seen == nil
            end),
            channel('c', function() return 'push' end),
            """)
        let decisions = try FlowWorker().decide(
            try Support.batch([#"{"id": "c1"}"#, #"{"id": "c2"}"#]), flow: flow)
        #expect(decisions.ends == [4, 8])
    }
}
