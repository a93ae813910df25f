import Foundation

/// A store's allocation of a run, from one read of the run's candidates in key order (customer id, rank).
///
/// The read numbers every pair by its position in that order (so ties on score fall in customer id then rank order
/// by position alone) and its customer by position, and gathers compact records of (score, pair, customer, offer,
/// channel); ``finish(checkEvery:shouldStop:)`` sorts them by score descending then pair position, in memory up to
/// ``runLength`` records (2,000,000 by default) and as an external merge of sorted runs spilled to temporary files beyond, and walks them
/// through one ``VolumeAllocator``, keeping each pair's outcome as one byte (0 accepted, else its reason code + 1).
/// ``forEachDrop(from:limit:_:)`` then hands the dropped pairs out in key order for the store to mark. Memory: the
/// sort's run, three bytes per pair, each customer's id and a few bytes per customer; never the pairs themselves.
final class AllocationWalk {
    /// A pair as the sort sees it.
    struct Record {
        var score: Double
        var pair: Int32
        var customer: Int32
        var offer: UInt16
        var channel: UInt16

        /// Allocation order: score descending, then position (customer id, then rank).
        static func precedes(_ a: Record, _ b: Record) -> Bool {
            a.score != b.score ? a.score > b.score : a.pair < b.pair
        }
    }

    /// Records sorted in memory before a run is spilled to a file.
    let runLength: Int

    private(set) var allocator: VolumeAllocator
    private(set) var offers: [String: Int] = [:]
    private(set) var channels: [String: Int] = [:]
    private var offerIds: [String] = []
    private var offerIndexes: [String: UInt16] = [:]
    private var channelNames: [String] = []
    private var channelIndexes: [String: UInt16] = [:]
    private var buffer: [Record] = []
    private var spilled: [URL] = []
    private var pairs: Int32 = 0
    private var customers: Int32 = 0
    private var lastCustomer: String?
    private var outcomes: [UInt8] = []
    /// Each customer's id and where its pairs start, by position (one more start at the end), and each pair's rank.
    private var customerIds: [String] = []
    private var firstPairs: [Int32] = []
    private var ranks: [UInt16] = []

    init(constraints: [VolumeConstraint], maxOffers: Int?, runLength: Int = 2_000_000) {
        allocator = VolumeAllocator(constraints: constraints, maxOffers: maxOffers)
        self.runLength = max(1, runLength)
    }

    deinit {
        for file in spilled { try? FileManager.default.removeItem(at: file) }
    }

    /// Adds the next row of the first read, in key order.
    ///
    /// - Throws: `StoreError` `database` when a temporary file cannot be written, or past 2³¹ pairs or 65,535
    ///   distinct offers or channels.
    func add(customerId: String, rank: Int, offerId: String, channel: String, score: Double) throws {
        if customerId != lastCustomer {
            if lastCustomer != nil { customers += 1 }
            lastCustomer = customerId
            customerIds.append(customerId)
            firstPairs.append(pairs)
        }
        guard pairs < Int32.max, (1...Int(UInt16.max)).contains(rank) else {
            throw StoreError(.database, "a run with volume constraints has more than 2^31 candidates, or a rank past 65,535")
        }
        ranks.append(UInt16(rank))
        buffer.append(Record(
            score: score, pair: pairs, customer: customers, offer: try Self.index(of: offerId, in: &offerIds, &offerIndexes),
            channel: try Self.index(of: channel, in: &channelNames, &channelIndexes)))
        pairs += 1
        if buffer.count >= runLength { try spill() }
    }

    private static func index(of name: String, in names: inout [String], _ indexes: inout [String: UInt16]) throws -> UInt16 {
        if let index = indexes[name] { return index }
        guard names.count < Int(UInt16.max) else { throw StoreError(.database, "more than 65,535 distinct offers or channels") }
        let index = UInt16(names.count)
        names.append(name)
        indexes[name] = index
        return index
    }

    /// Sorts the buffer and writes it to a temporary file.
    private func spill() throws {
        buffer.sort(by: Record.precedes)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("decide-allocation-\(UUID().uuidString)")
        let data = buffer.withUnsafeBufferPointer { Data(buffer: $0) }
        do {
            try data.write(to: file)
        } catch {
            throw StoreError(.database, "cannot write the allocation's sort run to \(file.path): \(error)")
        }
        spilled.append(file)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Sorts every pair into allocation order and decides each; `shouldStop` is asked every `checkEvery` pairs and
    /// ends the walk early when it says so. Returns whether it was stopped.
    func finish(checkEvery: Int, shouldStop: () throws -> Bool) throws -> Bool {
        outcomes = Array(repeating: 0, count: Int(pairs))
        var matches: [[Int]] = []
        for channel in channelNames.indices {
            for offer in offerIds.indices {
                matches.append(allocator.matching(offerId: offerIds[offer], channel: channelNames[channel]))
            }
        }
        var stopped = false
        func decide(_ record: Record) throws {
            let matching = matches[Int(record.channel) * offerIds.count + Int(record.offer)]
            if let reason = allocator.decide(customer: Int(record.customer), matching: matching) {
                outcomes[Int(record.pair)] = UInt8(reason + 1)
            } else {
                offers[offerIds[Int(record.offer)], default: 0] += 1
                channels[channelNames[Int(record.channel)], default: 0] += 1
            }
            if allocator.walked % checkEvery == 0, try shouldStop() { stopped = true }
        }
        if spilled.isEmpty {
            buffer.sort(by: Record.precedes)
            for record in buffer where !stopped { try decide(record) }
            buffer = []
            return stopped
        }
        if !buffer.isEmpty { try spill() }
        buffer = []
        var runs = try spilled.map { try SortedRun(file: $0) }
        // A k-way merge: the run whose head comes first, found by a linear scan (few runs).
        while !stopped {
            var best: Int?
            for index in runs.indices {
                guard let head = runs[index].head else { continue }
                if best == nil || Record.precedes(head, runs[best!].head!) { best = index }
            }
            guard let best else { break }
            try decide(runs[best].head!)
            try runs[best].advance()
        }
        return stopped
    }

    /// Calls `body` with the dropped pairs of the customers from position `start` on, in key order (customer id,
    /// rank, reason code), until at least `limit` were handed out; returns the position to go on from, or `nil` at
    /// the end.
    func forEachDrop(from start: Int, limit: Int, _ body: (String, Int, Int32) throws -> Void) rethrows -> Int? {
        var given = 0
        var customer = start
        while customer < customerIds.count {
            let end = customer + 1 < firstPairs.count ? Int(firstPairs[customer + 1]) : Int(pairs)
            for pair in Int(firstPairs[customer])..<end where outcomes[pair] > 0 {
                try body(customerIds[customer], Int(ranks[pair]), Int32(outcomes[pair]) - 1)
                given += 1
            }
            customer += 1
            if given >= limit { return customer < customerIds.count ? customer : nil }
        }
        return nil
    }

    /// A sorted run read back from its file a block at a time.
    private struct SortedRun {
        let handle: FileHandle
        var block: [Record] = []
        var position = 0
        var head: Record? { position < block.count ? block[position] : nil }

        init(file: URL) throws {
            do {
                handle = try FileHandle(forReadingFrom: file)
            } catch {
                throw StoreError(.database, "cannot read the allocation's sort run \(file.path): \(error)")
            }
            try load()
        }

        mutating func advance() throws {
            position += 1
            if position >= block.count { try load() }
        }

        private mutating func load() throws {
            let stride = MemoryLayout<Record>.stride
            let data = try handle.read(upToCount: stride * 65_536) ?? Data()
            let count = data.count / stride
            block = [Record](unsafeUninitializedCapacity: count) { records, initialized in
                data.withUnsafeBytes { bytes in
                    UnsafeMutableRawBufferPointer(records).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<count * stride]))
                }
                initialized = count
            }
            position = 0
        }
    }
}
