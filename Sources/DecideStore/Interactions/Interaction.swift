import Foundation

/// Something a customer was sent or did about an offer: the contact history that contact policies read
/// (docs/interactions.md). Encoded camelCase: `{"id", "customerId", "offerId", "channel", "outcome", "at",
/// "storedAt"}`.
public struct Interaction: Sendable, Hashable, Codable {
    /// An id of the sender's choosing, if any: an interaction whose id is stored already is skipped, so
    /// re-importing a file is harmless.
    public var id: String?
    /// The customer (who need not exist in the store).
    public var customerId: String
    /// The offer (which need not be in any flow).
    public var offerId: String
    /// The channel, if known.
    public var channel: String?
    /// `sent`, `impression`, `clicked`, `accepted`, `declined`, or any other word matching `[a-z][a-z0-9_]*`.
    public var outcome: String
    /// When it happened, to the millisecond.
    public var at: Date
    /// When the store received it (set by the store).
    public var storedAt: Date?

    /// An interaction.
    public init(
        id: String? = nil, customerId: String, offerId: String, channel: String? = nil, outcome: String, at: Date,
        storedAt: Date? = nil
    ) {
        self.id = id
        self.customerId = customerId
        self.offerId = offerId
        self.channel = channel
        self.outcome = outcome
        self.at = at
        self.storedAt = storedAt
    }

    private enum CodingKeys: String, CodingKey {
        case id, customerId, offerId, channel, outcome, at, storedAt
    }

    /// Times are encoded as ISO 8601 in UTC with milliseconds (`2026-11-02T09:30:00.250Z`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(id, forKey: .id)
        try container.encode(customerId, forKey: .customerId)
        try container.encode(offerId, forKey: .offerId)
        try container.encodeIfPresent(channel, forKey: .channel)
        try container.encode(outcome, forKey: .outcome)
        try container.encode(Self.text(of: at), forKey: .at)
        try container.encodeIfPresent(storedAt.map(Self.text(of:)), forKey: .storedAt)
    }

    /// Decodes the encoded form (times as text, in any form ``time(_:)`` reads).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func time(_ key: CodingKeys) throws -> Date? {
            guard let text = try container.decodeIfPresent(String.self, forKey: key) else { return nil }
            guard let date = Self.time(text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "not a time: \(text)")
            }
            return date
        }
        guard let at = try time(.at) else {
            throw DecodingError.keyNotFound(CodingKeys.at, .init(codingPath: container.codingPath, debugDescription: "missing"))
        }
        self.init(
            id: try container.decodeIfPresent(String.self, forKey: .id),
            customerId: try container.decode(String.self, forKey: .customerId),
            offerId: try container.decode(String.self, forKey: .offerId),
            channel: try container.decodeIfPresent(String.self, forKey: .channel),
            outcome: try container.decode(String.self, forKey: .outcome), at: at, storedAt: try time(.storedAt))
    }

    /// A time as interactions are shown: ISO 8601 in UTC with the milliseconds the stores keep. (The formatter
    /// truncates, and a millisecond time is often a hair under its value as a binary fraction: it is formatted from
    /// the middle of its millisecond.)
    public static func text(of date: Date) -> String {
        Date(timeIntervalSince1970: (Double(date.milliseconds) + 0.5) / 1000)
            .formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// The longest id, customer id, offer id or channel, in bytes, and the longest outcome.
    public static let maximumIdentifierBytes = 256
    public static let maximumOutcomeBytes = 64

    /// Why `value` cannot be the field `field` of an interaction, or `nil` when it can.
    public static func problem(field: String, value: String) -> String? {
        switch field {
        case "outcome":
            guard (1...maximumOutcomeBytes).contains(value.utf8.count),
                let first = value.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first),
                value.utf8.allSatisfy({ (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_") })
            else { return "an outcome is a word of a-z, 0-9 and _ starting with a letter, at most \(maximumOutcomeBytes) bytes" }
            return nil
        default:
            guard (1...maximumIdentifierBytes).contains(value.utf8.count) else {
                return "must be 1 to \(maximumIdentifierBytes) bytes"
            }
            guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                return "must not contain control characters"
            }
            return nil
        }
    }

    /// A time as interactions and `--as-of` spell it: ISO 8601 with a zone (`2026-11-02T09:30:00Z`,
    /// `2026-11-02T10:30:00.250+01:00`), or a date meaning 00:00 UTC (`2026-11-02`); `nil` otherwise.
    public static func time(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.utf8.count <= 40 else { return nil }
        if trimmed.utf8.count == 10 { return try? dateOnly.parse(trimmed) }
        for style in withZone { if let date = try? style.parse(trimmed) { return date.roundedToMilliseconds } }
        return nil
    }

    private static let dateOnly = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!).year().month().day()
    private static let withZone = [
        Date.ISO8601FormatStyle(includingFractionalSeconds: true), Date.ISO8601FormatStyle(),
    ]
}

extension Date {
    /// The date with its sub-millisecond part dropped, as the stores keep times.
    var roundedToMilliseconds: Date {
        Date(milliseconds: milliseconds)
    }

    /// Milliseconds since 1970, as the stores keep interaction times: the sub-millisecond part dropped, after the
    /// time is rounded to the microsecond (so that `…:07.456` read from text, a hair under .456 as a binary
    /// fraction, stays 456 and does not become 455).
    public var milliseconds: Int64 { Int64(((timeIntervalSince1970 * 1_000_000).rounded() / 1000).rounded(.down)) }

    /// The date `milliseconds` after 1970.
    public init(milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}

/// What an import or a post of interactions did.
public struct InteractionImportSummary: Sendable, Hashable, Codable {
    /// Interactions stored.
    public var stored: Int
    /// Interactions skipped because their id was stored already (or came earlier in the same import).
    public var skipped: Int
    /// Rows left out as invalid (`--skip-invalid`).
    public var rejected: Int

    /// A summary.
    public init(stored: Int = 0, skipped: Int = 0, rejected: Int = 0) {
        self.stored = stored
        self.skipped = skipped
        self.rejected = rejected
    }
}

/// Which interactions to count: each field narrows, none counts all.
public struct InteractionFilter: Sendable, Hashable {
    public var customerId: String?
    public var offerId: String?
    public var channel: String?
    public var outcome: String?

    /// A filter.
    public init(customerId: String? = nil, offerId: String? = nil, channel: String? = nil, outcome: String? = nil) {
        self.customerId = customerId
        self.offerId = offerId
        self.channel = channel
        self.outcome = outcome
    }
}

/// The store of interaction history. Each backend implements it.
public protocol InteractionStore: Sendable {
    /// Imports interactions from a CSV (with a header) or JSON Lines file, all or nothing: the first invalid row
    /// throws an `ImportError` naming its line, column and value, and nothing is stored; with `onRejected`, such a
    /// row is handed to it and left out (counted) instead. An interaction whose id is stored already, or came
    /// earlier in the same import, is skipped.
    func importInteractions(
        from source: ImportSource, onRejected: (@Sendable (ImportError) -> Void)?
    ) async throws -> InteractionImportSummary

    /// Stores interactions that were validated, in one transaction, skipping ids stored already.
    func addInteractions(_ interactions: [Interaction]) async throws -> InteractionImportSummary

    /// One page of a customer's interactions, newest first, and how many they have.
    func interactions(customerId: String, limit: Int, offset: Int) async throws -> (interactions: [Interaction], total: Int)

    /// How many interactions match `filter`.
    func countInteractions(_ filter: InteractionFilter) async throws -> Int

    /// Erases a customer's interaction history; returns how many interactions were deleted.
    func deleteInteractions(customerId: String) async throws -> Int

    /// The history of `customerIds` that `window` lets a decision see, with one query (a batch's customers, not one
    /// query per customer).
    func history(of customerIds: [String], window: HistoryWindow) async throws -> InteractionHistory

    /// Calls `body` with every stored interaction, in the order they were stored, with their ids and storage times,
    /// reading from one snapshot without holding them all in memory: what `decide store copy` reads.
    func exportInteractions(_ body: (Interaction) throws -> Void) async throws

    /// Stores interactions as ``exportInteractions(_:)`` gave them, keeping their storage times (now for one
    /// without), in one transaction, skipping ids stored already: what `decide store copy` writes.
    func restoreInteractions(_ interactions: [Interaction]) async throws -> InteractionImportSummary
}

/// A page of a customer's interactions, newest first, and how many they have: what `interactions show --json` prints
/// and `GET /api/v1/customers/{id}/interactions` answers.
public struct InteractionPage: Sendable, Hashable, Encodable {
    /// The page.
    public var interactions: [Interaction]
    /// How many the customer has in all.
    public var total: Int

    /// A page.
    public init(interactions: [Interaction], total: Int) {
        self.interactions = interactions
        self.total = total
    }
}
