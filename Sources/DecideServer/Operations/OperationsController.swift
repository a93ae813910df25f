import Hummingbird
import NIOCore

/// `GET /healthz` and `GET /metrics`.
struct OperationsController {
    let metrics: ServerMetrics

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("healthz") { _, _ in try Response.json(["status": "ok"]) }
        group.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: try await metrics.render())))
        }
    }
}
