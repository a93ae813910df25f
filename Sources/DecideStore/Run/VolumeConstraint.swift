/// A run-wide cap on recommendations: at most ``max`` of the run's recommendations that match ``selector`` (one
/// offer, a set of offers, one channel, or every recommendation) are delivered; the run allocates them by score
/// across its whole audience (docs/runs.md, "Volume constraints").
///
/// Flows declare them (`volume { max = 10000, offer = "card_premium" }`) and runs add to or override them
/// (`--volume offer:card_premium=100`, `"constraints"` in the API). Encoded as `{"name", "offer" | "offers" |
/// "channel" (none for a total), "max"}`.
public struct VolumeConstraint: Sendable, Hashable, Codable {
    /// What a constraint counts.
    public enum Selector: Sendable, Hashable {
        /// Every recommendation of the run.
        case total
        /// The recommendations of one offer.
        case offer(String)
        /// The recommendations of any of these offers (in the order given; two selectors with the same set are the
        /// same).
        case offers([String])
        /// The recommendations on one channel.
        case channel(String)

        /// Whether a recommendation of `offerId` on `channel` counts against the constraint.
        public func matches(offerId: String, channel: String) -> Bool {
            switch self {
            case .total: true
            case .offer(let id): id == offerId
            case .offers(let ids): ids.contains(offerId)
            case .channel(let name): name == channel
            }
        }

        /// Whether two selectors select the same recommendations: the same offer, the same channel, the same set of
        /// offers (order ignored), or both totals.
        public func isSame(as other: Selector) -> Bool {
            switch (self, other) {
            case (.offers(let a), .offers(let b)): Set(a) == Set(b)
            default: self == other
            }
        }

        /// The name a constraint gets when it gives none: `offer ID`, `offers A+B`, `channel NAME` or `total`.
        public var defaultName: String {
            switch self {
            case .total: "total"
            case .offer(let id): "offer \(id)"
            case .offers(let ids): "offers \(ids.joined(separator: "+"))"
            case .channel(let name): "channel \(name)"
            }
        }

        /// The selector as `--volume` spells it: `offer:ID`, `offers:A,B`, `channel:NAME` or `total`.
        public var optionText: String {
            switch self {
            case .total: "total"
            case .offer(let id): "offer:\(id)"
            case .offers(let ids): "offers:\(ids.joined(separator: ","))"
            case .channel(let name): "channel:\(name)"
            }
        }
    }

    /// The constraint's name, shown in reasons and documents.
    public var name: String
    /// What it counts.
    public var selector: Selector
    /// How many matching recommendations the run may deliver (0 turns the selection off).
    public var max: Int

    /// The most constraints a flow or a run may declare.
    public static let maximumCount = 100

    /// A constraint; `name` defaults to the selector's ``Selector/defaultName``.
    public init(name: String? = nil, selector: Selector, max: Int) {
        self.name = name ?? selector.defaultName
        self.selector = selector
        self.max = max
    }

    /// The reason a pair is dropped when this constraint is full: `volume 'NAME' full (MAX)`.
    public var fullReason: String { "volume '\(name)' full (\(max))" }

    /// The constraints in force for a run: the flow's, each replaced (in place, up or down) by the run's constraint
    /// with the same selector, then the run's others in their order.
    public static func merged(flow: [VolumeConstraint], run: [VolumeConstraint]) -> [VolumeConstraint] {
        var merged = flow
        for constraint in run {
            if let index = merged.firstIndex(where: { $0.selector.isSame(as: constraint.selector) }) {
                merged[index] = constraint
            } else {
                merged.append(constraint)
            }
        }
        return merged
    }

    /// Parses `--volume`'s text: `offer:ID=MAX`, `offers:A,B=MAX`, `channel:NAME=MAX` or `total=MAX` (the text after
    /// the last `=` is the max, so ids may contain `:` and `=`).
    ///
    /// - Throws: ``VolumeConstraintError`` naming the text and what is wrong with it.
    public static func parse(option text: String) throws(VolumeConstraintError) -> VolumeConstraint {
        guard let equals = text.lastIndex(of: "=") else {
            throw VolumeConstraintError(
                constraint: text, "expected SELECTOR=MAX, e.g. offer:card_premium=100, channel:email=5000 or total=50000")
        }
        let selectorText = String(text[..<equals])
        let maxText = String(text[text.index(after: equals)...])
        guard let max = Int(maxText), max >= 0 else {
            throw VolumeConstraintError(constraint: text, "the max \"\(maxText)\" is not a non-negative integer")
        }
        let selector: Selector
        if selectorText == "total" {
            selector = .total
        } else if let colon = selectorText.firstIndex(of: ":") {
            let kind = selectorText[..<colon]
            let value = String(selectorText[selectorText.index(after: colon)...])
            guard !value.isEmpty else { throw VolumeConstraintError(constraint: text, "nothing follows \"\(kind):\"") }
            switch kind {
            case "offer": selector = .offer(value)
            case "channel": selector = .channel(value)
            case "offers": selector = .offers(value.split(separator: ",").map(String.init))
            default:
                throw VolumeConstraintError(
                    constraint: text, "unknown selector \"\(kind)\": use offer:ID, offers:A,B, channel:NAME or total")
            }
        } else {
            throw VolumeConstraintError(
                constraint: text, "unknown selector \"\(selectorText)\": use offer:ID, offers:A,B, channel:NAME or total")
        }
        return VolumeConstraint(selector: selector, max: max)
    }

    /// Checks a run's or a flow's list: at most ``maximumCount``, every max non-negative, every offer one of
    /// `offerIds`, ids and names within bounds, no two with the same selector.
    ///
    /// - Throws: ``VolumeConstraintError`` naming the first bad constraint (`label(index)` says how to name it).
    public static func check(
        _ constraints: [VolumeConstraint], offerIds: Set<String>, label: (Int) -> String
    ) throws(VolumeConstraintError) {
        guard constraints.count <= maximumCount else {
            throw VolumeConstraintError(
                constraint: "constraints", "there are \(constraints.count) constraints (at most \(maximumCount))")
        }
        for (index, constraint) in constraints.enumerated() {
            let shown = label(index)
            guard constraint.max >= 0 else {
                throw VolumeConstraintError(constraint: shown, "max must be a non-negative integer, got \(constraint.max)")
            }
            guard (1...256).contains(constraint.name.utf8.count) else {
                throw VolumeConstraintError(constraint: shown, "the name must be 1 to 256 bytes")
            }
            var offers: [String] = []
            switch constraint.selector {
            case .total: break
            case .offer(let id): offers = [id]
            case .offers(let ids):
                guard !ids.isEmpty else { throw VolumeConstraintError(constraint: shown, "`offers` is empty") }
                guard Set(ids).count == ids.count else {
                    throw VolumeConstraintError(constraint: shown, "`offers` names an offer twice")
                }
                offers = ids
            case .channel(let name):
                guard (1...128).contains(name.utf8.count), !name.contains(where: { $0.isWhitespace || $0.isNewline }) else {
                    throw VolumeConstraintError(constraint: shown, "the channel \"\(name)\" is not a valid channel name")
                }
            }
            for id in offers where !offerIds.contains(id) {
                throw VolumeConstraintError(constraint: shown, "the flow has no offer \"\(id)\"")
            }
            if let earlier = constraints[..<index].firstIndex(where: { $0.selector.isSame(as: constraint.selector) }) {
                throw VolumeConstraintError(
                    constraint: shown, "it has the same selector (\(constraint.selector.defaultName)) as \(label(earlier))")
            }
        }
    }

    private enum CodingKeys: String, CodingKey {
        case name, offer, offers, channel, max
    }

    /// Decodes `{"offer" | "offers" | "channel" (none for a total), "max", "name"?}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let given = [CodingKeys.offer, .offers, .channel].filter { container.contains($0) }
        guard given.count <= 1 else {
            throw DecodingError.dataCorruptedError(
                forKey: given[1], in: container,
                debugDescription: "a constraint has at most one of offer, offers and channel")
        }
        let selector: Selector
        switch given.first {
        case .offer: selector = .offer(try container.decode(String.self, forKey: .offer))
        case .offers: selector = .offers(try container.decode([String].self, forKey: .offers))
        case .channel: selector = .channel(try container.decode(String.self, forKey: .channel))
        default: selector = .total
        }
        let max = try container.decode(Int.self, forKey: .max)
        guard max >= 0 else {
            throw DecodingError.dataCorruptedError(
                forKey: .max, in: container, debugDescription: "max must be a non-negative integer, got \(max)")
        }
        self.init(name: try container.decodeIfPresent(String.self, forKey: .name), selector: selector, max: max)
    }

    /// Encodes `{"name", "offer" | "offers" | "channel" (none for a total), "max"}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        switch selector {
        case .total: break
        case .offer(let id): try container.encode(id, forKey: .offer)
        case .offers(let ids): try container.encode(ids, forKey: .offers)
        case .channel(let name): try container.encode(name, forKey: .channel)
        }
        try container.encode(max, forKey: .max)
    }
}

/// What a run's allocation did with one constraint: the units it used and the pairs it turned away.
public struct ConstraintTally: Sendable, Hashable, Codable {
    /// Accepted recommendations that matched the constraint.
    public var used: Int
    /// Pairs dropped because this constraint was the first full one they matched.
    public var turnedAway: Int

    /// A tally.
    public init(used: Int = 0, turnedAway: Int = 0) {
        self.used = used
        self.turnedAway = turnedAway
    }
}

/// A constraint that cannot be used, with the constraint named (its `--volume` text, `constraints[2]`, or the
/// flow's file and line) and what is wrong.
public struct VolumeConstraintError: Error, Sendable, Hashable, CustomStringConvertible {
    /// How the constraint is named.
    public var constraint: String
    /// What is wrong with it.
    public var problem: String

    /// An error about `constraint`.
    public init(constraint: String, _ problem: String) {
        self.constraint = constraint
        self.problem = problem
    }

    /// "constraint NAME: PROBLEM".
    public var description: String { "constraint \(constraint): \(problem)" }
}
