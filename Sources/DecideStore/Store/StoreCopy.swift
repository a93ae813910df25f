import Foundation

/// A finished (or pending) run as it moves between stores: its record with its totals, its history, breakdowns and
/// participants. Its customer results follow in batches (``RunStore/restoreResults(runId:_:)``).
public struct RunArchive: Sendable {
    /// The run, with its id, options, status, times and totals.
    public var record: RunRecord
    /// Its status history, oldest first.
    public var events: [RunEvent]
    /// How many recommendations each offer got.
    public var offers: [OfferCount]
    /// How many recommendations went on each channel.
    public var channels: [ChannelCount]
    /// How many recommendations were made at each rank.
    public var ranks: [RankCount]
    /// What each stage received and dropped.
    public var stages: [StageCount]
    /// The processes that took part.
    public var participants: [RunParticipant]
}

/// What `decide store copy` copied.
public struct StoreCopySummary: Sendable, Hashable, Codable {
    /// Customers copied.
    public var customers: Int
    /// Saved segments copied (`all` excepted).
    public var segments: Int
    /// Runs copied, with their results.
    public var runs: Int
    /// Customer results copied, over all runs.
    public var results: Int
    /// Interactions copied (the contact history), with their ids and storage times.
    public var interactions: Int

    /// A summary.
    public init(customers: Int, segments: Int, runs: Int, results: Int, interactions: Int) {
        self.customers = customers
        self.segments = segments
        self.runs = runs
        self.results = results
        self.interactions = interactions
    }
}

/// Copies a whole store (customers, segments, runs and their results, the interaction history) into an empty one,
/// between SQLite and PostgreSQL either way, through the store protocols alone.
///
/// Customers keep their attributes in order, with their types; runs keep their ids, statuses, times, totals,
/// history, breakdowns and results (a run with volume constraints keeps them and their tallies, not the candidates
/// its allocation dropped). Runs still running or interrupted are refused (let them end, cancel or resume
/// them first): their chunk claims belong to the source's workers.
public enum StoreCopy {
    /// Copies `source` into `target`, reporting each step to `progress`.
    ///
    /// - Throws: `StoreError` `invalidArgument` when the target holds customers, segments or runs, or a run is
    ///   running or interrupted; store errors of either side.
    public static func copy(
        from source: any RunQueueStore, to target: any RunQueueStore, progress: (String) -> Void = { _ in }
    ) async throws -> StoreCopySummary {
        try await checkEmpty(target)
        var runs: [RunRecord] = []
        var offset = 0
        while true {
            let page = try await source.runs(status: nil, limit: 200, offset: offset).runs
            runs += page
            offset += page.count
            if page.count < 200 { break }
        }
        if let active = runs.first(where: { $0.status == .running || $0.interrupted }) {
            throw StoreError(
                .invalidArgument,
                "run \(active.id) is \(active.interrupted ? "interrupted" : "running"): let it end, cancel it or resume it before copying the store",
                value: active.id)
        }
        var summary = StoreCopySummary(customers: 0, segments: 0, runs: 0, results: 0, interactions: 0)
        summary.customers = try await copyCustomers(from: source, to: target)
        progress("customers: \(summary.customers)")
        for counted in try await source.segments() where counted.segment.name != Segment.allName {
            let segment = counted.segment
            _ = try await target.saveSegment(name: segment.name, filter: segment.filter, description: segment.description, replace: true)
            summary.segments += 1
        }
        progress("segments: \(summary.segments)")
        for run in runs.reversed() {
            let archive = RunArchive(
                record: run, events: try await source.events(runId: run.id),
                offers: try await source.offerBreakdown(runId: run.id), channels: try await source.channelBreakdown(runId: run.id),
                ranks: try await source.rankBreakdown(runId: run.id), stages: try await source.stageFunnel(runId: run.id),
                participants: try await source.participants(runId: run.id))
            try await target.restoreRun(archive)
            summary.results += try await spool(
                { try await source.exportResults(runId: run.id, $0) }, into: { try await target.restoreResults(runId: run.id, $0) })
            summary.runs += 1
            progress("run \(run.id): \(archive.record.summary.totalCustomers) customers")
        }
        summary.interactions = try await spool(
            { try await source.exportInteractions($0) }, into: { _ = try await target.restoreInteractions($0) })
        progress("interactions: \(summary.interactions)")
        return summary
    }

    /// Moves what `read` streams into `write`, 5,000 at a time, spooled through a JSON Lines file (the source
    /// streams from one read, which cannot wait for the target), so that memory stays flat whatever the size.
    /// Returns how many.
    private static func spool<Item: Codable>(
        _ read: ((Item) throws -> Void) async throws -> Void, into write: ([Item]) async throws -> Void
    ) async throws -> Int {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("decide-copy-\(UUID().uuidString).jsonl")
        guard FileManager.default.createFile(atPath: file.path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        defer { try? FileManager.default.removeItem(at: file) }
        let handle = try FileHandle(forWritingTo: file)
        let encoder = JSONEncoder()
        var pending = Data()
        try await read { item in
            pending.append(try encoder.encode(item))
            pending.append(0x0A)
            if pending.count >= 1 << 20 {
                try handle.write(contentsOf: pending)
                pending.removeAll(keepingCapacity: true)
            }
        }
        try handle.write(contentsOf: pending)
        try handle.close()
        var lines = try LineReader(url: file)
        let decoder = JSONDecoder()
        var batch: [Item] = []
        var count = 0
        while let (_, bytes) = lines.next() {
            batch.append(try decoder.decode(Item.self, from: Data(bytes)))
            if batch.count == 5000 {
                try await write(batch)
                count += batch.count
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty {
            try await write(batch)
            count += batch.count
        }
        return count
    }

    private static func checkEmpty(_ target: any RunQueueStore) async throws {
        let customers = try await target.count(.named(Segment.allName))
        let runs = try await target.runs(status: nil, limit: 0, offset: 0).total
        let segments = try await target.segments().count - 1
        let interactions = try await target.countInteractions(InteractionFilter())
        guard customers == 0, runs == 0, segments == 0, interactions == 0 else {
            throw StoreError(
                .invalidArgument,
                "the target store is not empty (\(customers) customers, \(segments) segments, \(runs) runs, \(interactions) interactions): copy into a new store")
        }
    }

    /// The customers, their attributes created first in the source's order (a header-only CSV), then the rows as
    /// JSON Lines with every type given, so that nothing is inferred again.
    private static func copyCustomers(from source: any RunQueueStore, to target: any RunQueueStore) async throws -> Int {
        let schema = try await source.schema()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("decide-copy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let types = Dictionary(uniqueKeysWithValues: schema.attributes.dropFirst().map { ($0.name, $0.type) })
        let header = directory.appendingPathComponent("header.csv")
        try Data((schema.names.joined(separator: ",") + "\n").utf8).write(to: header)
        _ = try await target.importCustomers(from: .file(header, format: .csv), options: ImportOptions(schema: types))
        let rows = directory.appendingPathComponent("customers.jsonl")
        guard FileManager.default.createFile(atPath: rows.path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        let handle = try FileHandle(forWritingTo: rows)
        var cursor = try await source.customerBatches(.named(Segment.allName), batchSize: 10_000)
        var count = 0
        let encoder = JSONEncoder()
        while let batch = try await cursor.next() {
            var data = Data()
            for customer in batch.customers {
                data.append(contentsOf: "{".utf8)
                for (index, name) in batch.fieldNames.enumerated() {
                    if index > 0 { data.append(contentsOf: ",".utf8) }
                    data.append(try encoder.encode(name))
                    data.append(contentsOf: ":".utf8)
                    data.append(try encoder.encode(customer.values[index]))
                }
                data.append(contentsOf: "}\n".utf8)
            }
            try handle.write(contentsOf: data)
            count += batch.customers.count
        }
        try handle.close()
        if count > 0 {
            _ = try await target.importCustomers(from: .file(rows, format: .jsonl), options: ImportOptions(schema: types))
        }
        return count
    }
}
