import Foundation

/// A chunk of a run that one worker process holds: a key range of the run's frozen audience, the fencing token of
/// this claim, and how far the chunk was committed before (by this holder or an earlier one).
///
/// Every batch commit carries the claim; the store refuses it (`StoreError` code `leaseLost`) unless the chunk's
/// current token is still this one, so a holder whose lease ran out (paused, partitioned, too slow) can never commit
/// over the process that took the chunk over.
public struct ChunkClaim: Sendable, Hashable, Codable {
    /// The run the chunk belongs to.
    public var runId: String
    /// The chunk's position in the run, from 0.
    public var chunk: Int
    /// The fencing token of this claim: it grows by one with every claim of the chunk.
    public var token: Int64
    /// The worker process holding the chunk.
    public var workerId: String
    /// The chunk's first customer id (byte order).
    public var firstCustomerId: String
    /// The chunk's last customer id.
    public var lastCustomerId: String
    /// The last customer committed in the chunk before this claim, if any: the holder goes on after it.
    public var committedThrough: String?
    /// Whether the chunk is the run's volume allocation (docs/runs.md) rather than a range of its customers.
    public var isAllocation: Bool

    /// Creates a claim.
    public init(
        runId: String, chunk: Int, token: Int64, workerId: String, firstCustomerId: String, lastCustomerId: String,
        committedThrough: String?, isAllocation: Bool = false
    ) {
        self.isAllocation = isAllocation
        self.runId = runId
        self.chunk = chunk
        self.token = token
        self.workerId = workerId
        self.firstCustomerId = firstCustomerId
        self.lastCustomerId = lastCustomerId
        self.committedThrough = committedThrough
    }
}

/// A worker process as it registers itself with the store: one process, any number of decision threads.
public struct WorkerRegistration: Sendable, Hashable {
    /// A unique id for this process's life (a new one each start).
    public var id: String
    /// The name people know it by (default `HOST:PID`).
    public var name: String
    /// The host it runs on.
    public var host: String
    /// Its process id.
    public var pid: Int
    /// Its decision threads.
    public var threads: Int
    /// The one run it works on (`decide run` without `--detach`), or `nil` for any run (`decide worker`).
    public var runId: String?

    /// Creates a registration with a fresh id.
    public init(name: String, host: String, pid: Int, threads: Int, runId: String?) {
        self.id = "w-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        self.name = name
        self.host = host
        self.pid = pid
        self.threads = threads
        self.runId = runId
    }
}

/// A live worker process, as `decide workers` lists it.
public struct WorkerProcess: Sendable, Hashable, Codable {
    /// The process's name.
    public var name: String
    /// Its host.
    public var host: String
    /// Its process id.
    public var pid: Int
    /// Its decision threads.
    public var threads: Int
    /// When it started.
    public var startedAt: Date
    /// Its last heartbeat.
    public var heartbeatAt: Date
    /// The chunk it holds, as `RUN#CHUNK`, if any.
    public var chunk: String?

    /// Creates a worker process entry.
    public init(name: String, host: String, pid: Int, threads: Int, startedAt: Date, heartbeatAt: Date, chunk: String?) {
        self.name = name
        self.host = host
        self.pid = pid
        self.threads = threads
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt
        self.chunk = chunk
    }
}

/// A process that took part in a run, with how many customers it decided.
public struct RunParticipant: Sendable, Hashable, Codable {
    /// The process's name.
    public var name: String
    /// Its host.
    public var host: String
    /// The customers it committed.
    public var customers: Int

    /// Creates a participant.
    public init(name: String, host: String, customers: Int) {
        self.name = name
        self.host = host
        self.customers = customers
    }
}

/// How long a claim lasts without a heartbeat, and how often a chunk may be abandoned before its run fails.
public struct LeasePolicy: Sendable, Hashable {
    /// Seconds a worker's chunks stay its own after its last heartbeat (`DECIDE_RUN_LEASE_SECONDS`, default 30).
    /// 0 takes every process that is not heartbeating at this instant as gone: for recovering a store by hand
    /// when no other process is alive, never for shared work.
    public var seconds: Double
    /// Claims of one chunk that may end without finishing it (a holder that died, or failed) before the run fails
    /// with the chunk's error (`DECIDE_CHUNK_ATTEMPTS`, default 3).
    public var attempts: Int

    /// A policy.
    public init(seconds: Double = 30, attempts: Int = 3) {
        self.seconds = seconds
        self.attempts = attempts
    }

    /// The policy from `DECIDE_RUN_LEASE_SECONDS` and `DECIDE_CHUNK_ATTEMPTS`, the defaults where unset.
    ///
    /// - Throws: `StoreError` `invalidArgument` naming the variable when one is set to something else than a
    ///   positive number (a positive integer for the attempts).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> LeasePolicy {
        var policy = LeasePolicy()
        if let text = environment["DECIDE_RUN_LEASE_SECONDS"] {
            guard let seconds = Double(text), seconds >= 0, seconds <= 86_400 else {
                throw StoreError(.invalidArgument, "DECIDE_RUN_LEASE_SECONDS must be a number of seconds from 0 to 86400, not \"\(text)\"", value: text)
            }
            policy.seconds = seconds
        }
        if let text = environment["DECIDE_CHUNK_ATTEMPTS"] {
            guard let attempts = Int(text), attempts > 0, attempts <= 1000 else {
                throw StoreError(.invalidArgument, "DECIDE_CHUNK_ATTEMPTS must be a whole number from 1 to 1000, not \"\(text)\"", value: text)
            }
            policy.attempts = attempts
        }
        return policy
    }

    /// How often a live process heartbeats: three times per lease, at most ten times a second.
    public var heartbeatInterval: Duration { .milliseconds(max(100, Int(seconds * 1000 / 3))) }
}
