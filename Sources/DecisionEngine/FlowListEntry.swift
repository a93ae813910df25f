import DecideStore

/// One flow as `decide flows list` and the API list it: its description, or the problem that keeps it from
/// loading.
public struct FlowListEntry: Sendable, Hashable, Encodable {
    /// The flow's key.
    public var key: String
    /// The flow's display name, when it loads.
    public var name: String?
    /// The flow's description, when it loads.
    public var description: String?
    /// How many offers its catalogue has, when it loads.
    public var offers: Int?
    /// How many stages it has, when it loads.
    public var stages: Int?
    /// Why it does not load, when it does not.
    public var error: String?
    /// How many recommendations a customer may receive (`max_offers`), when it loads and sets one.
    public var maxOffers: Int?
    /// The run-wide volume constraints it declares, when it loads.
    public var constraints: [VolumeConstraint]?

    /// Creates an entry.
    public init(key: String, name: String? = nil, description: String? = nil, offers: Int? = nil, stages: Int? = nil,
                error: String? = nil, maxOffers: Int? = nil, constraints: [VolumeConstraint]? = nil) {
        self.maxOffers = maxOffers
        self.constraints = constraints
        self.key = key
        self.name = name
        self.description = description
        self.offers = offers
        self.stages = stages
        self.error = error
    }
}
