import DecideStore
import Foundation
import Hummingbird

/// `/api/v1/interactions` and `/api/v1/customers/{id}/interactions`: posting and reading the contact history.
struct InteractionsController {
    let store: any RunQueueStore

    /// The most interactions one post may carry.
    static let maximumPerPost = 10_000

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.post(use: post)
    }

    func addCustomerRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get(":id/interactions", use: customerInteractions)
    }

    /// `{"interactions": [...]}`: all or nothing, each checked (`422` naming `interactions[i].field`); ids stored
    /// already are skipped. Answers `{"stored", "skipped"}`.
    @Sendable func post(_ request: Request, context: APIRequestContext) async throws -> Response {
        var request = request
        let body = try await request.decodeJSON(PostInteractionsBody.self, context: context)
        guard body.interactions.count <= Self.maximumPerPost else {
            throw APIProblem.invalid(
                "interactions: \(body.interactions.count) given, at most \(Self.maximumPerPost) per request", field: "interactions")
        }
        let interactions = try body.interactions.enumerated().map { try $1.interaction(at: $0) }
        let summary = try await store.addInteractions(interactions)
        return try .json(PostInteractionsAnswer(stored: summary.stored, skipped: summary.skipped))
    }

    /// `{"interactions": [...], "total": N}`: one page of the customer's interactions, newest first.
    @Sendable func customerInteractions(_ request: Request, context: APIRequestContext) async throws -> Response {
        let (limit, offset) = try request.paging()
        let customerId = try context.parameters.require("id")
        guard customerId.count <= InputLimits.textValueCharacters else {
            throw APIProblem.invalid(
                "id: a customer id is at most \(InputLimits.textValueCharacters) characters, got \(customerId.count)", field: "id")
        }
        let page = try await store.interactions(customerId: customerId, limit: limit, offset: offset)
        return try .json(InteractionPage(interactions: page.interactions, total: page.total))
    }
}

/// The answer to a post of interactions.
struct PostInteractionsAnswer: Encodable {
    var stored: Int
    var skipped: Int
}

/// The body of `POST /api/v1/interactions`.
struct PostInteractionsBody: Decodable {
    var interactions: [Item]

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case interactions
    }

    init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, known: Set(CodingKeys.allCases.map(\.rawValue)))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        interactions = try container.decode([Item].self, forKey: .interactions)
    }

    /// One interaction as posted: every field text, checked by ``interaction(at:)``.
    struct Item: Decodable {
        var fields: [String: String] = [:]

        private enum Keys: String, CodingKey, CaseIterable {
            case id, customerId, offerId, channel, outcome, at
        }

        init(from decoder: any Decoder) throws {
            try StrictKeys.check(decoder, known: Set(Keys.allCases.map(\.rawValue)))
            let container = try decoder.container(keyedBy: Keys.self)
            for key in Keys.allCases {
                if let value = try container.decodeUnlessAbsent(String.self, forKey: key) { fields[key.rawValue] = value }
            }
        }

        /// The interaction, or `422` naming `interactions[index].FIELD` and what is wrong.
        func interaction(at index: Int) throws -> Interaction {
            func value(_ name: String, required: Bool) throws -> String? {
                let field = "interactions[\(index)].\(name)"
                guard let text = fields[name] else {
                    if required { throw APIProblem.invalid("\(field): missing", field: field) }
                    return nil
                }
                if let problem = Interaction.problem(field: name, value: text) {
                    throw APIProblem.invalid("\(field): \(problem)", field: field)
                }
                return text
            }
            let atText = try value("at", required: true)!
            guard let at = Interaction.time(atText) else {
                let field = "interactions[\(index)].at"
                throw APIProblem.invalid(
                    "\(field): not a time: use ISO 8601 with a zone (2026-11-02T09:30:00Z) or a date (2026-11-02)", field: field)
            }
            return Interaction(
                id: try value("id", required: false), customerId: try value("customerId", required: true)!,
                offerId: try value("offerId", required: true)!, channel: try value("channel", required: false),
                outcome: try value("outcome", required: true)!, at: at)
        }
    }
}
