import DecideStore
import DecisionEngine
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport

/// Flows, segments, customers, traces, health and metrics against the real router and a real SQLite file.
@Suite("Catalog and operations API")
struct CatalogAPITests {
    @Test("GET /flows lists the example flows with their offers and stages", arguments: StoreKind.available)
    func flows(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(customers: 5, kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            let flows = try #require(try await client.send(.get, "/api/v1/flows").object()["flows"] as? [[String: Any]])
            #expect(flows.map { $0["key"] as? String } == fixture.library.keys())
            let crossSell = try #require(flows.first { $0["key"] as? String == "cross_sell" })
            #expect(crossSell["name"] as? String == "Cross-sell")
            #expect((crossSell["offers"] as? Int ?? 0) > 0)
        }
    }

    @Test("segments: list with counts, create (201), a taken name (409), a bad filter (422 with its column), live counts", arguments: StoreKind.available)
    func segments(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(customers: 100, kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            let list = try #require(try await client.send(.get, "/api/v1/segments").object()["segments"] as? [[String: Any]])
            let high = try #require(list.first { $0["name"] as? String == "high_value" })
            #expect(high["count"] as? Int == (try await fixture.store.count(.named("high_value"))))

            let created = try await client.send(.post, "/api/v1/segments", json: #"{"name": "young", "filter": "age < 30", "description": "Under 30"}"#)
            #expect(created.status == .created)
            #expect(try created.object()["count"] as? Int == (try await fixture.store.count(.expression("age < 30"))))
            try await client.send(.post, "/api/v1/segments", json: #"{"name": "young", "filter": "age < 40"}"#).expectProblem(409, field: "name")
            let replaced = try await client.send(.post, "/api/v1/segments", json: #"{"name": "young", "filter": {"field": "age", "op": "lt", "value": 40}, "replace": true}"#)
            #expect(replaced.status == .created)
            #expect(try replaced.object()["filter"] as? String == "age < 40")
            try await client.send(.post, "/api/v1/segments", json: #"{"name": "bad name!", "filter": "age < 30"}"#).expectProblem(422, field: "name")
            let bad = try await client.send(.post, "/api/v1/segments", json: #"{"name": "x", "filter": "age <"}"#)
            try bad.expectProblem(422, field: "filter")

            let count = try await client.send(.get, "/api/v1/segments/count?filter=age%20%3E%3D%2030").object()
            #expect(count["count"] as? Int == (try await fixture.store.count(.expression("age >= 30"))))
            let everyone = try await client.send(.get, "/api/v1/segments/count").object()
            #expect(everyone["count"] as? Int == 100)
            let invalid = try await client.send(.get, "/api/v1/segments/count?filter=age%20%3E%3D%20%22x%22")
            try invalid.expectProblem(422, field: "filter")
            #expect(try invalid.object()["column"] is Int)
        }
    }

    @Test("customers: one customer, and a flow's decision trace for them; unknown ones are 404, a missing flow 400", arguments: StoreKind.available)
    func customers(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(customers: 10, kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            let customer = try await client.send(.get, "/api/v1/customers/C000000001").object()
            #expect(customer["id"] as? String == "C000000001")
            #expect((customer["attributes"] as? [String: Any])?["age"] is Int)
            try await client.send(.get, "/api/v1/customers/NOPE").expectProblem(404)
            let trace = try await client.send(.get, "/api/v1/customers/C000000001/decision?flow=cross_sell").object()
            #expect(trace["flow"] as? String == "cross_sell")
            #expect(!((trace["stages"] as? [Any]) ?? []).isEmpty)
            try await client.send(.get, "/api/v1/customers/C000000001/decision").expectProblem(400, field: "flow")
            try await client.send(.get, "/api/v1/customers/C000000001/decision?flow=nope").expectProblem(422, field: "flow")
            try await client.send(.get, "/api/v1/customers/C000000001/decision?flow=cross_sell&seed=-1").expectProblem(400, field: "seed")
        }
    }

    @Test("healthz answers ok; metrics are Prometheus text with runs by status, processed customers and recommendations", arguments: StoreKind.available)
    func operations(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(customers: 30, kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            #expect(try await client.send(.get, "/healthz").object()["status"] as? String == "ok")
            let id = try #require(try await client.send(.post, "/api/v1/runs", json: #"{"flow": "cross_sell", "segment": "all"}"#).object()["id"] as? String)
            let run = try await client.waitForRun(id)
            let recommendations = try #require((run["summary"] as? [String: Any])?["totalRecommendations"] as? Int)
            let metrics = try await client.send(.get, "/metrics")
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
            #expect(metrics.text.contains(#"decide_runs{status="completed"} 1"#))
            #expect(metrics.text.contains("decide_customers_processed_total 30"))
            #expect(metrics.text.contains("decide_batch_duration_seconds_bucket"))
            #expect(metrics.text.contains("decide_active_runs 0"))
            #expect(metrics.text.contains("decide_recommendations_total \(recommendations)\n"))
            #expect(metrics.text.contains("decide_flow_errors_total 0"))
            try await client.send(.get, "/api/v1/nowhere").expectProblem(404)
        }
    }
}
