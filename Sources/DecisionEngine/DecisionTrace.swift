import DecideStore
/// Why a customer got what they got: every stage, what came in, what it dropped and why, what it scored and
/// which channels it set, and the final recommendations.
public struct DecisionTrace: Sendable, Hashable, Codable {
    /// An offer a stage dropped, and why.
    public struct Drop: Sendable, Hashable, Codable {
        /// The offer's id.
        public var offerId: String
        /// The reason the stage gave (or the engine's: "no channel", "below the top 3", ...).
        public var reason: String
    }

    /// A candidate after a stage.
    public struct Candidate: Sendable, Hashable, Codable {
        /// The offer's id.
        public var offerId: String
        /// Its score so far.
        public var score: Double?
        /// Its channel so far.
        public var channel: String?

        /// Creates a candidate.
        public init(offerId: String, score: Double?, channel: String?) {
            self.offerId = offerId
            self.score = score
            self.channel = channel
        }
    }

    /// One stage's part in the decision.
    public struct Step: Sendable, Hashable, Codable {
        /// The stage's name.
        public var name: String
        /// Its kind (`filter`, `score`, ...).
        public var kind: String
        /// How many candidates it received.
        public var received: Int
        /// The candidates it passed on, in order.
        public var candidates: [Candidate]
        /// What it dropped, with reasons.
        public var dropped: [Drop]
        /// Milliseconds spent in the stage.
        public var milliseconds: Double
    }

    /// The flow's key.
    public var flow: String
    /// The customer's id.
    public var customerId: String
    /// The stages, in order.
    public var stages: [Step]
    /// The final recommendations.
    public var recommendations: [Recommendation]
    /// What the flow printed while deciding.
    public var printed: [String]
}
