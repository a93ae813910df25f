import Foundation

/// Which interactions a decision may see: those that happened before its decision time and, for a stored run,
/// were stored by the time the run was created, so that resuming the run or explaining one of its customers later
/// sees the history the run saw; and of those, the ones its flow reads (``scope``).
public struct HistoryWindow: Sendable, Hashable {
    /// The decision time: interactions at or after it are invisible.
    public var before: Date
    /// When the run was created: interactions stored after it are invisible (`nil`: every stored interaction).
    public var storedThrough: Date?
    /// What the flow reads of what it may see.
    public var scope: HistoryScope

    /// A window.
    public init(before: Date, storedThrough: Date? = nil, scope: HistoryScope = .all) {
        self.before = before
        self.storedThrough = storedThrough
        self.scope = scope
    }

    /// The earliest time the scope reads, in milliseconds since 1970 (a whole millisecond at or before the start
    /// of the longest window), or `nil` for all time.
    var since: Int64? {
        scope.days.map { before.milliseconds - Int64((($0 * 86_400_000).rounded(.up)).clamped(to: 0...9e15)) }
    }
}

/// Which interactions a flow reads: those of some outcomes over its longest window (a flow whose only use of the
/// history is its `cap` and `cooldown` stages), or all of them.
public struct HistoryScope: Sendable, Hashable, Codable {
    /// The longest window in days, `nil` for all time.
    public var days: Double?
    /// The outcomes read, `nil` for every outcome.
    public var outcomes: Set<String>?

    /// A scope.
    public init(days: Double?, outcomes: Set<String>?) {
        self.days = days
        self.outcomes = outcomes
    }

    /// Every interaction.
    public static let all = HistoryScope(days: nil, outcomes: nil)
}

extension Comparable {
    fileprivate func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}

/// The interaction history of some customers as the decision engine reads it: for each customer, the newest
/// ``perCustomerLimit`` interactions before a decision time, newest first, in columns (names interned), so that a
/// batch's history costs a few arrays and is bounded by the batch's size.
public struct InteractionHistory: Sendable, Hashable {
    /// How many interactions of one customer a decision sees at most: the newest ones.
    public static let perCustomerLimit = 1_000

    /// The offer ids, channels and outcomes the entries name, each once.
    public var names: [String] { table.names }
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
    private var table = NameTable()
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
        guard open(customerId) else { return }
        append(offer: index(of: offerId), channel: channel.map { index(of: $0) } ?? -1, outcome: index(of: outcome), at: at)
    }

    /// Makes `customerId` the customer whose entries are appended; returns whether they may have another.
    mutating func open(_ customerId: String) -> Bool {
        if openCustomer != customerId {
            if let openCustomer { ranges[openCustomer] = openStart..<times.count }
            openCustomer = customerId
            openStart = times.count
        }
        return times.count - openStart < Self.perCustomerLimit
    }

    /// Appends an entry of the open customer, its names given as indexes into ``names``.
    mutating func append(offer: Int32, channel: Int32, outcome: Int32, at: Int64) {
        offers.append(offer)
        channels.append(channel)
        outcomes.append(outcome)
        times.append(at)
    }

    /// The index of `name` in ``names``, added when new.
    mutating func index(of name: String) -> Int32 {
        table.number(of: name)
    }
}

/// Builds an ``InteractionHistory`` from rows read as bytes (the SQLite store's history read): a customer id becomes a
/// string once per customer, not once per row, and names are interned by a hash of their bytes, not through a string
/// each.
struct InteractionHistoryBuilder {
    private(set) var history = InteractionHistory()
    private var customerBytes: [UInt8] = []
    private var customerId = ""
    private var open = false
    /// Name indexes by the FNV-1a hash of their bytes (a collision falls back to the string).
    private var interned: [UInt64: Int32] = [:]

    /// Appends an entry; `channel` is `nil` when the interaction has none.
    mutating func append(
        customer: UnsafeBufferPointer<UInt8>, offer: UnsafeBufferPointer<UInt8>, channel: UnsafeBufferPointer<UInt8>?,
        outcome: UnsafeBufferPointer<UInt8>, at: Int64
    ) {
        if !customer.elementsEqual(customerBytes) {
            customerBytes = Array(customer)
            customerId = String(decoding: customer, as: UTF8.self)
            open = history.open(customerId)
        } else if open {
            open = history.open(customerId)
        }
        guard open else { return }
        history.append(
            offer: index(of: offer), channel: channel.map { index(of: $0) } ?? -1, outcome: index(of: outcome), at: at)
    }

    private mutating func index(of bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        if let index = interned[hash], history.names[Int(index)].utf8.elementsEqual(bytes) { return index }
        let index = history.index(of: String(decoding: bytes, as: UTF8.self))
        if interned[hash] == nil { interned[hash] = index }
        return index
    }
}
