import Foundation

/// A PostgreSQL cluster of a test's own, for what the shared test server must not go through (a restart): made with
/// the programs `scripts/with-postgres.sh` names in `DECIDE_TEST_POSTGRES_BIN`, listening on a Unix socket in a
/// temporary directory, owned by the `postgres` user when the tests run as root (`initdb` refuses root). Stopped
/// and removed by ``remove()``.
public final class TestPostgresCluster: Sendable {
    /// The database's URL, as `--db` takes it.
    public let url: String
    private let directory: URL
    private let bin: URL

    /// Whether the test run can make one (`make test` sets `DECIDE_TEST_POSTGRES_BIN`).
    public static var isAvailable: Bool { ProcessInfo.processInfo.environment["DECIDE_TEST_POSTGRES_BIN"] != nil }

    /// Creates, starts and fills the cluster with one empty database, `decide`.
    public init() async throws {
        guard let path = ProcessInfo.processInfo.environment["DECIDE_TEST_POSTGRES_BIN"] else {
            throw ChildProcessError(message: "DECIDE_TEST_POSTGRES_BIN is not set: run the tests under scripts/with-postgres.sh")
        }
        bin = URL(fileURLWithPath: path)
        directory = URL(fileURLWithPath: "/tmp/decide-cluster-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        url = "postgresql://postgres@localhost/decide?host=\(directory.path)"
        if getuid() == 0 {
            try await Self.check(ChildProcess(URL(fileURLWithPath: "/bin/chown"), ["postgres", directory.path]).run())
        }
        try await control("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale"])
        try await control("pg_ctl", [
            "-D", data, "-l", directory.appendingPathComponent("server.log").path, "-w", "-o",
            "-c listen_addresses='' -c unix_socket_directories=\(directory.path) -c fsync=off", "start",
        ])
        try await control("createdb", ["-h", directory.path, "-U", "postgres", "decide"])
    }

    private var data: String { directory.appendingPathComponent("data").path }

    /// Restarts the server (a fast shutdown: open connections are cut), waiting until it accepts connections again.
    public func restart() async throws {
        try await control("pg_ctl", ["-D", data, "-m", "fast", "-w", "restart"])
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
