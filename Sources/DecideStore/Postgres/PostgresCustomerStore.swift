import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import ServiceLifecycle

/// The customer and run store on a PostgreSQL server, shared by any number of processes on any machines: the same
/// tables and semantics as the SQLite store, through postgres-nio's connection pool, every value a bound parameter.
///
/// Counters of a run are kept per chunk claim (`run_tally`, `run_*_count`) and summed when read, so workers
/// committing side by side never queue behind one row.
public final class PostgresCustomerStore: Sendable {
    /// Where the database is.
    public let location: PostgresLocation
    let client: PostgresClient
    let logger: Logger
    private let running: Task<Void, Never>?
    private let wakeups: PostgresWakeups

    /// Connects to the database (checking it can be reached, with the server's message when not) and brings its
    /// schema up to date.
    ///
    /// - Parameter runsPool: Whether the store runs its connection pool itself; `false` leaves it to the caller's
    ///   `ServiceGroup` (``services``), as `decide serve` does.
    /// - Throws: `StoreError` `database` naming the host, port and the server's message.
    public init(_ location: PostgresLocation, runsPool: Bool = true, logger: Logger = PostgresCustomerStore.quietLogger) async throws {
        self.location = location
        self.logger = logger
        let connection = try await Self.connect(location, logger: logger)
        do {
            try await PostgresMigrations.migrate(connection, logger: logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw StoreError(.database, "database: migrating \(location): \(Self.message(error))")
        }
        let client = PostgresClient(configuration: try Self.configuration(location), backgroundLogger: logger)
        self.client = client
        wakeups = PostgresWakeups(location: location, logger: logger)
        running = runsPool ? Task { await client.run() } : nil
    }

    deinit {
        running?.cancel()
    }

    /// Waits for a `NOTIFY` of new work (``RunQueueStore/waitForWork(upTo:)``).
    public func waitForWork(upTo timeout: Duration) async -> Bool {
        await wakeups.wait(upTo: timeout)
    }

    /// Tells idle workers there may be work, when the transaction commits.
    static func notifyWork(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.send(PostgresQuery(unsafeSQL: "NOTIFY \(PostgresWakeups.channel)"), logger: logger)
    }

    /// The services the caller runs in its `ServiceGroup`: the connection pool, unless the store runs it itself.
    public var services: [any Service] {
        running == nil ? [client] : []
    }

    /// A logger that reports errors only: the pool's own notices are not for a command's user.
    public static var quietLogger: Logger {
        var logger = Logger(label: "decide.postgres")
        logger.logLevel = ProcessInfo.processInfo.environment["DECIDE_POSTGRES_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .error
        return logger
    }

    /// Runs `body` in a transaction on a pooled connection: committed when it returns, rolled back when it throws,
    /// with the error it threw (not wrapped).
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await connection.send("BEGIN", logger: logger)
            do {
                let result = try await body(connection)
                try await connection.send("COMMIT", logger: logger)
                return result
            } catch {
                _ = try? await connection.send("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    /// The pool's configuration for `location`.
    static func configuration(_ location: PostgresLocation) throws -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socket = location.socketPath {
            configuration = .init(unixSocketPath: socket, username: location.user, password: location.password, database: location.database)
        } else {
            let tls: PostgresClient.Configuration.TLS
            switch location.sslMode {
            case .disable:
                tls = .disable
            case .require:
                var context = TLSConfiguration.makeClientConfiguration()
                context.certificateVerification = .none
                tls = .require(context)
            case .verifyFull:
                tls = .require(.makeClientConfiguration())
            }
            configuration = .init(
                host: location.host, port: location.port, username: location.user, password: location.password,
                database: location.database, tls: tls)
        }
        configuration.options.connectTimeout = .seconds(10)
        configuration.options.maximumConnections = 16
        // A transaction left open past twice the lease (at least 10 s: a process paused, or cut off from the network)
        // is ended by the server, so that its row locks never keep the chunk it held from the worker taking it over;
        // a live process, even a slow one on a loaded machine, never leaves a transaction idle that long.
        let lease = (try? LeasePolicy.fromEnvironment())?.seconds ?? LeasePolicy().seconds
        configuration.options.additionalStartupParameters = [
            ("idle_in_transaction_session_timeout", String(max(10_000, Int(2 * lease * 1000)))),
        ]
        return configuration
    }

    /// One connection's configuration for `location` (the first connection, which migrates; snapshots).
    static func connectionConfiguration(_ location: PostgresLocation) throws -> PostgresConnection.Configuration {
        var connection: PostgresConnection.Configuration
        if let socket = location.socketPath {
            connection = .init(unixSocketPath: socket, username: location.user, password: location.password, database: location.database)
        } else if location.sslMode != .disable {
            var context = TLSConfiguration.makeClientConfiguration()
            if location.sslMode == .require { context.certificateVerification = .none }
            connection = .init(
                host: location.host, port: location.port, username: location.user, password: location.password,
                database: location.database, tls: .require(try NIOSSLContext(configuration: context)))
        } else {
            connection = .init(
                host: location.host, port: location.port, username: location.user, password: location.password,
                database: location.database, tls: .disable)
        }
        connection.options.connectTimeout = .seconds(10)
        return connection
    }

    /// Opens one connection, so that an unreachable server, a refused login or a missing database fails at once with
    /// what the server said.
    private static func connect(_ location: PostgresLocation, logger: Logger) async throws -> PostgresConnection {
        do {
            return try await PostgresConnection.connect(configuration: try connectionConfiguration(location), id: 0, logger: logger)
        } catch {
            throw StoreError(
                .database,
                "cannot reach PostgreSQL at \(location.socketPath ?? "\(location.host):\(location.port)") (database \(location.database), user \(location.user)): \(Self.message(error))")
        }
    }

    /// What the server (or the network) said, in one line: the server's own message, or what stopped the
    /// connection (refused, no answer, an unknown host, a password or SSL the other side wants or lacks).
    static func message(_ error: any Error) -> String {
        switch error {
        case let error as PSQLError:
            if let message = error.serverInfo?[.message] {
                return message + (error.serverInfo?[.detail].map { " (\($0))" } ?? "")
            }
            if let underlying = error.underlying { return message(underlying) }
            switch error.code {
            case .authMechanismRequiresPassword:
                return "the server asks for a password: give it in the URL, in PGPASSWORD or in ~/.pgpass"
            case .sslUnsupported:
                return "the server does not accept SSL connections (sslmode=disable connects without)"
            case .unsupportedAuthMechanism:
                return "the server asks for an authentication method decide does not support (it supports password, md5 and scram-sha-256)"
            case .serverClosedConnection:
                return "the connection was closed"
            default:
                return String(reflecting: error)
            }
        case let error as NIOConnectionError:
            if let failure = error.connectionErrors.first { return message(failure.error) }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "no address is known for the host \(error.host)" }
            return "\(error)"
        case let error as IOError:
            return String(cString: strerror(error.errnoCode)).lowercased()
        case ChannelError.connectTimeout(let limit):
            return "no answer within \(limit.nanoseconds / 1_000_000_000) s"
        default:
            return "\(error)"
        }
    }

    /// Runs `body`, turning PostgreSQL failures into `StoreError`s; filter, import and store errors pass through.
    func translatingErrors<T>(_ body: () async throws -> T) async throws -> T {
        try await Self.translatingErrors(body)
    }

    /// Runs `body`, turning PostgreSQL failures into `StoreError`s (for the cursors, which outlive the call that
    /// made them).
    static func translatingErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PSQLError {
            throw StoreError(.database, "database: \(Self.message(error))")
        } catch let error as PostgresDecodingError {
            throw StoreError(.database, "database: a column of type \(error.postgresType) could not be read as \(error.targetType) (\(error.columnName))")
        }
    }

    /// The SQLSTATE of a server error, if `error` is one.
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }
}
