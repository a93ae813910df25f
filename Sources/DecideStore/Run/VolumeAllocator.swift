import Foundation

/// The allocation rule of a run with volume constraints, applied to its (customer, candidate) pairs walked once in
/// allocation order (score descending, then customer id ascending in byte order, then candidate rank ascending): a
/// pair is accepted when its customer holds fewer than `max_offers` accepted pairs and every constraint it matches
/// still has room, and then uses one unit of each; otherwise it is dropped with one reason (docs/runs.md).
///
/// Every store and the dry run walk the pairs through this one type. It keeps the constraints' counters and one
/// small count per customer, indexed by the customer's position in id order; never the pairs.
public struct VolumeAllocator: Sendable {
    /// The constraints in force, in declaration order (the flow's, then the run's added ones).
    public let constraints: [VolumeConstraint]
    /// How many pairs a customer may be accepted (`max_offers`), if capped.
    public let maxOffers: Int?
    /// What each constraint did so far.
    public private(set) var tallies: [ConstraintTally]
    /// Pairs walked, and of those dropped.
    public private(set) var walked = 0
    public private(set) var dropped = 0
    /// Customers who were accepted at least one pair.
    public private(set) var customersWithRecommendations = 0
    private var remaining: [Int]
    /// Pairs accepted, by customer position.
    private var accepted: [UInt16] = []

    /// The reason code of a pair dropped because its customer already holds `max_offers` pairs; code `k` ≥ 1 is
    /// constraint `k - 1` being full.
    public static let maxOffersReached: Int32 = 0

    /// An allocator with every constraint empty.
    public init(constraints: [VolumeConstraint], maxOffers: Int?) {
        self.constraints = constraints
        self.maxOffers = maxOffers
        tallies = Array(repeating: ConstraintTally(), count: constraints.count)
        remaining = constraints.map(\.max)
    }

    /// Decides the next pair in allocation order, of the customer at position `customer` (0-based, in id order):
    /// `nil` when accepted, else the reason code it is dropped for.
    public mutating func decide(customer: Int, offerId: String, channel: String) -> Int32? {
        decide(customer: customer, matching: matching(offerId: offerId, channel: channel))
    }

    /// The indexes of the constraints a pair of `offerId` on `channel` matches, in declaration order.
    public func matching(offerId: String, channel: String) -> [Int] {
        constraints.indices.filter { constraints[$0].selector.matches(offerId: offerId, channel: channel) }
    }

    /// Decides the next pair, which matches the constraints `matching` (from ``matching(offerId:channel:)``).
    public mutating func decide(customer: Int, matching: [Int]) -> Int32? {
        walked += 1
        if customer >= accepted.count { accepted += repeatElement(0, count: max(customer + 1 - accepted.count, accepted.count)) }
        if let maxOffers, Int(accepted[customer]) >= maxOffers {
            dropped += 1
            return Self.maxOffersReached
        }
        for index in matching where remaining[index] == 0 {
            tallies[index].turnedAway += 1
            dropped += 1
            return Int32(index + 1)
        }
        for index in matching {
            remaining[index] -= 1
            tallies[index].used += 1
        }
        if accepted[customer] == 0 { customersWithRecommendations += 1 }
        accepted[customer] &+= 1
        return nil
    }

    /// The accepted pairs by final rank: rank r counts the customers accepted r pairs or more.
    public var rankCounts: [RankCount] {
        var customersWith: [Int] = []
        for count in accepted where count > 0 {
            let count = Int(count)
            if count > customersWith.count { customersWith += Array(repeating: 0, count: count - customersWith.count) }
            customersWith[count - 1] += 1
        }
        var atLeast = 0
        var counts: [RankCount] = []
        for rank in stride(from: customersWith.count, through: 1, by: -1) {
            atLeast += customersWith[rank - 1]
            counts.append(RankCount(rank: rank, count: atLeast))
        }
        return counts.reversed()
    }

    /// The words for a reason code: `max_offers reached`, or `volume 'NAME' full (MAX)`.
    public static func reason(_ code: Int32, constraints: [VolumeConstraint]) -> String {
        let index = Int(code) - 1
        guard code != maxOffersReached, constraints.indices.contains(index) else { return "max_offers reached" }
        return constraints[index].fullReason
    }

    /// The stage funnel's last step for the allocation: the pairs it received and dropped.
    public func funnelStep(index: Int) -> StageCount {
        StageCount(index: index, name: "volume", kind: "volume", received: walked, dropped: dropped)
    }
}

/// Where a run with volume constraints is: deciding its customers (pass 1), or allocating their candidates.
public enum RunPhase: String, Sendable, Hashable, Codable {
    /// Customers go through the flow; their candidates are stored.
    case deciding
    /// The candidates are being allocated (docs/runs.md): the run is at 100% and not yet ended.
    case allocating
}

/// A candidate the allocation of a run did not deliver, with why.
public struct DroppedCandidate: Sendable, Hashable, Codable {
    /// The candidate's rank in the customer's own list (after the flow's last stage).
    public var rank: Int
    /// The offer.
    public var offerId: String
    /// The channel it would have gone on.
    public var channel: String
    /// Its score.
    public var score: Double
    /// Why: `max_offers reached`, or the first full constraint it matched (`volume 'NAME' full (MAX)`).
    public var reason: String

    /// A dropped candidate.
    public init(rank: Int, offerId: String, channel: String, score: Double, reason: String) {
        self.rank = rank
        self.offerId = offerId
        self.channel = channel
        self.score = score
        self.reason = reason
    }
}

extension RunRecord {
    /// A value a store keeps as JSON text (constraints, tallies), or `nil` for none.
    static func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String?) throws -> T? {
        guard let text else { return nil }
        return try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// A value as the JSON text a store keeps, or `nil` for none.
    static func encodeJSON<T: Encodable>(_ value: T?) throws -> String? {
        guard let value else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

