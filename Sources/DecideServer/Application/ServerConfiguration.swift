import LuaRuntime

/// Where the server listens, how many runs it executes at once, and when a run's process is taken as gone.
public struct ServerConfiguration: Sendable {
    /// The address to bind.
    public var host: String
    /// The port to bind (0 picks a free one).
    public var port: Int
    /// How many runs execute at once; later ones wait, pending, first in first out.
    public var concurrentRuns: Int
    /// Seconds without a heartbeat after which a running run's process is taken as gone
    /// (`DECIDE_RUN_LEASE_SECONDS`, as the `decide runs` commands use it).
    public var leaseSeconds: Double
    /// Worker threads (each with its own Lua state) for requests that need a flow: traces, listings, run checks.
    public var requestWorkers: Int
    /// The largest sandbox limits a run may ask for (``SandboxLimits/serverMaximum`` by default).
    public var maximumLimits: SandboxLimits

    /// Creates a configuration.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, concurrentRuns: Int = 1, leaseSeconds: Double = 30,
        requestWorkers: Int = 2, maximumLimits: SandboxLimits = .serverMaximum
    ) {
        self.maximumLimits = maximumLimits
        self.host = host
        self.port = port
        self.concurrentRuns = concurrentRuns
        self.leaseSeconds = leaseSeconds
        self.requestWorkers = requestWorkers
    }
}
