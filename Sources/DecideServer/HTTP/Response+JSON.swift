import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RunEngine

extension Response {
    /// `value` as a JSON response in the documents' encoding.
    static func json(
        _ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]
    ) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        let data = try JSONEncoder.documents(pretty: false).encode(value)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
