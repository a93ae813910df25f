import Foundation
import Testing

/// The built `decide` binary, run as a subprocess.
@Suite("decide CLI")
struct CLITests {
    /// The output and exit status of one run.
    struct Result {
        let status: Int32
        let output: String
        let error: String
    }

    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("decide-cli-tests-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// `decide` sits in the build products directory, next to the test bundle's resources.
    static let binary = Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("decide")

    private func decide(_ arguments: String...) throws -> Result {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.binary.path),
            "build the decide product first: \(Self.binary.path) is missing")
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments + ["--db", directory.appendingPathComponent("cli.sqlite").path]
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
            error: String(decoding: errorData, as: UTF8.self))
    }

    private func json(_ result: Result) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(result.output.utf8))
    }

    @Test("import then count, with and without a filter")
    func importAndCount() throws {
        let people = Bundle.module.url(forResource: "Fixtures/people.csv", withExtension: nil)!.path
        let imported = try decide("customers", "import", people)
        #expect(imported.status == 0)
        #expect(imported.output.hasPrefix("Imported 6 customers"))
        #expect(try decide("customers", "count").output == "6\n")
        #expect(try decide("customers", "count", "--filter", "age >= 30").output == "4\n")
        let shown = try json(try decide("customers", "show", "c3", "--json")) as? [String: Any]
        #expect((shown?["attributes"] as? [String: Any])?["name"] as? String == "Ágnes")
    }

    @Test("an invalid filter exits 2 with its position on standard error")
    func invalidFilter() throws {
        _ = try decide("customers", "generate", "--count", "10")
        let result = try decide("customers", "count", "--filter", "age >= 30 and agee > 3")
        #expect(result.status == 2)
        #expect(result.error.hasPrefix(#"decide: filter: column 15: unknown field "agee" (did you mean "age"?)"#))
        let created = try decide("segments", "create", "bad", "--filter", "age >")
        #expect(created.status == 2)
        #expect(created.error.contains("column 5"))
    }

    @Test("segments create, list, show and delete with --json")
    func segments() throws {
        _ = try decide("customers", "generate", "--count", "500", "--seed", "3")
        let created = try json(try decide("segments", "create", "young", "--filter", "age < 30", "--description", "Young", "--json")) as? [String: Any]
        #expect(created?["name"] as? String == "young")
        let count = try #require(created?["count"] as? Int)
        let listed = try json(try decide("segments", "list", "--json")) as? [[String: Any]]
        #expect(listed?.map { $0["name"] as? String } == ["all", "young"])
        #expect(listed?.map { $0["count"] as? Int } == [500, count])
        let shown = try json(try decide("segments", "show", "young", "--json")) as? [String: Any]
        #expect(shown?["filter"] as? String == "age < 30")
        #expect((shown?["sample"] as? [Any])?.count == min(5, count))
        #expect(try decide("segments", "delete", "young", "--json").status == 0)
        #expect(try decide("segments", "show", "young").status == 2)
        #expect(try decide("segments", "delete", "all").status == 2)
    }
}
