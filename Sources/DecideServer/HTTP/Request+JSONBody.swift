import Foundation
import Hummingbird
import NIOCore

extension Request {
    /// Reads the body (up to the context's `maxUploadSize`, else `413`) and decodes it as JSON.
    ///
    /// - Throws: ``APIProblem`` `413` for a body too large, `400` for malformed JSON, a wrong type, an unknown
    ///   field or a field given twice, naming the field.
    mutating func decodeJSON<Value: Decodable>(_ type: Value.Type, context: some RequestContext) async throws -> Value {
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        if let repeated = JSONDuplicateKeys.first(in: buffer.readableBytesView) {
            throw APIProblem.badRequest("\(repeated): given more than once", field: repeated)
        }
        do {
            return try JSONDecoder().decode(Value.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw APIProblem(error)
        }
    }
}
