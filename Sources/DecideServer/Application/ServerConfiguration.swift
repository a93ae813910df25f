import DecideStore
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
    public var lease: LeasePolicy
    /// Worker threads (each with its own Lua state) for requests that need a flow: traces, listings, run checks.
    public var requestWorkers: Int
    /// The largest sandbox limits a run may ask for (``SandboxLimits/serverMaximum`` by default).
    public var maximumLimits: SandboxLimits
    /// Whether the server executes runs itself; `false` leaves them to `decide worker` processes.
    public var executesRuns: Bool

    /// Creates a configuration.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, concurrentRuns: Int = 1, lease: LeasePolicy = LeasePolicy(),
        requestWorkers: Int = 2, maximumLimits: SandboxLimits = .serverMaximum, executesRuns: Bool = true
    ) {
        self.executesRuns = executesRuns
        self.maximumLimits = maximumLimits
        self.host = host
        self.port = port
        self.concurrentRuns = concurrentRuns
        self.lease = lease
        self.requestWorkers = requestWorkers
    }
}
