import Foundation

/// A PostgreSQL cluster of a test's own, for what the shared test server must not go through (a restart) or does not
/// offer (TCP): made with the programs `scripts/with-postgres.sh` names in `DECIDE_TEST_POSTGRES_BIN`, listening on a
/// Unix socket in a temporary directory (and on TCP addresses when asked), owned by the `postgres` user when the
/// tests run as root (`initdb` refuses root). Stopped and removed by ``remove()``.
public final class TestPostgresCluster: Sendable {
    /// The database's URL over the Unix socket, as `--db` takes it.
    public let url: String
    /// The server's port (on the socket and on every TCP address).
    public let port: Int
    private let directory: URL
    private let bin: URL
    private let options: String

    /// Whether the test run can make one (`make test` sets `DECIDE_TEST_POSTGRES_BIN`).
    public static var isAvailable: Bool { ProcessInfo.processInfo.environment["DECIDE_TEST_POSTGRES_BIN"] != nil }

    /// Creates, starts and fills the cluster with one empty database, `decide`.
    ///
    /// - Parameters:
    ///   - addresses: TCP addresses to listen on besides the socket (none by default).
    ///   - password: The `postgres` user's password, which TCP clients must give (SCRAM); the socket trusts.
    public init(listeningOn addresses: [String] = [], password: String? = nil) async throws {
        guard let path = ProcessInfo.processInfo.environment["DECIDE_TEST_POSTGRES_BIN"] else {
            throw ChildProcessError(message: "DECIDE_TEST_POSTGRES_BIN is not set: run the tests under scripts/with-postgres.sh")
        }
        bin = URL(fileURLWithPath: path)
        directory = URL(fileURLWithPath: "/tmp/decide-cluster-\(UUID().uuidString.prefix(8))")
        port = addresses.isEmpty ? 5432 : Int.random(in: 20_000..<30_000)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        url = "postgresql://postgres@localhost:\(port)/decide?host=\(directory.path)"
        options = "-c listen_addresses='\(addresses.joined(separator: ","))' -p \(port) -c unix_socket_directories=\(directory.path) -c fsync=off"
        if getuid() == 0 {
            try await Self.check(ChildProcess(URL(fileURLWithPath: "/bin/chown"), ["postgres", directory.path]).run())
        }
        try await control("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale"])
        if !addresses.isEmpty {
            // The socket trusts; every TCP client logs in with the password (initdb's rules would trust loopback).
            try Data("local all all trust\nhost all all 0.0.0.0/0 scram-sha-256\n".utf8)
                .write(to: URL(fileURLWithPath: data).appendingPathComponent("pg_hba.conf"))
        }
        try await start()
        try await control("createdb", ["-h", directory.path, "-p", String(port), "-U", "postgres", "decide"])
        if let password {
            try await control("psql", [
                "-h", directory.path, "-p", String(port), "-U", "postgres", "-d", "decide", "-c",
                "ALTER USER postgres PASSWORD '\(password)'",
            ])
        }
    }

    /// Runs `body` with a new cluster (``init(listeningOn:password:)``) and removes the cluster afterwards, also when
    /// `body` throws.
    public static func using<Result>(
        listeningOn addresses: [String] = [], password: String? = nil, _ body: (TestPostgresCluster) async throws -> Result
    ) async throws -> Result {
        let cluster = try await TestPostgresCluster(listeningOn: addresses, password: password)
        do {
            let result = try await body(cluster)
            await cluster.remove()
            return result
        } catch {
            await cluster.remove()
            throw error
        }
    }

    private var data: String { directory.appendingPathComponent("data").path }

    /// Restarts the server (a fast shutdown: open connections are cut), waiting until it accepts connections again.
    public func restart() async throws {
        try await control("pg_ctl", ["-D", data, "-m", "fast", "-w", "restart"])
    }

    /// Stops the server (a fast shutdown); ``start()`` starts it again.
    public func stop() async throws {
        try await control("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"])
    }

    /// Starts the server, waiting until it accepts connections.
    public func start() async throws {
        try await control("pg_ctl", ["-D", data, "-l", directory.appendingPathComponent("server.log").path, "-w", "-o", options, "start"])
    }

    /// Stops the server and removes its directory.
    public func remove() async {
        _ = try? await control("pg_ctl", ["-D", data, "-m", "immediate", "stop"])
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs one of the server's programs as the cluster's owner.
    private func control(_ program: String, _ arguments: [String]) async throws {
        let executable = bin.appendingPathComponent(program)
        let child = getuid() == 0
            ? ChildProcess(URL(fileURLWithPath: "/usr/sbin/runuser"), ["-u", "postgres", "--", executable.path] + arguments)
            : ChildProcess(executable, arguments)
        try await Self.check(child.run(timeout: .seconds(60)))
    }

    private static func check(_ outcome: ChildProcess.Outcome) throws {
        guard outcome.status == 0 else {
            throw ChildProcessError(message: "exit \(outcome.status): \(outcome.error) \(outcome.output)")
        }
    }
}
