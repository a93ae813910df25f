import Hummingbird
import Logging

/// Turns every error a route throws (unknown routes and oversized bodies included) into an
/// `application/problem+json` response; logs the unexpected ones.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Where unexpected errors are logged.
    let logger: Logger

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = APIProblem(error)
            if problem.status.code >= 500 {
                logger.error("request failed", metadata: ["http.path": "\(request.uri.path)", "error": "\(error)"])
            }
            throw problem
        }
    }
}
