@testable import DecideStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Bad input of every kind gets a problem response, never a 500 or a crash: random and malformed bodies, wrong
/// types, huge numbers, unknown fields, bad ids and bad query parameters, from a fixed seed.
@Suite("API fuzzing")
struct FuzzTests {
    static let values = [
        "null", "true", "false", "0", "-1", "1e400", "-9223372036854775809", "18446744073709551616", "3.5", "\"\"",
        "\"cross_sell\"", "\"all\"", "\"age >= 30\"", "\"age >=\"", "\"((((\"", "[]", "{}", "[1, 2]",
        "{\"all\": [{\"field\": \"age\", \"op\": \"gte\", \"value\": \"x\"}]}", "{\"field\": \"nope\", \"op\": \"zz\"}",
        "\"\\u0000\"", "\"" + String(repeating: "é", count: 300) + "\"", "\"../../etc/passwd\"", "\"'; DROP TABLE run; --\"",
    ]
    static let keys = ["flow", "segment", "filter", "name", "workers", "batchSize", "seed", "maxErrors", "dryRun", "sample",
                       "description", "replace", "unknown", ""]
    static let garbage = ["", "{", "}", "[", "nul", "{\"flow\"}", "{\"flow\": }", "\u{FF}\u{FE}", "[1,]", "{\"a\":1,,}",
                          String(repeating: "[", count: 5000), "{\"flow\": \"cross_sell\", \"segment\": \"all\"} trailing"]
    static let paths = [
        "/api/v1/runs/%00", "/api/v1/runs/..%2F..%2Fx", "/api/v1/runs/" + String(repeating: "9", count: 500),
        "/api/v1/runs?limit=99999999999999999999", "/api/v1/runs?limit=-5&offset=x", "/api/v1/runs?status=%22",
        "/api/v1/runs/x/results?limit=1e3", "/api/v1/runs/x/results/y/decision", "/api/v1/customers/%22%27/decision?flow=..%2Fx",
        "/api/v1/customers/x/decision?flow=cross_sell&seed=1e99", "/api/v1/segments/count?filter=%28%28%28",
        "/api/v1/segments/count?filter=age%20matches%20%22%5B%22", "/api/v1/runs/x/cancel", "/api/v1/runs/x/resume",
    ]

    @Test("random bodies on every POST route and hostile paths and queries answer a 4xx problem, never a 5xx")
    func neverAServerError() async throws {
        let fixture = try await ServerFixture(customers: 10)
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            var random = SeededRandom(seed: 20_240_601)  // the store's SplitMix64, so a failure can be replayed
            var bodies = Self.garbage
            for _ in 0..<150 {
                let members = (0..<Int.random(in: 0...5, using: &random)).map { _ in
                    "\"\(Self.keys.randomElement(using: &random)!)\": \(Self.values.randomElement(using: &random)!)"
                }
                bodies.append("{" + members.joined(separator: ", ") + "}")
            }
            bodies += Self.values
            for body in bodies {
                for uri in ["/api/v1/runs", "/api/v1/segments"] {
                    let response = try await client.send(.post, uri, json: body)
                    #expect(response.status.code < 500, "\(uri) \(body.prefix(200)) → \(response.text)")
                    if response.status.code >= 400 {
                        #expect(response.headers[.contentType] == "application/problem+json", "\(body.prefix(200))")
                    }
                }
            }
            for path in Self.paths {
                for method in [HTTPRequest.Method.get, .post] {
                    let response = try await client.send(method, path)
                    #expect(response.status.code < 500, "\(method) \(path) → \(response.text)")
                    #expect(response.status.code < 400 || response.headers[.contentType] == "application/problem+json")
                }
            }
            let runs = try await client.send(.get, "/api/v1/runs?limit=200").object()["runs"] as? [[String: Any]] ?? []
            for run in runs { _ = try await client.waitForRun(try #require(run["id"] as? String)) }
        }
    }
}
