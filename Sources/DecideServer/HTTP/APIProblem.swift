import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RunEngine

/// An error answered as an RFC 9457 problem (`application/problem+json`): `type`, `title`, `status`, `detail`, and
/// the request field at fault (`field`), with the column of an invalid filter (`column`).
///
/// ```json
/// {"type": "urn:decide:problem:invalid-filter", "title": "Invalid filter", "status": 422,
///  "detail": "filter: column 1: unknown field \"agee\" ...", "field": "filter", "column": 1}
/// ```
public struct APIProblem: HTTPResponseError, Sendable, Hashable, CustomStringConvertible {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A URI naming the kind of problem, such as `urn:decide:problem:unknown-flow`.
    public var type: String
    /// The kind of problem in words, the same for every problem of its type.
    public var title: String
    /// This problem in words, naming the value at fault.
    public var detail: String
    /// The request field at fault (a body field, a query parameter or a path parameter), when one is.
    public var field: String?
    /// The 1-based column of an invalid filter's problem.
    public var column: Int?
    /// The methods the path answers, for a `405` (sent as `Allow`).
    public var allow: [HTTPRequest.Method] = []

    /// Creates a problem.
    ///
    /// - Parameter slug: The last part of `type`, such as `unknown-flow`.
    public init(
        _ status: HTTPResponse.Status, _ slug: String, title: String, detail: String, field: String? = nil,
        column: Int? = nil
    ) {
        self.status = status
        self.type = "urn:decide:problem:" + slug
        self.title = title
        self.detail = detail
        self.field = field
        self.column = column
    }

    /// `405` for a known path asked with a method it does not answer.
    static func methodNotAllowed(_ method: HTTPRequest.Method, allow: [HTTPRequest.Method]) -> APIProblem {
        var problem = APIProblem(
            .methodNotAllowed, "method-not-allowed", title: "Method not allowed",
            detail: "\(method.rawValue) is not allowed here; use \(allow.map(\.rawValue).joined(separator: " or "))")
        problem.allow = allow
        return problem
    }

    /// `status title: detail`.
    public var description: String { "\(status.code) \(title): \(detail)" }

    /// The problem as an `application/problem+json` response.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Body(type: type, title: title, status: status.code, detail: detail, field: field, column: column)
        let data = try JSONEncoder.documents(pretty: false).encode(body)
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if !allow.isEmpty { headers[.allow] = allow.map(\.rawValue).joined(separator: ", ") }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The JSON members.
    private struct Body: Encodable {
        var type: String
        var title: String
        var status: Int
        var detail: String
        var field: String?
        var column: Int?
    }
}
