import Foundation
import TestSupport
import Testing

/// Logging in to a PostgreSQL server over TCP, as a user points `decide` at one: the password from the URL,
/// `PGPASSWORD` or a pgpass file; without one, with a wrong one or with SSL the server lacks, exit 1 naming the problem.
@Suite("PostgreSQL login")
struct PostgresLoginTests {
    @Test("the password comes from the URL, PGPASSWORD or PGPASSFILE; none, a wrong one or sslmode=require on a server without SSL is exit 1 saying which")
    func login() async throws {
        guard TestPostgresCluster.isAvailable else { return }
        let password = "login-\(UUID().uuidString.prefix(8))"
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("decide-login-\(UUID())")
        defer { try? FileManager.default.removeItem(at: home) }
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        // HOME without a .pgpass, and no PGPASSWORD, unless a case gives one.
        func count(_ url: String, _ environment: [String: String] = [:]) async throws -> ChildProcess.Outcome {
            try await ChildProcess(
                CLITests.binary, ["customers", "count", "--db", url],
                environment: ["HOME": home.path, "PGPASSWORD": "", "PGPASSFILE": ""].merging(environment) { _, given in given }
            ).run()
        }
        try await TestPostgresCluster.using(listeningOn: ["127.0.0.1"], password: password) { cluster in
            let server = "127.0.0.1:\(cluster.port)/decide"
            let none = try await count("postgresql://postgres@\(server)?sslmode=disable")
            #expect(none.status == 1)
            #expect(none.error.contains("cannot reach PostgreSQL at 127.0.0.1:\(cluster.port)"), "\(none.error)")
            #expect(none.error.contains("the server asks for a password: give it in the URL, in PGPASSWORD or in ~/.pgpass"), "\(none.error)")

            let wrong = try await count("postgresql://postgres@\(server)?sslmode=disable", ["PGPASSWORD": "not-\(password)"])
            #expect(wrong.status == 1)
            #expect(wrong.error.contains("password authentication failed for user \"postgres\""), "\(wrong.error)")

            let inURL = try await count("postgresql://postgres:\(password)@\(server)?sslmode=disable")
            #expect(inURL.status == 0, "\(inURL.error)")
            #expect(inURL.output == "0\n")

            let fromEnvironment = try await count("postgres://postgres@\(server)?sslmode=disable", ["PGPASSWORD": password])
            #expect(fromEnvironment.status == 0, "\(fromEnvironment.error)")

            let file = home.appendingPathComponent("pgpass")
            try "# coordinates, then the password\nother:1:*:*:nope\n127.0.0.1:\(cluster.port):decide:postgres:\(password)\n"
                .write(to: file, atomically: true, encoding: .utf8)
            _ = chmod(file.path, 0o600)
            let fromFile = try await count("postgresql://postgres@\(server)?sslmode=disable", ["PGPASSFILE": file.path])
            #expect(fromFile.status == 0, "\(fromFile.error)")

            let ssl = try await count("postgresql://postgres@\(server)?sslmode=require", ["PGPASSWORD": password])
            #expect(ssl.status == 1)
            #expect(ssl.error.contains("the server does not accept SSL connections"), "\(ssl.error)")
        }
    }
}
