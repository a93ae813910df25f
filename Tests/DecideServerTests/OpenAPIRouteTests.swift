import DecideStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import LuaRuntime
import RunEngine
import Testing
import Yams

@testable import DecideServer

/// Every operation docs/openapi.yaml documents answers its documented status (the first response listed) for a
/// valid request, and every route this table exercises is documented.
@Suite("OpenAPI routes")
struct OpenAPIRouteTests {
    /// The ids a valid request needs.
    struct Ids {
        var completed: String
        var pending: String
        var interrupted: String
        var deletable: String
        var customer: String
    }

    /// One documented operation and a valid request to it.
    struct Route {
        var method: String
        var path: String
        var body: String?
        var uri: @Sendable (Ids) -> String
    }

    static let routes: [Route] = [
        Route(method: "post", path: "/api/v1/runs", body: #"{"flow": "cross_sell", "segment": "all"}"#) { _ in "/api/v1/runs" },
        Route(method: "get", path: "/api/v1/runs") { _ in "/api/v1/runs?limit=10&status=completed" },
        Route(method: "get", path: "/api/v1/runs/{id}") { "/api/v1/runs/\($0.completed)" },
        Route(method: "delete", path: "/api/v1/runs/{id}") { "/api/v1/runs/\($0.deletable)" },
        Route(method: "get", path: "/api/v1/runs/{id}/results") { "/api/v1/runs/\($0.completed)/results?limit=3" },
        Route(method: "get", path: "/api/v1/runs/{id}/results/{customerId}/decision") {
            "/api/v1/runs/\($0.completed)/results/\($0.customer)/decision"
        },
        Route(method: "post", path: "/api/v1/runs/{id}/cancel") { "/api/v1/runs/\($0.pending)/cancel" },
        Route(method: "post", path: "/api/v1/runs/{id}/resume") { "/api/v1/runs/\($0.interrupted)/resume" },
        Route(method: "post", path: "/api/v1/runs/{id}/release") { "/api/v1/runs/\($0.completed)/release" },
        Route(method: "get", path: "/api/v1/workers") { _ in "/api/v1/workers" },
        Route(method: "get", path: "/api/v1/flows") { _ in "/api/v1/flows" },
        Route(method: "get", path: "/api/v1/segments") { _ in "/api/v1/segments" },
        Route(method: "post", path: "/api/v1/segments", body: #"{"name": "older", "filter": "age >= 50"}"#) { _ in "/api/v1/segments" },
        Route(method: "get", path: "/api/v1/segments/count") { _ in "/api/v1/segments/count?filter=app_user" },
        Route(method: "get", path: "/api/v1/customers/{id}") { "/api/v1/customers/\($0.customer)" },
        Route(method: "get", path: "/api/v1/customers/{id}/decision") { "/api/v1/customers/\($0.customer)/decision?flow=cross_sell" },
        Route(method: "get", path: "/api/v1/customers/{id}/interactions") { "/api/v1/customers/\($0.customer)/interactions?limit=5" },
        Route(
            method: "post", path: "/api/v1/interactions",
            body: #"{"interactions": [{"customerId": "C1", "offerId": "o", "outcome": "sent", "at": "2026-11-01"}]}"#
        ) { _ in "/api/v1/interactions" },
        Route(method: "get", path: "/healthz") { _ in "/healthz" },
        Route(method: "get", path: "/metrics") { _ in "/metrics" },
    ]

    /// docs/openapi.yaml, parsed as YAML.
    static func document() throws -> [String: Any] {
        let url = URL(fileURLWithPath: ServerFixture.exampleFlows).deletingLastPathComponent()
            .appendingPathComponent("docs/openapi.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        return try #require(try Yams.load(yaml: text) as? [String: Any], "docs/openapi.yaml is not a YAML mapping")
    }

    /// Each documented operation (`METHOD PATH`) with the status of its first listed response.
    static func documented() throws -> [String: Int] {
        let url = URL(fileURLWithPath: ServerFixture.exampleFlows).deletingLastPathComponent()
            .appendingPathComponent("docs/openapi.yaml")
        let root = try #require(try Yams.compose(yaml: try String(contentsOf: url, encoding: .utf8)))
        let paths = try #require(root["paths"]?.mapping)
        var operations: [String: Int] = [:]
        for (path, item) in paths {
            for (method, operation) in try #require(item.mapping) {
                let first = try #require(operation["responses"]?.mapping?.keys.first?.string.flatMap { Int($0) })
                operations["\(method.string ?? "") \(path.string ?? "")"] = first
            }
        }
        return operations
    }

    @Test("the route table and docs/openapi.yaml name the same operations")
    func sameOperations() throws {
        let documented = try Self.documented()
        #expect(Set(documented.keys) == Set(Self.routes.map { "\($0.method) \($0.path)" }))
    }

    @Test("every route the server adds is documented, and every documented operation is served")
    func codeMatchesDocument() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.remove() }
        let metrics = ServerMetrics(store: fixture.store)
        var logger = Logger(label: "decide-openapi-tests")
        logger.logLevel = .critical
        let table = buildRoutes(
            store: fixture.store, library: fixture.library,
            queue: RunQueue(store: fixture.store, concurrentRuns: 1, lease: LeasePolicy(), metrics: metrics, logger: logger),
            workers: RequestWorkers(workers: 1), metrics: metrics, lease: LeasePolicy(), maximumLimits: .serverMaximum,
            logger: logger)
        var served: Set<String> = []
        for (path, methods) in table.routes {
            let documentedPath = "/" + path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
                .joined(separator: "/")
            for method in methods { served.insert("\(method.rawValue.lowercased()) \(documentedPath)") }
        }
        let pages: Set<String> = ["get /", "get /assets/{file}"]
        #expect(served.subtracting(pages) == Set(try Self.documented().keys))
    }

    @Test("every documented operation answers its documented status for a valid request")
    func documentedStatuses() async throws {
        let fixture = try await ServerFixture(customers: 40)
        defer { fixture.remove() }
        let documented = try Self.documented()
        try await fixture.application().test(.router) { client in
            let created = try await client.send(.post, "/api/v1/runs", json: #"{"flow": "cross_sell", "segment": "all"}"#)
            let completed = try #require(try created.object()["id"] as? String)
            _ = try await client.waitForRun(completed)
            let planner = RunPlanner(library: fixture.library, store: fixture.store)
            let pending = try await planner.create(RunRequest(flow: "cross_sell", segment: "all")).id
            let interrupted = try await planner.create(RunRequest(flow: "cross_sell", segment: "all")).id
            try await fixture.store.transition(runId: interrupted, to: .running, message: nil, error: nil)
            try await fixture.store.interrupt(runId: interrupted)
            let deletable = try await planner.create(RunRequest(flow: "cross_sell", segment: "all")).id
            try await fixture.store.transition(runId: deletable, to: .cancelled, message: nil, error: nil)
            let ids = Ids(
                completed: completed, pending: pending, interrupted: interrupted, deletable: deletable,
                customer: "C000000001")
            for route in Self.routes {
                let expected = try #require(documented["\(route.method) \(route.path)"], "\(route.method) \(route.path)")
                let response = try await client.send(HTTPRequest.Method(route.method.uppercased())!, route.uri(ids), json: route.body)
                #expect(Int(response.status.code) == expected, "\(route.method) \(route.path) → \(response.text.prefix(300))")
            }
        }
    }
}
