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
        /// `filter`, `score`, `rank`, `channel`, `limit` or `stage`.
        public var kind: String
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
}
