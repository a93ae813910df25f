import Logging
import PostgresNIO
import Synchronization

extension PostgresConnection {
    /// Sends `query` on this connection and returns its rows, or fails with a `database` error when the connection
    /// is or becomes closed before the query is answered.
    ///
    /// postgres-nio 1.33 writes a query to its channel without a promise: a query sent after the channel closed (the
    /// server restarted between two statements of a transaction) is dropped, and the task awaiting it would wait
    /// forever, holding its chunk. So the query is awaited beside a watch on the connection: once the connection is
    /// closed and the query has had a second to fail on its own, the caller is answered with the error. (A query
    /// that was dropped leaves a suspended task behind: nothing can resume it.)
    ///
    /// The store's statements go through here; the exceptions are the export's rows, streamed from the pool
    /// (`client.query`), and the import's `COPY` and migrations' scripts (`execute`), one command's each.
    @discardableResult
    func send(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence {
        if isClosed { throw Self.closedError }
        return try await withCheckedThrowingContinuation { continuation in
            let answer = Answer(continuation)
            // Unstructured on purpose: the query's own await cannot be cancelled, and the caller must be answered
            // even when it never completes.
            Task {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        do {
                            answer.give(.success(try await self.query(query, logger: logger)))
                        } catch {
                            answer.give(.failure(error))
                        }
                    }
                    group.addTask {
                        while !Task.isCancelled {
                            try? await Task.sleep(for: Self.watchInterval)
                            if Task.isCancelled { return }
                            if self.isClosed {
                                try? await Task.sleep(for: Self.watchInterval)
                                answer.give(.failure(Self.closedError))
                                return
                            }
                        }
                    }
                    await group.next()
                    group.cancelAll()
                }
            }
        }
    }

    /// How often a query's watch looks at its connection, and how long a query on a closed connection is given to
    /// fail on its own.
    static let watchInterval: Duration = .seconds(1)

    static var closedError: StoreError {
        StoreError(.database, "database: the connection to the server was closed")
    }

    /// The answer to one query: given once, by the query or by its watch, whichever comes first.
    private final class Answer: Sendable {
        private let waiting: Mutex<CheckedContinuation<PostgresRowSequence, any Error>?>

        init(_ continuation: CheckedContinuation<PostgresRowSequence, any Error>) {
            waiting = Mutex(continuation)
        }

        func give(_ result: Result<PostgresRowSequence, any Error>) {
            waiting.withLock { waiting in
                defer { waiting = nil }
                return waiting
            }?.resume(with: result)
        }
    }
}

extension PostgresClient {
    /// Runs `query` on a pooled connection (through ``PostgresConnection/send(_:logger:)``) and returns all its rows.
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await withConnection { try await $0.send(query, logger: logger).collect() }
    }
}

extension Array where Element == PostgresRow {
    /// Every row decoded as `type`.
    func decode<each Column: PostgresDecodable>(
        _ type: (repeat each Column).Type, file: String = #fileID, line: Int = #line
    ) throws -> [(repeat each Column)] {
        try map { try $0.decode(type, file: file, line: line) }
    }
}
