import Foundation

/// Which interactions a decision may see: those that happened before its decision time and, for a stored run,
/// were stored by the time the run was created, so that resuming the run or explaining one of its customers later
/// sees the history the run saw.
public struct HistoryWindow: Sendable, Hashable {
    /// The decision time: interactions at or after it are invisible.
    public var before: Date
    /// When the run was created: interactions stored after it are invisible (`nil`: every stored interaction).
    public var storedThrough: Date?

    /// A window.
    public init(before: Date, storedThrough: Date? = nil) {
        self.before = before
        self.storedThrough = storedThrough
    }
}

/// The interaction history of some customers as the decision engine reads it: for each customer, the newest
/// ``perCustomerLimit`` interactions before a decision time, newest first, in columns (names interned), so that a
/// batch's history costs a few arrays and is bounded by the batch's size.
public struct InteractionHistory: Sendable, Hashable {
    /// How many interactions of one customer a decision sees at most: the newest ones.
    public static let perCustomerLimit = 1_000

    /// The offer ids, channels and outcomes the entries name, each once.
    public private(set) var names: [String] = []
    /// Each entry's offer, as an index into ``names``.
    public private(set) var offers: [Int32] = []
    /// Each entry's channel, as an index into ``names``, or -1 when it has none.
    public private(set) var channels: [Int32] = []
    /// Each entry's outcome, as an index into ``names``.
    public private(set) var outcomes: [Int32] = []
    /// When each entry happened, in milliseconds since 1970.
    public private(set) var times: [Int64] = []
    /// Each customer's entries, newest first.
    private var ranges: [String: Range<Int>] = [:]
    private var nameIndexes: [String: Int32] = [:]
    /// The customer whose entries are being appended, and where they started.
    private var openCustomer: String?
    private var openStart = 0

    /// An empty history.
    public init() {}

    /// The history of `interactions` (any customers, any order), newest first per customer, keeping the newest
    /// ``perCustomerLimit`` of each.
    public init(_ interactions: [Interaction]) {
        let ordered = interactions.enumerated().sorted { a, b in
            if a.element.customerId != b.element.customerId { return a.element.customerId < b.element.customerId }
            if a.element.at != b.element.at { return a.element.at > b.element.at }
            return a.offset > b.offset
        }
        for (_, interaction) in ordered {
            append(
                customerId: interaction.customerId, offerId: interaction.offerId, channel: interaction.channel,
                outcome: interaction.outcome, at: interaction.at.milliseconds)
        }
    }

    /// How many entries the history holds.
    public var count: Int { times.count }

    /// The entries of `customerId`, newest first (an empty range when they have none).
    public func entries(of customerId: String) -> Range<Int> {
        if openCustomer == customerId { return openStart..<times.count }
        return ranges[customerId] ?? 0..<0
    }

    /// Appends an entry. A customer's entries come together, newest first (as the stores read them); entries past
    /// a customer's ``perCustomerLimit`` are left out.
    public mutating func append(customerId: String, offerId: String, channel: String?, outcome: String, at: Int64) {
        if openCustomer != customerId {
            if let openCustomer { ranges[openCustomer] = openStart..<times.count }
            openCustomer = customerId
            openStart = times.count
        }
        guard times.count - openStart < Self.perCustomerLimit else { return }
        offers.append(index(of: offerId))
        channels.append(channel.map { index(of: $0) } ?? -1)
        outcomes.append(index(of: outcome))
        times.append(at)
    }

    private mutating func index(of name: String) -> Int32 {
        if let index = nameIndexes[name] { return index }
        let index = Int32(names.count)
        names.append(name)
        nameIndexes[name] = index
        return index
    }
}
