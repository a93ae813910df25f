import Logging
import PostgresNIO

/// Wakes idle workers when there may be work: a run created or queued again, a chunk given back. One connection of
/// its own `LISTEN`s on `decide_work` (the store sends `NOTIFY decide_work` in those transactions, delivered at
/// commit); waiters are resumed at the next notification. No wake-up is lost between a worker finding nothing to
/// claim and its next wait: a notification that finds nobody waiting, and the moment `LISTEN` takes effect (work may
/// have appeared before it did), let the next wait return at once. If the connection fails, waiters only time out:
/// polling stays the fallback.
actor PostgresWakeups {
    static let channel = "decide_work"

    private let location: PostgresLocation
    private let logger: Logger
    private var listening: Task<Void, Never>?
    private var waiters: [Int: CheckedContinuation<Bool, Never>] = [:]
    private var nextWaiter = 0
    /// A notification (or the start of listening) that came while nobody waited, for the next wait to return at once.
    private var missed = false

    init(location: PostgresLocation, logger: Logger) {
        self.location = location
        self.logger = logger
    }

    deinit {
        listening?.cancel()
    }

    /// Waits for the next notification (`true`) or `timeout` (`false`), whichever comes first.
    func wait(upTo timeout: Duration) async -> Bool {
        startListening()
        if missed {
            missed = false
            return true
        }
        let id = nextWaiter
        nextWaiter += 1
        let timer = Task {
            try? await Task.sleep(for: timeout)
            self.resume(id, woken: false)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            waiters[id] = continuation
        }
    }

    private func resume(_ id: Int, woken: Bool) {
        waiters.removeValue(forKey: id)?.resume(returning: woken)
    }

    private func notified() {
        if waiters.isEmpty { missed = true }
        for (_, waiter) in waiters { waiter.resume(returning: true) }
        waiters.removeAll()
    }

    private func listeningEnded() {
        listening = nil
    }

    private func startListening() {
        guard listening == nil else { return }
        let location = self.location, logger = self.logger
        listening = Task {
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: try PostgresCustomerStore.connectionConfiguration(location), id: 2, logger: logger)
                defer { Task { try? await connection.close() } }
                try await connection.listen(on: Self.channel) { notifications in
                    // Listening from here on; what was notified before it went unheard.
                    self.notified()
                    for try await _ in notifications { self.notified() }
                }
            } catch {
                logger.debug("listening for work stopped", metadata: ["error": "\(error)"])
            }
            self.listeningEnded()
        }
    }
}
