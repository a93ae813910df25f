import DecideStore
import Hummingbird

/// `/api/v1/segments`: list with counts, save, and count an ad-hoc filter.
struct SegmentsController {
    let store: any CustomerStore

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get { _, _ in
            try Response.json(["segments": try await store.segments().map { SegmentDocument($0.segment, count: $0.count) }])
        }
        group.post(use: create)
        group.get("count") { request, _ in
            let filter = request.query("filter") ?? ""
            return try Response.json(CountDocument(filter: filter, count: try await store.count(.expression(filter))))
        }
    }

    /// `201` with the saved segment and its count.
    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        var request = request
        let body = try await request.decodeJSON(CreateSegmentBody.self, context: context)
        try await body.filter.validate(in: store)
        let segment = try await store.saveSegment(name: body.name, filter: body.filter.text, description: body.description ?? "",
                                            replace: body.replace ?? false)
        return try .json(SegmentDocument(segment, count: try await store.count(.named(segment.name))), status: .created)
    }

    /// `{"filter": ..., "count": N}`.
    struct CountDocument: Encodable {
        var filter: String
        var count: Int
    }
}
