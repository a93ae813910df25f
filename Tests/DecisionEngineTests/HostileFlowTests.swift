import DecideStore
import Foundation
import LuaRuntime
import Testing

@testable import DecisionEngine

/// Hostile flows against the engine: nothing one customer's decision does reaches another customer, another flow
/// or the host, and every flow decides the same in every worker.
@Suite("Hostile flows")
struct HostileFlowTests {
    static func audience(_ count: Int) throws -> CustomerBatch {
        try Support.batch((0..<count).map { #"{"id": "c\#(String(format: "%04d", $0))", "age": \#(18 + $0 % 50)}"# })
    }

    /// A flow over three offers whose filter runs `hostile` (Lua statements with `c` and `o` in scope) first.
    static func flow(_ hostile: String, load: String = "") -> FlowSource {
        Support.flow("""
            \(load)
            return flow {
              name = "Hostile",
              offers = {
                { id = "a", name = "A", channel = "email", tags = { "x", "y" } },
                { id = "b", name = "B", channel = "sms" },
                { id = "c", name = "C", channel = "email" },
              },
              stages = {
                filter("hostile", function(c, o) \(hostile) return true end),
                score("age", function(c, o) return c.age + #o.id end),
                rank { top = 2 },
              },
            }
            """)
    }

    /// Each customer's recommendations as text, for comparing runs.
    static func results(_ decisions: BatchDecisions, _ flow: FlowDescription) -> [String: String] {
        var results: [String: String] = [:]
        for (index, id) in decisions.customerIds.enumerated() {
            results[id] = decisions.recommendations(at: index, flow: flow).map { "\($0.offerId)/\($0.channel)" }
                .joined(separator: ",")
        }
        return results
    }

    @Test("the customer and the offers hand out no table through pairs, and their nested data is read-only")
    func viewsHandOutNothing() throws {
        let source = Self.flow("""
            local _, data = pairs(c)
            local _, offer = pairs(o)
            assert(data == nil and offer == nil, "a backing table leaked")
            if o.tags then
              assert(not pcall(function() o.tags[1] = "changed" end), "nested offer data is writable")
              assert(o.tags[1] == "x")
            end
            """)
        let worker = try FlowWorker()
        let decisions = try worker.decide(try Self.audience(20), flow: source)
        #expect(decisions.errors.isEmpty, "\(decisions.errors)")
        #expect(decisions.offerIndexes.count == 40)
    }

    @Test("one customer that hits a limit fails alone: every other customer's result equals a run without it",
          arguments: [
              "if c.id == 'c0007' then while true do end end",
              "if c.id == 'c0007' then local t = {} for i = 1, 1e8 do t[i] = { i } end end",
              "if c.id == 'c0007' then for i = 1, 40 do hoard[#hoard + 1] = string.rep('x', 2^20) .. i end end",
              "if c.id == 'c0007' then error(setmetatable({}, { __index = function() while true do end end })) end",
          ])
    func oneHostileCustomer(hostile: String) throws {
        let loadTime = "hoard = {} for i = 1, 40 do hoard[i] = string.rep('y', 2^20) .. i end"
        let source = Self.flow(hostile, load: hostile.contains("hoard") ? loadTime : "")
        let clean = Self.flow("")
        let audience = try Self.audience(2000)
        let worker = try FlowWorker()
        let decisions = try worker.decide(audience, flow: source)
        let expected = try FlowWorker().decide(audience, flow: clean)
        let description = try worker.describe(source)
        #expect(decisions.errors.map(\.customerId) == ["c0007"])
        var got = Self.results(decisions, description)
        var want = Self.results(expected, description)
        got["c0007"] = nil
        want["c0007"] = nil
        #expect(got == want)
    }

    @Test("a catalogue built with pairs has the same offer order in every worker and equals the sorted keys")
    func deterministicCatalogue() throws {
        let source = Support.flow("""
            local defs = {}
            for i = 1, 40 do defs["offer_" .. ((i * 37) % 41)] = i end
            local offers = {}
            for id, n in pairs(defs) do offers[#offers + 1] = { id = id, name = id, channel = "email", n = n } end
            local pick = math.random(1, #offers)
            offers[pick].favourite = true
            return flow { name = "Pairs", offers = offers, stages = { limit(1) } }
            """)
        let first = try FlowWorker().catalogue(of: source)
        let second = try FlowWorker().catalogue(of: source)
        #expect(first == second)
        let ids = first.compactMap { $0["id"].stringValue }
        #expect(ids == ids.sorted())
    }

    @Test("a run whose workers compile another catalogue than the planner fails naming the flow")
    func catalogueCheck() throws {
        let source = Self.flow("")
        #expect(throws: FlowError.self) {
            try FlowWorker().decide(try Self.audience(3), flow: source, offers: ["a", "c", "b"])
        }
    }

    @Test("invalid offer ids fail the flow's check, naming the offer", arguments: [
        "\"bad\\nid\"", "\"\"", "string.rep('x', 129)", "\"caf\\xC3\"", "\"right\\u{202E}left\"", "\"with space\"",
    ])
    func invalidOfferIds(id: String) throws {
        let source = Support.flow("return flow { name = 'X', offers = { { id = \(id), name = 'N', channel = 'email' } }, stages = { limit(1) } }")
        let error = try #require(throws: FlowError.self) { try FlowWorker().describe(source) }
        #expect(error.problems.contains { $0.contains("offer #1 has an invalid `id`") })
    }

    @Test("an invalid channel chosen while deciding is an error for that customer only")
    func invalidChannel() throws {
        let source = Support.flow("""
            return flow { name = 'X', offers = { { id = 'a', name = 'A' } }, stages = {
              channel("route", function(c) if c.id == 'c0001' then return "\\27[2J" end return "email" end) } }
            """)
        let decisions = try FlowWorker().decide(try Self.audience(3), flow: source)
        #expect(decisions.errors.map(\.customerId) == ["c0001"])
        #expect(decisions.errors.first?.description.contains("not a valid channel name") == true)
        #expect(decisions.offerIndexes.count == 2)
    }

    @Test("many distinct channel names are all recorded, each customer with its own")
    func manyChannels() throws {
        let source = Support.flow("""
            return flow { name = 'X', offers = { { id = 'a', name = 'A' } }, stages = {
              channel("route", function(c) return "ch_" .. c.id end) } }
            """)
        let audience = try Self.audience(3000)
        let decisions = try FlowWorker().decide(audience, flow: source)
        #expect(decisions.channelNames.count == 3000)
        for index in [0, 1234, 2999] {
            #expect(decisions.channelNames[Int(decisions.channelIndexes[index])] == "ch_" + audience.customers[index].id)
        }
    }

    @Test("flows compiled by one worker never share a state: one flow's memory cannot starve another's")
    func flowsAreIsolated() throws {
        let worker = try FlowWorker()
        let hoarder = Self.flow("", load: "hoard = {} for i = 1, 50 do hoard[i] = string.rep('y', 2^20) .. i end")
        #expect(try worker.decide(try Self.audience(3), flow: hoarder).errors.isEmpty)
        let second = Support.flow("""
            local held = {} for i = 1, 30 do held[i] = string.rep('z', 2^20) .. i end
            return flow { name = 'Second', offers = { { id = 'a', name = 'A', channel = 'email' } }, stages = {
              filter("upper", function(c) return ("x"):upper() == "X" and #held == 30 end) } }
            """)
        let decisions = try worker.decide(try Self.audience(3), flow: second)
        #expect(decisions.errors.isEmpty)
        #expect(decisions.offerIndexes.count == 3)
    }

    @Test("ordinary Lua keeps working: offers with inherited fields and methods, generators, load, recursion, big catalogues")
    func legitimateFlows() throws {
        let source = Support.flow("""
            local Offer = {}
            Offer.__index = Offer
            Offer.min_age = 18
            function Offer:eligible(c) return c.age >= self.min_age end
            local function make(id, fields)
              fields.id, fields.name, fields.channel = id, "Offer " .. id, "email"
              return setmetatable(fields, Offer)
            end
            local offers = { make("senior", { min_age = 40 }), make("basic", {}) }
            for i = 1, 3000 do offers[#offers + 1] = make("bulk_" .. i, { min_age = 200 }) end
            local function count(n) if n == 0 then return 0 end return 1 + count(n - 1) end
            local double = load("return function(x) return 2 * x end")()
            local function evens(limit)
              return coroutine.wrap(function() for i = 2, limit, 2 do coroutine.yield(i) end end)
            end
            return flow { name = "Ordinary", offers = offers, stages = {
              filter("eligible", function(c, o) return o:eligible(c) and count(300) == 300 end),
              score("generated", function(c, o)
                local total = 0
                for v in evens(6) do total = total + v end
                local keys = {}
                for k in pairs({ b = 1, a = 2 }) do keys[#keys + 1] = k end
                return double(total) + (o.min_age or 0) + #table.concat(keys) + (string.format("%5.1f", 1.5) == "  1.5" and 1 or 0)
              end),
              rank { top = 2 } } }
            """)
        let worker = try FlowWorker()
        let decisions = try worker.decide(try Self.audience(60), flow: source)
        #expect(decisions.errors.isEmpty, "\(decisions.errors.first.map(String.init(describing:)) ?? "")")
        let description = try worker.describe(source)
        let results = Self.results(decisions, description)
        #expect(results["c0030"] == "senior/email,basic/email")
        #expect(results["c0001"] == "basic/email")
    }

    @Test("a flow file over 4 MiB is refused by its size, naming the file")
    func hugeFlowFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("decide-huge-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("huge.lua")
        try Data(repeating: UInt8(ascii: "-"), count: ScriptFile.maximumBytes + 1).write(to: file)
        let error = try #require(throws: FlowError.self) { try FlowLibrary(directory: folder.path).source(of: "huge") }
        #expect(error.description.contains("huge.lua: the file is \(ScriptFile.maximumBytes + 1) bytes"))
    }
}
