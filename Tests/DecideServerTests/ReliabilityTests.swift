import DecideServer
import DecideStore
import DecisionEngine
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import RunEngine
import ServiceLifecycle
import Testing
import TestSupport

/// The server under load, beside the CLI, across a shutdown, and over a real socket.
@Suite("Reliability")
struct ReliabilityTests {
    @Test("50 concurrent POSTs create 50 distinct queued runs, all executed", arguments: StoreKind.available)
    func concurrentCreates(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(customers: 20, kind: kind)
        defer { fixture.remove() }
        try await fixture.application(concurrentRuns: 2).test(.router) { client in
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        let response = try await client.send(.post, "/api/v1/runs", json: #"{"flow": "cross_sell", "segment": "all", "workers": 1}"#)
                        #expect(response.status == .accepted)
                        return try #require(try response.object()["id"] as? String)
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(ids.count == 50)
            for id in ids { _ = try await client.waitForRun(id) }
            #expect(try await fixture.store.runs(status: .completed, limit: 0, offset: 0).total == 50)
        }
    }

    @Test("list, details and metrics answer while a run executes; later runs wait pending, first in first out", arguments: StoreKind.available)
    func answersWhileRunning(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(customers: 600, flows: ["slow": ServerFixture.slowFlow], kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            let first = try #require(try await client.send(.post, "/api/v1/runs", json: #"{"flow": "slow", "segment": "all", "batchSize": 50, "workers": 1}"#).object()["id"] as? String)
            let second = try #require(try await client.send(.post, "/api/v1/runs", json: #"{"flow": "slow", "segment": "all", "batchSize": 50, "workers": 1}"#).object()["id"] as? String)
            _ = try await client.waitForRun(first, until: ["running"])
            #expect(try await client.send(.get, "/api/v1/runs").status == .ok)
            #expect(try await client.send(.get, "/api/v1/runs/\(first)").status == .ok)
            let metrics = try await client.send(.get, "/metrics")
            #expect(metrics.text.contains("decide_active_runs 1"))
            #expect(try await client.send(.get, "/api/v1/runs/\(second)").object()["status"] as? String == "pending")
            #expect(try await client.send(.get, "/api/v1/runs/\(first)").object()["status"] as? String == "running")
            _ = try await client.waitForRun(first)
            _ = try await client.waitForRun(second)
            let a = try await fixture.store.run(id: first), b = try await fixture.store.run(id: second)
            #expect(try #require(b.startedAt) >= (try #require(a.finishedAt)))
        }
    }

    @Test("the CLI's way of running (planner and executor on another store handle) works beside the server", arguments: StoreKind.available)
    func besideTheCLI(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(customers: 300, kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            let served = try #require(try await client.send(.post, "/api/v1/runs", json: #"{"flow": "cross_sell", "segment": "all", "batchSize": 20}"#).object()["id"] as? String)
            let cliStore = try await StoreLocation(parsing: fixture.databasePath).open()
            let record = try await RunPlanner(library: fixture.library, store: cliStore).create(RunRequest(flow: "cross_sell", segment: "high_value", batchSize: 20))
            let ended = try await RunExecutor(store: cliStore).execute(runId: record.id)
            #expect(ended.status == .completed)
            #expect(try await client.waitForRun(served)["status"] as? String == "completed")
            let listed = try await client.send(.get, "/api/v1/runs").object()
            #expect(listed["total"] as? Int == 2)
        }
    }

    @Test("graceful shutdown leaves an executing run interrupted and a queued one pending; the next server runs both", arguments: StoreKind.available)
    func shutdownAndResume(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(customers: 600, flows: ["slow": ServerFixture.slowFlow], kind: kind)
        defer { fixture.remove() }
        let (id, queued) = try await fixture.application().test(.router) { client in
            let body = #"{"flow": "slow", "segment": "all", "batchSize": 50, "workers": 1}"#
            let id = try #require(try await client.send(.post, "/api/v1/runs", json: body).object()["id"] as? String)
            let queued = try #require(try await client.send(.post, "/api/v1/runs", json: body).object()["id"] as? String)
            _ = try await client.waitForRun(id, until: ["running"])
            return (id, queued)
        }
        let stopped = try await fixture.store.run(id: id)
        #expect(stopped.status == .failed && stopped.interrupted)
        #expect(stopped.progress.processed < 600)
        #expect(try await fixture.store.run(id: queued).status == .pending)
        try await fixture.application().test(.router) { client in
            #expect(try await client.waitForRun(queued)["status"] as? String == "completed")
            let resumed = try await client.send(.post, "/api/v1/runs/\(id)/resume")
            #expect(resumed.status == .accepted, "\(resumed.text)")
            let queuedAgain = try resumed.object()
            #expect(queuedAgain["status"] as? String == "pending")
            #expect(queuedAgain["error"] == nil || queuedAgain["error"] is NSNull)
            try await client.send(.post, "/api/v1/runs/\(id)/resume").expectProblem(409)
            let ended = try await client.waitForRun(id, until: ["completed", "cancelled"])
            #expect(ended["status"] as? String == "completed", "\(ended["error"] ?? "no error")")
            #expect((ended["summary"] as? [String: Any])?["totalCustomers"] as? Int == 600)
        }
    }

    @Test("on start, a running run whose heartbeat is older than the lease is marked interrupted", arguments: StoreKind.available)
    func startupRecovery(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(customers: 10, kind: kind)
        defer { fixture.remove() }
        let record = try await RunPlanner(library: fixture.library, store: fixture.store).create(RunRequest(flow: "cross_sell", segment: "all"))
        try await fixture.store.transition(runId: record.id, to: .running, message: "started elsewhere", error: nil)
        try await fixture.application(lease: LeasePolicy(seconds: 0)).test(.router) { client in
            let document = try await client.waitForRun(record.id, until: ["failed"])
            #expect((document["error"] as? [String: Any])?["message"] as? String == RunFailure.interruptedMessage)
        }
    }

    @Test("over a real socket: create, read, and a client that hangs up mid-request harms nothing", arguments: StoreKind.available)
    func live(kind: StoreKind) async throws {
        let fixture = try await ServerFixture(customers: 30, kind: kind)
        defer { fixture.remove() }
        try await fixture.application().test(.live) { client in
            let port = try #require(client.port)
            try Self.hangUp(port: port, sending: "POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"flow\": \"cro")
            let created = try await client.send(.post, "/api/v1/runs", json: #"{"flow": "cross_sell", "segment": "all"}"#)
            #expect(created.status == .accepted)
            let id = try #require(try created.object()["id"] as? String)
            #expect(try await client.waitForRun(id)["status"] as? String == "completed")
            #expect(try await client.send(.get, "/healthz").status == .ok)
            #expect(try await fixture.store.runs(status: nil, limit: 0, offset: 0).total == 1)
        }
    }

    /// Connects to the loopback port, sends part of a request and closes the connection.
    static func hangUp(port: Int, sending text: String) throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(socket >= 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0)
        _ = text.withCString { send(socket, $0, strlen($0), 0) }
    }
}
