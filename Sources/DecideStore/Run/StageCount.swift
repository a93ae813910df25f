/// What one stage of a flow did over a run: the candidates it received and how many it dropped.
public struct StageCount: Sendable, Hashable, Codable {
    /// The stage's position in the flow, from 0.
    public var index: Int
    /// The stage's name.
    public var name: String
    /// The stage's kind, such as `eligibility` or `ranking`.
    public var kind: String
    /// Candidates the stage received.
    public var received: Int
    /// Candidates the stage dropped.
    public var dropped: Int

    /// Creates a stage count.
    public init(index: Int, name: String, kind: String, received: Int, dropped: Int) {
        self.index = index
        self.name = name
        self.kind = kind
        self.received = received
        self.dropped = dropped
    }
}
