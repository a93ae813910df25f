import DecideStore
import DecisionEngine
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import RunEngine

extension APIProblem {
    /// A request that cannot be read: malformed JSON, a wrong type, an unknown field, a bad query parameter (400).
    static func badRequest(_ detail: String, field: String?) -> APIProblem {
        APIProblem(.badRequest, "bad-request", title: "Bad request", detail: detail, field: field)
    }

    /// A well-formed request whose content is invalid (422).
    static func invalid(_ detail: String, field: String?) -> APIProblem {
        APIProblem(.unprocessableContent, "invalid-request", title: "Invalid request", detail: detail, field: field)
    }

    /// A run in a state that does not allow what was asked (409).
    static func conflict(_ detail: String) -> APIProblem {
        APIProblem(.conflict, "wrong-state", title: "Run is not in the right state", detail: detail)
    }

    /// The one place errors become problems: what each error of the engine, the store and the HTTP layer answers.
    /// Anything unexpected is a 500 (the middleware logs it).
    init(_ error: any Error) {
        switch error {
        case let problem as APIProblem:
            self = problem
        case let error as FilterError:
            self.init(.unprocessableContent, "invalid-filter", title: "Invalid filter", detail: error.description,
                      field: error.path ?? "filter", column: error.path == nil ? error.column : nil)
        case let error as FlowError:
            let slug = error.code == .unknownFlow ? "unknown-flow" : "invalid-flow"
            self.init(.unprocessableContent, slug, title: error.code.rawValue.capitalizedFirst, detail: error.description,
                      field: "flow")
        case let error as DecisionError:
            self.init(.unprocessableContent, "decision-failed", title: "The flow failed for this customer",
                      detail: error.description, field: "flow")
        case let error as RunError:
            self = error.code == .invalidRequest
                ? .invalid(error.message, field: error.field) : .conflict(error.message)
        case let error as StoreError:
            self.init(store: error)
        case let error as DecodingError:
            self.init(decoding: error)
        case let error as HTTPParserError:
            self = .badRequest("the request is not valid HTTP: \(error)", field: nil)
        case is NIOTooManyBytesError:
            self.init(.contentTooLarge, "too-large", title: "Content too large",
                      detail: "the body is over \(APIRequestContext.maxBodySize) bytes")
        case let error as HTTPError:
            self.init(error.status, "http-\(error.status.code)", title: error.status.reasonPhrase,
                      detail: error.body ?? error.status.reasonPhrase)
        default:
            self.init(.internalServerError, "internal", title: "Internal error", detail: "\(error)")
        }
    }

    private init(store error: StoreError) {
        switch error.code {
        case .runNotFound, .customerNotFound:
            self.init(.notFound, "not-found", title: "Not found", detail: error.message, field: "id")
        case .segmentNotFound:
            self.init(.unprocessableContent, "unknown-segment", title: "Unknown segment", detail: error.message,
                      field: "segment")
        case .segmentExists:
            self.init(.conflict, "segment-exists", title: "Segment exists",
                      detail: "a segment \"\(error.value ?? "")\" exists: send \"replace\": true to replace it", field: "name")
        case .invalidName, .reservedSegment:
            self = .invalid(error.message, field: "name")
        case .illegalTransition, .runNotRunning, .runActive, .notReleasable:
            self = .conflict(error.message)
        case .database:
            self.init(.serviceUnavailable, "store-unavailable", title: "Store unavailable", detail: error.message)
        default:
            self = .invalid(error.message, field: nil)
        }
    }

    private init(decoding error: DecodingError) {
        let (path, detail): ([any CodingKey], String) = switch error {
        case .typeMismatch(let type, let context): (context.codingPath, "expected \(Self.jsonName(of: type))")
        case .valueNotFound(let type, let context): (context.codingPath, "expected \(Self.jsonName(of: type)), got null")
        case .keyNotFound(let key, let context): (context.codingPath + [key], "missing")
        case .dataCorrupted(let context): (context.codingPath, context.debugDescription)
        @unknown default: ([], "\(error)")
        }
        let field = Self.jsonPath(path)
        self = .badRequest(field.isEmpty ? "malformed JSON: \(detail)" : "\(field): \(detail)",
                           field: field.isEmpty ? nil : field)
    }

    /// A coding path as a JSON path: `filter.any[2].op`.
    static func jsonPath(_ path: [any CodingKey]) -> String {
        path.reduce(into: "") { text, key in
            if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
        }
    }

    private static func jsonName(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is UInt64.Type, is Int64.Type: "an integer in range"
        case is Double.Type: "a number"
        default: "a value of another type"
        }
    }
}

extension String {
    /// The string with its first letter uppercased.
    fileprivate var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
