import HTTPTypes
import Hummingbird

/// The router every controller adds its routes through: it records each path and method as it forwards them to
/// Hummingbird's router, so that a known path asked with another method answers `405` with `Allow` (Hummingbird
/// itself answers 404), and tests can compare the routes with the OpenAPI document.
final class RouteTable: RouterMethods {
    typealias Context = APIRequestContext

    /// The router the routes go to.
    let router: Router<APIRequestContext>
    /// Every path added (as Hummingbird writes it, `/api/v1/runs/{id}` as `/api/v1/runs/:id`) and its methods.
    private(set) var routes: [String: Set<HTTPRequest.Method>] = [:]

    init(router: Router<APIRequestContext>) {
        self.router = router
    }

    @discardableResult
    func on<Responder: HTTPResponder>(
        _ path: RouterPath, method: HTTPRequest.Method, responder: Responder
    ) -> Self where Responder.Context == Context {
        router.on(path, method: method, responder: responder)
        routes[path.description, default: []].insert(method)
        return self
    }

    @discardableResult
    func add(middleware: any MiddlewareProtocol<Request, Response, Context>) -> Self {
        router.add(middleware: middleware)
        return self
    }

    /// Makes every recorded path answer the methods it lacks (of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, TRACE
    /// and QUERY) with `405`.
    func answerOtherMethods() {
        for (path, methods) in routes {
            let allowed = methods.sorted { $0.rawValue < $1.rawValue }
            let all: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete, .head, .options, .trace, .query]
            for method in all where !methods.contains(method) {
                router.on(RouterPath(path), method: method, responder: CallbackResponder { request, _ in
                    throw APIProblem.methodNotAllowed(request.method, allow: allowed)
                })
            }
        }
    }
}

extension HTTPRequest.Method {
    /// `QUERY`: a safe method with a body (an IETF draft), which clients and fuzzers send.
    static let query = HTTPRequest.Method("QUERY")!
}
