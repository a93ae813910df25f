import DecideStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RunEngine
import Testing

/// The web page at `/`: served from the module's resources, and, in headless Chromium, creating a run from its form
/// and showing the same numbers as the API.
@Suite("Web page")
struct BrowserTests {
    @Test("/ serves index.html, /assets/ its script and stylesheet, each with its content type; other names 404")
    func assets() async throws {
        let fixture = try await ServerFixture(customers: 5)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            let page = try await client.send(.get, "/")
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.text.contains(#"<script src="/assets/app.js">"#))
            let script = try await client.send(.get, "/assets/app.js")
            #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(script.text.contains("/api/v1"))
            let style = try await client.send(.get, "/assets/app.css")
            #expect(style.headers[.contentType] == "text/css; charset=utf-8")
            try await client.send(.get, "/assets/..%2FPackage.swift").expectProblem(404)
            try await client.send(.get, "/assets/missing.js").expectProblem(404)
        }
    }

    @Test("in Chromium, the form creates a run, whose page shows the API's summary and breakdowns once it completes",
          .enabled(if: Chromium.find() != nil, "no chromium on the PATH (make test installs it)"))
    func createRunInBrowser() async throws {
        let chromium = try #require(Chromium.find())
        let fixture = try await ServerFixture(customers: 200)
        defer { fixture.remove() }
        try await fixture.application().test(.live) { client in
            let port = try #require(client.port)
            let dom = try await chromium.dumpDOM(
                of: "http://127.0.0.1:\(port)/#/new?flow=cross_sell&segment=high_value&name=from-the-page&submit=1")

            let runs = try await client.send(.get, "/api/v1/runs").object()
            let created = try #require((runs["runs"] as? [[String: Any]])?.first, "the page created no run")
            let id = try #require(created["id"] as? String)
            #expect(created["name"] as? String == "from-the-page")
            #expect(created["segment"] as? String == "high_value")
            #expect(Self.text(of: "run-id", in: dom) == id, "the page did not go to the run it created")
            let run = try await client.waitForRun(id)
            #expect(run["status"] as? String == "completed")
            #expect(Self.value(of: "run-status", in: dom) == "completed", "the page never showed the run completed")

            let summary = try #require(run["summary"] as? [String: Any])
            for key in ["totalCustomers", "customersWithRecommendations", "totalRecommendations", "executionTimeMs"] {
                #expect(Self.value(of: "summary-\(key)", in: dom) == "\(try #require(summary[key] as? Int))", "\(key)")
            }
            let average = try #require(summary["averageOffersPerCustomer"] as? Double)
            #expect(Self.value(of: "summary-averageOffersPerCustomer", in: dom).flatMap(Double.init) == average)

            let offers = try #require(run["offerBreakdown"] as? [[String: Any]])
            #expect(!offers.isEmpty)
            #expect(Self.rows("offer", in: dom) == offers.map {
                Row(key: $0["offerId"] as? String ?? "", count: $0["count"] as? Int ?? -1,
                    percent: Self.oneDecimal($0["percent"] as? Double ?? -1))
            })
            let channels = try #require(run["channelBreakdown"] as? [[String: Any]])
            #expect(Self.rows("channel", in: dom) == channels.map {
                Row(key: $0["channel"] as? String ?? "", count: $0["count"] as? Int ?? -1,
                    percent: Self.oneDecimal($0["percent"] as? Double ?? -1))
            })
            let results = try await client.send(.get, "/api/v1/runs/\(id)/results?limit=1").object()
            let total = try #require(results["total"] as? Int)
            #expect(Self.text(of: "results-range", in: dom) == "1–\(min(20, total)) of \(total)")
            // Bars are scaled to the largest row: the top offer's bar is full, whatever its share.
            let top = try #require(offers.first?["offerId"] as? String)
            #expect(dom.contains("aria-valuenow=\"100.0\" aria-label=\"\(top) share (bar relative to the largest)\""))
            #expect(dom.contains("score "), "the results show no scores")
            #expect(dom.contains("data-testid=\"delete-button\""))
        }
    }

    @Test("in Chromium, an interrupted run's page offers Resume, and the runs list pages through every run",
          .enabled(if: Chromium.find() != nil, "no chromium on the PATH (make test installs it)"))
    func resumeAndPagingInBrowser() async throws {
        let chromium = try #require(Chromium.find())
        let fixture = try await ServerFixture(customers: 20)
        defer { fixture.remove() }
        let planner = RunPlanner(library: fixture.library, store: fixture.store)
        var ids: [String] = []
        for _ in 0..<52 {
            let id = try await planner.create(RunRequest(flow: "cross_sell", segment: "all")).id
            try await fixture.store.transition(runId: id, to: .cancelled, message: nil, error: nil)
            ids.append(id)
        }
        let interrupted = try await planner.create(RunRequest(flow: "cross_sell", segment: "all")).id
        try await fixture.store.transition(runId: interrupted, to: .running, message: nil, error: nil)
        try await fixture.store.interrupt(runId: interrupted)
        let oldest = ids[0]
        try await fixture.application().test(.live) { client in
            let port = try #require(client.port)
            let page = try await chromium.dumpDOM(of: "http://127.0.0.1:\(port)/#/runs/\(interrupted)", budgetMilliseconds: 3000)
            #expect(page.contains("data-testid=\"resume-button\""))
            let first = try await chromium.dumpDOM(of: "http://127.0.0.1:\(port)/#/", budgetMilliseconds: 3000)
            #expect(Self.text(of: "runs-range", in: first) == "1–50 of 53")
            #expect(first.contains("data-testid=\"runs-older\""))
            let second = try await chromium.dumpDOM(of: "http://127.0.0.1:\(port)/#/?offset=50", budgetMilliseconds: 3000)
            #expect(Self.text(of: "runs-range", in: second) == "51–53 of 53")
            #expect(second.contains(oldest))
        }
    }

    @Test("in Chromium, a running run's page shows its progress, rate, time left and a cancel button",
          .enabled(if: Chromium.find() != nil, "no chromium on the PATH (make test installs it)"))
    func runningRunInBrowser() async throws {
        let chromium = try #require(Chromium.find())
        let fixture = try await ServerFixture(customers: 20000, flows: ["slow": ServerFixture.slowFlow])
        defer { fixture.remove() }
        try await fixture.application().test(.live) { client in
            let port = try #require(client.port)
            let body = #"{"flow": "slow", "segment": "all", "batchSize": 100, "workers": 1}"#
            let id = try #require(try await client.send(.post, "/api/v1/runs", json: body).object()["id"] as? String)
            _ = try await client.waitForRun(id, until: ["running"])
            let dom = try await chromium.dumpDOM(of: "http://127.0.0.1:\(port)/#/runs/\(id)", budgetMilliseconds: 3000)
            _ = try await client.send(.post, "/api/v1/runs/\(id)/cancel")
            #expect(Self.value(of: "run-status", in: dom) == "running", "the page did not show the run running")
            let percent = try #require(Self.text(of: "progress-percent", in: dom), "no progress on the page")
            #expect(percent.hasSuffix("%"))
            #expect(dom.contains("customers/s"))
            #expect(dom.contains(" left"))
            #expect(dom.contains(">Cancel run</button>"))
        }
    }

    @Test("in Chromium, a failed run's page shows its error with the flow file and line",
          .enabled(if: Chromium.find() != nil, "no chromium on the PATH (make test installs it)"))
    func failedRunInBrowser() async throws {
        let chromium = try #require(Chromium.find())
        let broken = """
            return flow {
              name = "Broken",
              offers = { { id = "a", name = "A", value = 1 } },
              stages = {
                score("value", function(c, o)
                  error("no score for " .. c.id)
                end),
                rank {},
                channel("reach", function(c, o) return "email" end),
              },
            }
            """
        let fixture = try await ServerFixture(customers: 20, flows: ["broken": broken])
        defer { fixture.remove() }
        try await fixture.application().test(.live) { client in
            let port = try #require(client.port)
            let body = #"{"flow": "broken", "segment": "all", "maxErrors": 0}"#
            let id = try #require(try await client.send(.post, "/api/v1/runs", json: body).object()["id"] as? String)
            let run = try await client.waitForRun(id)
            #expect(run["status"] as? String == "failed")
            let dom = try await chromium.dumpDOM(of: "http://127.0.0.1:\(port)/#/runs/\(id)", budgetMilliseconds: 3000)
            #expect(Self.value(of: "run-status", in: dom) == "failed")
            let message = try #require(Self.text(of: "run-error", in: dom), "no error on the page")
            #expect(message.contains("no score for C0000000"))
            let location = try #require(Self.text(of: "run-error-location", in: dom), "no file and line on the page")
            #expect(location.hasSuffix("broken.lua:6"), "\(location)")
        }
    }

    @Test("in Chromium, a completed run with failing customers says so with their count, lists them, and can be deleted",
          .enabled(if: Chromium.find() != nil, "no chromium on the PATH (make test installs it)"))
    func failingCustomersInBrowser() async throws {
        let chromium = try #require(Chromium.find())
        let flaky = """
            return flow {
              name = "Flaky",
              offers = { { id = "a", name = "A", channel = "email" } },
              stages = {
                filter("odd", function(c, o)
                  if c.id:sub(-1) == "3" then error("no data for " .. c.id) end
                  return true
                end),
              },
            }
            """
        let fixture = try await ServerFixture(customers: 20, flows: ["flaky": flaky])
        defer { fixture.remove() }
        try await fixture.application().test(.live) { client in
            let port = try #require(client.port)
            let body = #"{"flow": "flaky", "segment": "all", "maxErrors": 10}"#
            let id = try #require(try await client.send(.post, "/api/v1/runs", json: body).object()["id"] as? String)
            let run = try await client.waitForRun(id)
            #expect(run["status"] as? String == "completed")
            let dom = try await chromium.dumpDOM(of: "http://127.0.0.1:\(port)/#/runs/\(id)", budgetMilliseconds: 3000)
            #expect(dom.contains("data-testid=\"failing-customers\""), "no failing-customers notice")
            #expect(dom.contains(">2 customers failed<"))
            #expect(dom.contains("data-testid=\"delete-button\""))
            let failing = try await chromium.dumpDOM(
                of: "http://127.0.0.1:\(port)/#/runs/\(id)?failed=1", budgetMilliseconds: 3000)
            #expect(failing.contains("Failing customers"))
            #expect(failing.contains("C000000003") && failing.contains("C000000013"))
            #expect(!failing.contains(">C000000001<"))
        }
    }

    /// A breakdown row as the page shows it.
    struct Row: Equatable {
        var key: String
        var count: Int
        var percent: String
    }

    /// A percentage as the page rounds it: one decimal, halves away from zero.
    static func oneDecimal(_ percent: Double) -> String {
        String(format: "%.1f%%", (percent * 10).rounded() / 10)
    }

    /// The `data-value` of the element with `data-testid`.
    static func value(of testid: String, in dom: String) -> String? {
        first(#"data-testid="\#(testid)" data-value="([^"]*)""#, in: dom)
    }

    @Test("in Chromium, the runs list shows the live worker processes and the chunk each works on; a run's page lists the processes that took part",
          .enabled(if: Chromium.find() != nil, "no chromium on the PATH (make test installs it)"))
    func workersInBrowser() async throws {
        let chromium = try #require(Chromium.find())
        let fixture = try await ServerFixture(customers: 40)
        defer { fixture.remove() }
        try await fixture.application().test(.live) { client in
            let port = try #require(client.port)
            let done = try #require(try await client.send(.post, "/api/v1/runs", json: #"{"flow": "cross_sell", "segment": "all"}"#)
                .object()["id"] as? String)
            _ = try await client.waitForRun(done)
            let page = try await chromium.dumpDOM(of: "http://127.0.0.1:\(port)/#/runs/\(done)", budgetMilliseconds: 3000)
            #expect(page.contains("data-testid=\"participants\""), "no processes table")
            #expect(Self.text(of: "participant-customers", in: page) == "40")

            let empty = try await chromium.dumpDOM(of: "http://127.0.0.1:\(port)/#/", budgetMilliseconds: 3000)
            #expect(!empty.contains("data-testid=\"workers\""), "a workers table without workers")
            let record = try await RunPlanner(library: fixture.library, store: fixture.store)
                .create(RunRequest(flow: "cross_sell", segment: "all", chunkSize: 10))
            _ = try await fixture.store.startRun(id: record.id)
            let busy = WorkerRegistration(name: "batch-1", host: "m1", pid: 11, threads: 2, runId: nil)
            try await fixture.store.registerWorker(busy)
            try await fixture.store.registerWorker(WorkerRegistration(name: "batch-2", host: "m2", pid: 12, threads: 1, runId: nil))
            let claim = try #require(try await fixture.store.claimChunk(workerId: busy.id, runId: record.id, lease: LeasePolicy(seconds: 60)))
            let listed = try await chromium.dumpDOM(of: "http://127.0.0.1:\(port)/#/", budgetMilliseconds: 3000)
            #expect(listed.contains("2 worker processes"))
            #expect(listed.contains("data-testid=\"worker-row\" data-key=\"batch-1\""))
            #expect(listed.contains("href=\"#/runs/\(record.id)\">\(record.id)</a> chunk \(claim.chunk)"), "the busy worker's chunk is not shown")
            #expect(listed.contains("data-testid=\"worker-row\" data-key=\"batch-2\""))
            #expect(listed.contains(">idle<"))
        }
    }

    @Test("in Chromium, the form's volume constraints reach the run, whose page lists them, and a customer's page says what the allocation dropped",
          .enabled(if: Chromium.find() != nil, "no chromium on the PATH (make test installs it)"))
    func constraintsInBrowser() async throws {
        let chromium = try #require(Chromium.find())
        let fixture = try await ServerFixture(customers: 200)
        defer { fixture.remove() }
        try await fixture.application().test(.live) { client in
            let port = try #require(client.port)
            let constraints = "total=7\noffer:card_premium=1".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            _ = try await chromium.dumpDOM(
                of: "http://127.0.0.1:\(port)/#/new?flow=cross_sell&segment=all&constraints=\(constraints)&submit=1")
            let runs = try await client.send(.get, "/api/v1/runs").object()
            let id = try #require((runs["runs"] as? [[String: Any]])?.first?["id"] as? String, "the page created no run")
            let run = try await client.waitForRun(id)
            let listed = try #require(run["constraints"] as? [[String: Any]])
            #expect(listed.map { $0["name"] as? String } == ["total", "offer card_premium"])
            let dom = try await chromium.dumpDOM(of: "http://127.0.0.1:\(port)/#/runs/\(id)", budgetMilliseconds: 3000)
            #expect(dom.contains("data-testid=\"constraints\""), "no constraints table")
            #expect(dom.contains("data-key=\"total\"") && dom.contains("data-key=\"offer card_premium\""))
            var turnedAway: String?
            try await fixture.store.exportResults(runId: id, withDropped: true) { result in
                if turnedAway == nil, result.dropped?.contains(where: { $0.reason == "volume 'total' full (7)" }) == true {
                    turnedAway = result.customerId
                }
            }
            let customer = try #require(turnedAway)
            let decision = try await chromium.dumpDOM(
                of: "http://127.0.0.1:\(port)/#/runs/\(id)/customers/\(customer)", budgetMilliseconds: 3000)
            #expect(decision.contains("data-testid=\"allocation-dropped\""), "no dropped candidates on the customer's page")
            #expect(decision.contains("volume 'total' full (7)"))
        }
    }

    /// The text of the element with `data-testid` (which has no child elements).
    static func text(of testid: String, in dom: String) -> String? {
        first(#"data-testid="\#(testid)"[^>]*>([^<]*)<"#, in: dom)
    }

    /// The rows of the `kind` breakdown table: key, count (thousands separators dropped) and percent text.
    static func rows(_ kind: String, in dom: String) -> [Row] {
        let pattern = #"data-testid="\#(kind)-row" data-key="([^"]*)">.*?data-testid="\#(kind)-count">([^<]*)<.*?data-testid="\#(kind)-percent">([^<]*)<"#
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: dom, range: NSRange(dom.startIndex..., in: dom)).map { match in
            let group = { (i: Int) in String(dom[Range(match.range(at: i), in: dom)!]) }
            return Row(key: group(1), count: Int(group(2).replacingOccurrences(of: ",", with: "")) ?? -1, percent: group(3))
        }
    }

    static func first(_ pattern: String, in dom: String) -> String? {
        let regex = try! NSRegularExpression(pattern: pattern)
        guard let match = regex.firstMatch(in: dom, range: NSRange(dom.startIndex..., in: dom)),
            let range = Range(match.range(at: 1), in: dom)
        else { return nil }
        return String(dom[range])
    }
}
