import DecideStore
import DecisionEngine
import Foundation
import Hummingbird
import HummingbirdTesting
import RunEngine
import Testing
import TestSupport

/// The runs API against the real router and a real SQLite file.
@Suite("Runs API")
struct RunsAPITests {
    @Test("POST /runs answers 202, a Location and the pending run, which then completes in the background", arguments: StoreKind.available)
    func createAndComplete(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            let response = try await client.send(.post, "/api/v1/runs", json: #"{"flow": "cross_sell", "segment": "high_value", "seed": 3}"#)
            #expect(response.status == .accepted)
            let document = try response.object()
            let id = try #require(document["id"] as? String)
            #expect(response.headers[.location] == "/api/v1/runs/\(id)")
            #expect(document["status"] as? String == "pending")
            #expect(document["flow"] as? String == "cross_sell")
            let ended = try await client.waitForRun(id)
            #expect(ended["status"] as? String == "completed")
            let count = try await fixture.store.count(.named("high_value"))
            #expect((ended["progress"] as? [String: Any])?["processed"] as? Int == count)
        }
    }

    @Test("a run takes a text filter or the structured filter, stored as text", arguments: StoreKind.available)
    func filters(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            let text = try await client.send(.post, "/api/v1/runs", json: #"{"flow": "cross_sell", "filter": "age >= 30 and app_user"}"#)
            #expect(text.status == .accepted)
            #expect(try text.object()["filter"] as? String == "age >= 30 and app_user")
            let structured = try await client.send(.post, "/api/v1/runs", json: """
                {"flow": "cross_sell", "filter": {"all": [{"field": "age", "op": "gte", "value": 30}, {"field": "app_user", "op": "eq", "value": true}]}}
                """)
            #expect(structured.status == .accepted, "\(structured.text)")
            let id = try #require(try structured.object()["id"] as? String)
            let ended = try await client.waitForRun(id)
            #expect(ended["status"] as? String == "completed")
            let expected = try await fixture.store.count(.expression("age >= 30 and app_user"))
            #expect((ended["summary"] as? [String: Any])?["totalCustomers"] as? Int == expected)
        }
    }

    @Test("dryRun answers 200 with the simulated document and stores no run", arguments: StoreKind.available)
    func dryRun(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            let response = try await client.send(.post, "/api/v1/runs", json: #"{"flow": "cross_sell", "segment": "all", "dryRun": true, "sample": 20}"#)
            #expect(response.status == .ok, "\(response.text)")
            let document = try response.object()
            #expect(document["id"] as? String == "dry-run")
            #expect((document["progress"] as? [String: Any])?["processed"] as? Int == 20)
            #expect(try await fixture.store.runs(status: nil, limit: 10, offset: 0).total == 0)
        }
    }

    @Test("a run's own sandbox limits are accepted within the server's maxima and shown in its document", arguments: StoreKind.available)
    func runLimits(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            let accepted = try await client.send(
                .post, "/api/v1/runs", json: #"{"flow": "cross_sell", "segment": "all", "instructionBudget": 5000000}"#)
            #expect(accepted.status == .accepted)
            let limits = try accepted.object()["limits"] as? [String: Any]
            #expect(limits?["instructionBudget"] as? Int == 5_000_000)
            #expect(limits?["memoryLimitMiB"] as? Int == 64)
        }
    }

    @Test("DELETE removes a finished run (204), refuses an active one (409) and an unknown one (404)", arguments: StoreKind.available)
    func deleteRuns(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            let created = try await client.send(.post, "/api/v1/runs", json: #"{"flow": "cross_sell", "segment": "all"}"#)
            let id = try #require(try created.object()["id"] as? String)
            try await client.send(.delete, "/api/v1/runs/\(id)").expectProblem(409, field: nil)
            // Ended through the API and waited for, not moved behind the back of the queue that may be executing it.
            _ = try await client.send(.post, "/api/v1/runs/\(id)/cancel")
            _ = try await client.waitForRun(id)
            #expect(try await client.send(.delete, "/api/v1/runs/\(id)").status == .noContent)
            try await client.send(.get, "/api/v1/runs/\(id)").expectProblem(404, field: "id")
            try await client.send(.delete, "/api/v1/runs/r-nope").expectProblem(404, field: "id")
        }
    }

    @Test("a known path asked with another method answers 405 with Allow", arguments: StoreKind.available)
    func methodNotAllowed(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            let put = try await client.send(.put, "/api/v1/runs", json: "{}")
            #expect(put.status == .methodNotAllowed)
            #expect(put.headers[.allow] == "GET, POST")
            let delete = try await client.send(.delete, "/api/v1/flows")
            #expect(delete.status == .methodNotAllowed)
            #expect(delete.headers[.allow] == "GET")
            #expect(try await client.send(.get, "/api/v1/nothing-here").status == .notFound)
        }
    }

    @Test("every input is bounded, duplicate members are refused and type errors name the field", arguments: StoreKind.available)
    func boundedInputs(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            let longName = String(repeating: "x", count: 201)
            try await client.send(.post, "/api/v1/runs", json: #"{"flow": "cross_sell", "segment": "all", "name": "\#(longName)"}"#)
                .expectProblem(422, field: "name")
            try await client.send(.post, "/api/v1/runs", json: #"{"flow": "cross_sell", "segment": "all", "seed": 1, "seed": 2}"#)
                .expectProblem(400, field: "seed")
            try await client.send(.post, "/api/v1/runs", json: #"{"flow": "cross_sell", "filter": {"all": [{"field": "age", "op": "gte", "value": 1, "value": 2}]}}"#)
                .expectProblem(400, field: "filter.all[0].value")
            let seed = try await client.send(.post, "/api/v1/runs", json: #"{"flow": "cross_sell", "segment": "all", "seed": 1.5}"#)
            try seed.expectProblem(400, field: "seed")
            let longFilter = "age > 1" + String(repeating: " and age > 1", count: 1000)
            try await client.send(.post, "/api/v1/runs", json: #"{"flow": "cross_sell", "filter": "\#(longFilter)"}"#)
                .expectProblem(422, field: "filter")
            try await client.send(.post, "/api/v1/segments", json: #"{"name": "s", "filter": "age > 1", "description": "\#(String(repeating: "d", count: 2001))"}"#)
                .expectProblem(422, field: "description")
            #expect(try await fixture.store.runs(status: nil, limit: 10, offset: 0).total == 0)
        }
    }

    @Test("the API takes flow keys, never paths, and its messages show no server path", arguments: StoreKind.available)
    func flowKeysOnly(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(flows: ["needs": #"local m = require("missing") return m"#], kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            for flow in ["../outside/evil", "/etc/passwd", "cross_sell.lua", "", "a/b"] {
                let body = #"{"flow": "\#(flow)", "segment": "all"}"#
                try await client.send(.post, "/api/v1/runs", json: body).expectProblem(422, field: "flow")
            }
            let unknown = try await client.send(.post, "/api/v1/runs", json: #"{"flow": "nope", "segment": "all"}"#)
            let detail = try unknown.object()["detail"] as? String ?? ""
            #expect(detail.contains("no file nope.lua"))
            #expect(!detail.contains("/"))
            let module = try await client.send(.post, "/api/v1/runs", json: #"{"flow": "needs", "segment": "all"}"#)
            let moduleDetail = try module.object()["detail"] as? String ?? ""
            #expect(moduleDetail.contains("no file missing.lua"), "\(moduleDetail)")
            #expect(!moduleDetail.contains(fixture.library.directory))
            try await client.send(.get, "/api/v1/customers/C000000001/decision?flow=../x").expectProblem(422, field: "flow")
        }
    }

    @Test("a JSON filter's problem names its JSON path; any of nothing selects nobody", arguments: StoreKind.available)
    func jsonFilterPaths(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            let unknown = #"{"flow": "cross_sell", "filter": {"any": [{"field": "age", "op": "gte", "value": 30}, {"field": "agee", "op": "eq", "value": 1}]}}"#
            try await client.send(.post, "/api/v1/runs", json: unknown).expectProblem(422, field: "filter.any[1].field")
            let badOp = #"{"flow": "cross_sell", "filter": {"all": [{"not": {"field": "age", "op": "gtx", "value": 30}}]}}"#
            try await client.send(.post, "/api/v1/runs", json: badOp).expectProblem(400, field: "filter.all[0].not.op")
            let nobody = try await client.send(
                .post, "/api/v1/runs", json: #"{"flow": "cross_sell", "filter": {"any": []}, "dryRun": true}"#)
            #expect(nobody.status == .ok)
            #expect((try nobody.object()["summary"] as? [String: Any])?["totalCustomers"] as? Int == 0)
        }
    }

    @Test("invalid content answers 422 naming the field; a filter's problem gives its column", arguments: StoreKind.available)
    func invalidContent(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            try await client.send(.post, "/api/v1/runs", json: #"{"flow": "nope", "segment": "all"}"#).expectProblem(422, field: "flow")
            try await client.send(.post, "/api/v1/runs", json: #"{"flow": "cross_sell", "segment": "nope"}"#).expectProblem(422, field: "segment")
            try await client.send(.post, "/api/v1/runs", json: #"{"flow": "cross_sell", "segment": "all", "filter": "age > 1"}"#)
                .expectProblem(422, field: "segment")
            try await client.send(.post, "/api/v1/runs", json: #"{"flow": "cross_sell", "segment": "all", "workers": 0}"#)
                .expectProblem(422, field: "workers")
            try await client.send(.post, "/api/v1/runs", json: #"{"flow": "cross_sell", "segment": "all", "sample": 5}"#)
                .expectProblem(422, field: "sample")
            try await client.send(.post, "/api/v1/runs", json: #"{"flow": "cross_sell", "segment": "all", "memoryLimitMiB": 4096}"#)
                .expectProblem(422, field: "memoryLimitMiB")
            try await client.send(.post, "/api/v1/runs", json: #"{"flow": "cross_sell", "segment": "all", "deadlineSeconds": 11}"#)
                .expectProblem(422, field: "deadlineSeconds")
            let filter = try await client.send(.post, "/api/v1/runs", json: #"{"flow": "cross_sell", "filter": "age >= 30 and agee < 3"}"#)
            try filter.expectProblem(422, field: "filter")
            let problem = try filter.object()
            #expect(problem["column"] as? Int == 15)
            #expect((problem["detail"] as? String)?.contains("column 15") == true)
            #expect(try await fixture.store.runs(status: nil, limit: 10, offset: 0).total == 0)
        }
    }

    @Test("a flow that fails its check answers 422", arguments: StoreKind.available)
    func failingFlow(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(flows: ["broken": "return flow { name = 'Broken', offers = {}, stages = { rank { top = -1 } } }"], kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            try await client.send(.post, "/api/v1/runs", json: #"{"flow": "broken", "segment": "all"}"#).expectProblem(422, field: "flow")
        }
    }

    @Test("malformed JSON, a wrong type, a missing or unknown field answer 400 naming the field; over 4 MiB, 413", arguments: StoreKind.available)
    func unreadable(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            try await client.send(.post, "/api/v1/runs", json: #"{"flow": "#).expectProblem(400)
            try await client.send(.post, "/api/v1/runs", json: #"{"flow": 3, "segment": "all"}"#).expectProblem(400, field: "flow")
            try await client.send(.post, "/api/v1/runs", json: #"{"segment": "all"}"#).expectProblem(400, field: "flow")
            try await client.send(.post, "/api/v1/runs", json: #"{"flow": "cross_sell", "segmnt": "all"}"#).expectProblem(400, field: "segmnt")
            try await client.send(.post, "/api/v1/runs", json: #"{"flow": "cross_sell", "segment": "all", "workers": 99999999999999999999}"#)
                .expectProblem(400)
            let huge = #"{"flow": "cross_sell", "segment": "all", "name": ""# + String(repeating: "x", count: 4 << 20) + #""}"#
            try await client.send(.post, "/api/v1/runs", json: huge).expectProblem(413)
        }
    }

    @Test("GET /runs pages newest first, filters by status, and refuses a limit over 200", arguments: StoreKind.available)
    func list(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(customers: 20, kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            var ids: [String] = []
            for _ in 0..<3 {
                let response = try await client.send(.post, "/api/v1/runs", json: #"{"flow": "cross_sell", "segment": "all"}"#)
                ids.append(try #require(try response.object()["id"] as? String))
            }
            for id in ids { _ = try await client.waitForRun(id) }
            let page = try await client.send(.get, "/api/v1/runs?limit=2&offset=0").object()
            #expect(page["total"] as? Int == 3)
            #expect((page["runs"] as? [[String: Any]])?.map { $0["id"] as? String } == [ids[2], ids[1]])
            let completed = try await client.send(.get, "/api/v1/runs?status=completed").object()
            #expect(completed["total"] as? Int == 3)
            let running = try await client.send(.get, "/api/v1/runs?status=running").object()
            #expect(running["total"] as? Int == 0)
            try await client.send(.get, "/api/v1/runs?limit=201").expectProblem(400, field: "limit")
            try await client.send(.get, "/api/v1/runs?limit=ten").expectProblem(400, field: "limit")
            try await client.send(.get, "/api/v1/runs?offset=-1").expectProblem(400, field: "offset")
            try await client.send(.get, "/api/v1/runs?status=done").expectProblem(400, field: "status")
        }
    }

    @Test("GET /runs/{id} is byte for byte the CLI's document; an unknown id is a 404 problem", arguments: StoreKind.available)
    func show(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(customers: 50, kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            let created = try await client.send(.post, "/api/v1/runs", json: #"{"flow": "cross_sell", "segment": "all"}"#)
            let id = try #require(try created.object()["id"] as? String)
            _ = try await client.waitForRun(id)
            let response = try await client.send(.get, "/api/v1/runs/\(id)")
            let cli = try JSONEncoder.documents(pretty: false).encode(try await RunDocument(try await fixture.store.run(id: id), store: fixture.store))
            #expect(response.text == String(decoding: cli, as: UTF8.self))
            #expect(response.headers[.contentType] == "application/json")
            try await client.send(.get, "/api/v1/runs/r-nope").expectProblem(404)
            try await client.send(.get, "/api/v1/runs/r-nope/results").expectProblem(404)
        }
    }

    @Test("GET /workers lists the live worker processes and the chunk each holds, as the CLI's JSON does", arguments: StoreKind.available)
    func workers(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(customers: 50, kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            #expect((try await client.send(.get, "/api/v1/workers").object()["workers"] as? [Any])?.isEmpty == true)
            let record = try await RunPlanner(library: fixture.library, store: fixture.store)
                .create(RunRequest(flow: "cross_sell", segment: "all", chunkSize: 20))
            _ = try await fixture.store.startRun(id: record.id)
            let holder = WorkerRegistration(name: "m1:7", host: "m1", pid: 7, threads: 2, runId: nil)
            let idle = WorkerRegistration(name: "m2:8", host: "m2", pid: 8, threads: 1, runId: nil)
            try await fixture.store.registerWorker(holder)
            try await fixture.store.registerWorker(idle)
            let claim = try #require(try await fixture.store.claimChunk(workerId: holder.id, runId: record.id, lease: LeasePolicy(seconds: 60)))
            let response = try await client.send(.get, "/api/v1/workers")
            let listed = try #require(try response.object()["workers"] as? [[String: Any]])
            #expect(listed.map { $0["name"] as? String } == ["m1:7", "m2:8"])
            #expect(listed[0]["chunk"] as? String == "\(record.id)#\(claim.chunk)")
            #expect(listed[0]["threads"] as? Int == 2 && listed[0]["pid"] as? Int == 7 && listed[0]["host"] as? String == "m1")
            #expect(listed[1]["chunk"] == nil)
            let cli = try JSONEncoder.documents(pretty: false)
                .encode(["workers": try await fixture.store.workers(lease: LeasePolicy(seconds: 60))])
            #expect(response.text == String(decoding: cli, as: UTF8.self))
        }
    }

    @Test("results page, filter by customer, offer and channel; a result's decision uses the run's snapshot", arguments: StoreKind.available)
    func results(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(customers: 60, kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            let created = try await client.send(.post, "/api/v1/runs", json: #"{"flow": "cross_sell", "segment": "all"}"#)
            let id = try #require(try created.object()["id"] as? String)
            _ = try await client.waitForRun(id)
            let page = try await client.send(.get, "/api/v1/runs/\(id)/results?limit=5").object()
            #expect(page["total"] as? Int == 60)
            let results = try #require(page["results"] as? [[String: Any]])
            #expect(results.count == 5)
            let withOffer = try #require(results.first { !(($0["recommendations"] as? [Any]) ?? []).isEmpty })
            let customerId = try #require(withOffer["customerId"] as? String)
            let first = try #require((withOffer["recommendations"] as? [[String: Any]])?.first)
            #expect(first["rank"] as? Int == 1)
            let offerId = try #require(first["offerId"] as? String)
            let channel = try #require(first["channel"] as? String)
            let one = try await client.send(.get, "/api/v1/runs/\(id)/results?customerId=\(customerId)").object()
            #expect(one["total"] as? Int == 1)
            let byOffer = try await client.send(.get, "/api/v1/runs/\(id)/results?offerId=\(offerId)&limit=200").object()
            #expect(((byOffer["results"] as? [[String: Any]]) ?? []).allSatisfy { result in
                ((result["recommendations"] as? [[String: Any]]) ?? []).contains { $0["offerId"] as? String == offerId }
            })
            let byChannel = try await client.send(.get, "/api/v1/runs/\(id)/results?channel=\(channel)").object()
            #expect((byChannel["total"] as? Int ?? 0) > 0)

            let decision = try await client.send(.get, "/api/v1/runs/\(id)/results/\(customerId)/decision")
            #expect(decision.status == .ok, "\(decision.text)")
            let trace = try decision.object()
            #expect(trace["customerId"] as? String == customerId)
            let recommended = (trace["recommendations"] as? [[String: Any]])?.map { $0["offerId"] as? String }
            let stored = (withOffer["recommendations"] as? [[String: Any]])?.map { $0["offerId"] as? String }
            #expect(recommended == stored)
            try await client.send(.get, "/api/v1/runs/\(id)/results/NOPE/decision").expectProblem(404, field: "customerId")
        }
    }

    @Test("cancel: a pending run is cancelled (202), a finished one answers 409", arguments: StoreKind.available)
    func cancel(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(customers: 3000, flows: ["slow": ServerFixture.slowFlow], kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            let first = try #require(try await client.send(.post, "/api/v1/runs", json: #"{"flow": "slow", "segment": "all", "batchSize": 50}"#).object()["id"] as? String)
            let second = try #require(try await client.send(.post, "/api/v1/runs", json: #"{"flow": "slow", "segment": "all"}"#).object()["id"] as? String)
            let cancelled = try await client.send(.post, "/api/v1/runs/\(second)/cancel")
            #expect(cancelled.status == .accepted)
            #expect(try cancelled.object()["status"] as? String == "cancelled")
            _ = try await client.waitForRun(first, until: ["running"])
            #expect(try await client.send(.post, "/api/v1/runs/\(first)/cancel").status == .accepted)
            let ended = try await client.waitForRun(first)
            #expect(ended["status"] as? String == "cancelled")
            #expect(ended["partial"] as? Bool == true)
            try await client.send(.post, "/api/v1/runs/\(first)/cancel").expectProblem(409)
            try await client.send(.post, "/api/v1/runs/\(first)/resume").expectProblem(409)
            try await client.send(.post, "/api/v1/runs/r-nope/cancel").expectProblem(404)
        }
    }
}

/// Volume constraints through the API: given with a run, refused when bad, shown with what they did, and a
/// customer's dropped candidates with their reasons.
@Suite("Runs API: volume constraints")
struct RunsAPIConstraintTests {
    @Test("constraints in POST /runs are stored with the run, allocated, and a customer's dropped candidates are shown", arguments: StoreKind.available)
    func constrainedRun(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            let response = try await client.send(.post, "/api/v1/runs", json: """
                {"flow": "cross_sell", "segment": "all", "constraints": [{"offer": "card_premium", "max": 2},
                 {"channel": "email", "max": 5, "name": "emails"}, {"offers": ["loan_auto", "loan_personal"], "max": 3}, {"max": 12}]}
                """)
            #expect(response.status == .accepted, "\(response.text)")
            let id = try #require(try response.object()["id"] as? String)
            let ended = try await client.waitForRun(id)
            #expect(ended["status"] as? String == "completed")
            let constraints = try #require(ended["constraints"] as? [[String: Any]])
            #expect(constraints.map { $0["name"] as? String } == ["offer card_premium", "emails", "offers loan_auto+loan_personal", "total"])
            #expect(constraints.last?["used"] as? Int == (ended["summary"] as? [String: Any])?["totalRecommendations"] as? Int)
            #expect((constraints.last?["used"] as? Int ?? 99) <= 12)
            #expect((constraints[1]["used"] as? Int ?? 99) <= 5)
            #expect(constraints[0]["offer"] as? String == "card_premium")
            #expect((ended["stageFunnel"] as? [[String: Any]])?.last?["kind"] as? String == "volume")
            // Someone was turned away by the total of 12; their result names why.
            var dropped: [[String: Any]] = []
            try await fixture.store.exportResults(runId: id, withDropped: true) { result in
                if dropped.isEmpty, let first = result.dropped?.first, first.reason.contains("total") {
                    dropped = [["customerId": result.customerId, "offerId": first.offerId]]
                }
            }
            let customer = try #require(dropped.first?["customerId"] as? String)
            let page = try await client.send(.get, "/api/v1/runs/\(id)/results?customerId=\(customer)")
            let result = try #require((try page.object()["results"] as? [[String: Any]])?.first)
            let reasons = (result["dropped"] as? [[String: Any]])?.compactMap { $0["reason"] as? String } ?? []
            #expect(reasons.contains("volume 'total' full (12)"), "\(reasons)")
        }
    }

    @Test("bad constraints are 422 naming the constraint; the flow's declared constraints are listed", arguments: StoreKind.available)
    func badConstraints(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            for (body, named) in [
                (#"[{"offer": "nope", "max": 1}]"#, "nope"),
                (#"[{"max": -1}]"#, "constraints[0].max"),
                (#"[{"offer": "card_premium", "channel": "email", "max": 1}]"#, "constraints[0]"),
                (#"[{"channel": "email", "max": 1}, {"channel": "email", "max": 2}]"#, "channel:email"),
            ] {
                let response = try await client.send(
                    .post, "/api/v1/runs", json: #"{"flow": "cross_sell", "segment": "all", "constraints": \#(body)}"#)
                #expect(response.status.code == 422, "\(body): \(response.text)")
                #expect(response.text.contains(named), "\(body): \(response.text)")
            }
            #expect(try await fixture.store.runs(status: nil, limit: 10, offset: 0).total == 0)
            let flows = try await client.send(.get, "/api/v1/flows")
            let listed = try #require(try flows.object()["flows"] as? [[String: Any]])
            #expect(listed.allSatisfy { ($0["constraints"] as? [Any]) != nil })
        }
    }
}

/// Interaction history through the API.
@Suite("Interactions API")
struct InteractionsAPITests {
    @Test("POST /interactions stores all or nothing, skips ids posted before, names a bad index and field; a customer's history reads newest first", arguments: StoreKind.available)
    func postAndRead(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            let body = #"""
                {"interactions": [
                  {"id": "x1", "customerId": "C000000001", "offerId": "card_premium", "channel": "email", "outcome": "sent", "at": "2026-11-01"},
                  {"customerId": "C000000001", "offerId": "card_premium", "outcome": "declined", "at": "2026-11-03T12:00:00.5Z"}
                ]}
                """#
            let posted = try await client.send(.post, "/api/v1/interactions", json: body)
            #expect(posted.status == .ok, "\(posted.text)")
            #expect(try posted.object()["stored"] as? Int == 2)
            let again = try await client.send(.post, "/api/v1/interactions", json: #"{"interactions": [{"id": "x1", "customerId": "C1", "offerId": "o", "outcome": "sent", "at": "2026-11-01"}]}"#)
            #expect(try again.object()["skipped"] as? Int == 1)
            let bad = try await client.send(.post, "/api/v1/interactions", json: #"{"interactions": [{"customerId": "C1", "offerId": "o", "outcome": "sent", "at": "2026-11-01"}, {"customerId": "C1", "offerId": "o", "outcome": "Sent", "at": "2026-11-01"}]}"#)
            try bad.expectProblem(422, field: "interactions[1].outcome")
            let missing = try await client.send(.post, "/api/v1/interactions", json: #"{"interactions": [{"customerId": "C1", "offerId": "o", "outcome": "sent"}]}"#)
            try missing.expectProblem(422, field: "interactions[0].at")
            #expect(try await fixture.store.countInteractions(InteractionFilter(customerId: "C1")) == 0)
            let page = try await client.send(.get, "/api/v1/customers/C000000001/interactions?limit=10").object()
            let interactions = try #require(page["interactions"] as? [[String: Any]])
            #expect(page["total"] as? Int == 2)
            #expect(interactions.map { $0["outcome"] as? String } == ["declined", "sent"])
            #expect(interactions.first?["at"] as? String == "2026-11-03T12:00:00.500Z")
        }
    }

    @Test("a customer's decision uses their stored history before asOf: a decline posted for their offer cools it down", arguments: StoreKind.available)
    func decisionWithHistory(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            // The first customer the retention flow makes an offer to.
            var found: (customer: String, offer: String)?
            for index in 1...200 where found == nil {
                let customer = String(format: "C%09d", index)
                let trace = try await client.send(
                    .get, "/api/v1/customers/\(customer)/decision?flow=retention&asOf=2026-11-30").object()
                if let first = (trace["recommendations"] as? [[String: Any]])?.first, let offer = first["offerId"] as? String {
                    found = (customer, offer)
                }
            }
            let (customer, offer) = try #require(found)
            let body = #"{"interactions": [{"customerId": "\#(customer)", "offerId": "\#(offer)", "outcome": "declined", "at": "2026-11-29"}]}"#
            #expect(try await client.send(.post, "/api/v1/interactions", json: body).status == .ok)
            let after = try await client.send(.get, "/api/v1/customers/\(customer)/decision?flow=retention&asOf=2026-11-30").object()
            let offers = (after["recommendations"] as? [[String: Any]])?.compactMap { $0["offerId"] as? String }
            #expect(offers?.contains(offer) == false)
            let stages = try #require(after["stages"] as? [[String: Any]])
            let cooldown = try #require(stages.first { $0["kind"] as? String == "cooldown" })
            let reasons = (cooldown["dropped"] as? [[String: Any]])?.compactMap { $0["reason"] as? String }
            #expect(reasons == ["cooldown 'declined lately': declined 1 day ago"])
            // As of before the decline, it is not there yet.
            let before = try await client.send(.get, "/api/v1/customers/\(customer)/decision?flow=retention&asOf=2026-11-29").object()
            #expect((before["recommendations"] as? [[String: Any]])?.first?["offerId"] as? String == offer)
        }
    }

    @Test("POST /runs/{id}/release releases a completed run once (then 409); asOf sets the decision time and a bad one is 422", arguments: StoreKind.available)
    func release(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            try await client.send(.post, "/api/v1/runs", json: #"{"flow": "cross_sell", "segment": "all", "asOf": "nope"}"#)
                .expectProblem(422, field: "asOf")
            let created = try await client.send(
                .post, "/api/v1/runs", json: #"{"flow": "cross_sell", "segment": "high_value", "asOf": "2026-09-01"}"#)
            let id = try #require(try created.object()["id"] as? String)
            let ended = try await client.waitForRun(id)
            #expect(ended["decidedAt"] as? String == "2026-09-01T00:00:00Z")
            let released = try await client.send(.post, "/api/v1/runs/\(id)/release")
            #expect(released.status == .ok, "\(released.text)")
            #expect(try released.object()["releasedAt"] != nil)
            try await client.send(.post, "/api/v1/runs/\(id)/release").expectProblem(409)
            try await client.send(.post, "/api/v1/runs/r-unknown/release").expectProblem(404)
            let recommendations = (ended["summary"] as? [String: Any])?["totalRecommendations"] as? Int
            #expect(try await fixture.store.countInteractions(InteractionFilter(outcome: "sent")) == recommendations)
        }
    }
}
