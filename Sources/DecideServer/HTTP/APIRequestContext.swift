import Foundation
import Hummingbird
import RunEngine

/// The request context of every API route: bodies up to 4 MiB (room for 10,000 interactions in one post),
/// responses in the documents' JSON encoding.
public struct APIRequestContext: RequestContext {
    /// The largest request body accepted; a larger one is answered `413`.
    public static let maxBodySize = 4 << 20

    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage

    /// A context for one request.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// 4 MiB.
    public var maxUploadSize: Int { Self.maxBodySize }

    /// The encoder every document uses, shared with the CLI's `--json` output.
    public var responseEncoder: JSONEncoder { .documents(pretty: false) }
}
