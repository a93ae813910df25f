import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

extension TestClientProtocol {
    /// Sends `body` (a JSON text) and returns the response.
    func send(_ method: HTTPRequest.Method, _ uri: String, json body: String? = nil) async throws -> TestResponse {
        try await execute(uri: uri, method: method, headers: body == nil ? [:] : [.contentType: "application/json"],
                          body: body.map { ByteBuffer(string: $0) })
    }

    /// Polls the run until its status is one of `statuses`; returns its document.
    func waitForRun(_ id: String, until statuses: Set<String> = ["completed", "failed", "cancelled"]) async throws
        -> [String: Any]
    {
        for _ in 0..<3000 {
            let document = try await send(.get, "/api/v1/runs/\(id)").object()
            if let status = document["status"] as? String, statuses.contains(status) { return document }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("run \(id) never reached \(statuses)")
        return [:]
    }
}

extension TestResponse {
    /// The body as text.
    var text: String { String(buffer: body) }

    /// The body as a JSON object.
    func object() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any], "not an object: \(text)")
    }

    /// Checks that this is a problem response with `status` (and `field`, when given).
    func expectProblem(_ status: Int, field: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(Int(self.status.code) == status, "\(text)", sourceLocation: sourceLocation)
        #expect(headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
        let problem = try object()
        #expect(problem["status"] as? Int == status, sourceLocation: sourceLocation)
        #expect(problem["type"] is String && problem["title"] is String && problem["detail"] is String,
                sourceLocation: sourceLocation)
        if let field { #expect(problem["field"] as? String == field, "\(text)", sourceLocation: sourceLocation) }
    }
}
