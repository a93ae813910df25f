import Foundation
import Hummingbird
import NIOCore

/// The web page at `/`: `index.html` and its two assets, from the module's `Resources`, served with their content
/// types. The page is plain HTML, CSS and JavaScript over the REST API, with nothing loaded from elsewhere.
struct PageController {
    /// The assets under `/assets/` and their content types; only these are served, so no request path reaches the
    /// file system.
    static let assets = [
        "app.js": "text/javascript; charset=utf-8",
        "app.css": "text/css; charset=utf-8",
    ]

    func addRoutes(to router: some RouterMethods<APIRequestContext>) {
        router.get("/") { _, _ in try Self.serve("index.html", contentType: "text/html; charset=utf-8") }
        router.get("assets/:file") { _, context in
            let name = try context.parameters.require("file")
            return try Self.serve(name, contentType: Self.assets[name])
        }
    }

    /// The file `name` from the bundle with its content type; `404` when there is no content type (a name not
    /// served) or no such file.
    static func serve(_ name: String, contentType: String?) throws -> Response {
        guard let contentType,
            let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Resources")
        else {
            throw APIProblem(.notFound, "not-found", title: "Not found", detail: "no page asset \"\(name)\"")
        }
        return Response(status: .ok, headers: [.contentType: contentType, .cacheControl: "no-cache"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try Data(contentsOf: url))))
    }
}
