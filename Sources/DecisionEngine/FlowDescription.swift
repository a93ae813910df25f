import DecideStore

/// What a flow declares: its name, offers and stages, as `decide flows list` and the API show them.
public struct FlowDescription: Sendable, Hashable, Codable {
    /// One offer of the catalogue.
    public struct Offer: Sendable, Hashable, Codable {
        /// The offer's unique id.
        public var id: String
        /// The offer's display name.
        public var name: String
        /// Whether the offer can become a candidate (`active ~= false`).
        public var active: Bool
    }

    /// One stage of the flow.
    public struct Stage: Sendable, Hashable, Codable {
        /// The stage's name.
        public var name: String
        /// `filter`, `score`, `rank`, `channel`, `limit`, `stage`, `cap` or `cooldown`.
        public var kind: String
        /// A `cap`'s or `cooldown`'s window in days, and the outcome it counts.
        public var days: Double? = nil
        public var outcome: String? = nil
    }

    /// The flow's key.
    public var key: String
    /// The flow's display name.
    public var name: String
    /// The flow's description.
    public var description: String
    /// The offers, in catalogue order (the index of an offer here is its offer index in results).
    public var offers: [Offer]
    /// The stages, in order.
    public var stages: [Stage]
    /// How many recommendations a customer may receive (`max_offers`), if the flow caps it.
    public var maxOffers: Int?
    /// The run-wide volume constraints the flow declares, in declaration order.
    public var constraints: [VolumeConstraint]
    /// Which interactions the flow reads: `nil` when it reads none; the outcomes and window of its `cap` and
    /// `cooldown` stages when those are all it reads; everything (``HistoryScope/all``) when it names `history` in
    /// its code. A run reads each batch's history only for a flow that reads some, and only what it reads.
    public var historyScope: HistoryScope?
    /// Whether the flow reads customers' interaction history.
    public var readsHistory: Bool { historyScope != nil }

    /// What single-customer views (`flows explain`, `flows test`, the REPL) say about the flow's volume
    /// constraints: they show the flow's own decision, and the constraints apply only in runs. `nil` without any.
    public var constraintsNote: String? {
        guard !constraints.isEmpty else { return nil }
        let names = constraints.map { "\($0.name) ≤ \($0.max)" }.joined(separator: ", ")
        return "note: run-wide volume constraints (\(names)) apply only in runs, which allocate them by score across "
            + "the whole audience; this is the flow's own decision" + (maxOffers.map { ", cut at max_offers = \($0)" } ?? "")
    }

    /// A description.
    public init(
        key: String, name: String, description: String, offers: [Offer], stages: [Stage], maxOffers: Int? = nil,
        constraints: [VolumeConstraint] = []
    ) {
        self.key = key
        self.name = name
        self.description = description
        self.offers = offers
        self.stages = stages
        self.maxOffers = maxOffers
        self.constraints = constraints
    }
}
