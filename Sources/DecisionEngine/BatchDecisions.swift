import DecideStore
/// The decisions of one batch of customers, column by column so that a million customers cost a few arrays,
/// not a million objects.
///
/// Customer `i` (in `customerIds`) has the recommendations at positions `ends[i-1]..<ends[i]` of the
/// recommendation columns.
public struct BatchDecisions: Sendable {
    /// Every customer of the batch, in batch order (a failed one has no recommendations and an entry in
    /// ``errors``).
    public var customerIds: [String] = []
    /// Where each customer's recommendations end in the recommendation columns.
    public var ends: [Int] = []
    /// Each recommendation's offer, as an index into the flow's offers (``FlowDescription/offers``).
    public var offerIndexes: [Int32] = []
    /// Each recommendation's channel, as an index into ``channelNames``.
    public var channelIndexes: [Int32] = []
    /// Each recommendation's score (NaN when no stage scored it).
    public var scores: [Double] = []
    /// The channel names ``channelIndexes`` refer to.
    public var channelNames: [String] = []
    /// The customers whose decision failed, in batch order.
    public var errors: [DecisionError] = []
    /// The position in ``customerIds`` of each of ``errors``.
    public var errorIndexes: [Int] = []
    /// Per stage: how many candidates it received and how many it passed on, summed over the batch.
    public var funnel: [StageTally] = []

    /// Creates an empty batch.
    public init() {}

    /// How many customers the batch held.
    public var count: Int { customerIds.count }

    /// The recommendations of customer `index`, resolved against `flow`.
    public func recommendations(at index: Int, flow: FlowDescription) -> [Recommendation] {
        let start = index == 0 ? 0 : ends[index - 1]
        return (start..<ends[index]).map { position in
            Recommendation(
                rank: position - start + 1,
                offerId: flow.offers[Int(offerIndexes[position])].id,
                channel: channelNames[Int(channelIndexes[position])],
                score: scores[position].isNaN ? nil : scores[position]
            )
        }
    }
}

/// How many candidates one stage received and passed on.
public struct StageTally: Sendable, Hashable, Codable {
    /// Candidates the stage received.
    public var received: Int
    /// Candidates the stage passed on.
    public var passed: Int
    /// Candidates the stage dropped.
    public var dropped: Int { received - passed }
}
