import DecideRepl
import DecideStore
import Foundation
import LuaRuntime

/// A REPL session over a copy of the example flows and a generated audience (seed 42, like `make demo`) in a
/// fresh temporary directory, with everything it writes captured in one transcript.
///
/// The session lives on a worker thread of its own, as `decide repl` runs it: its Lua states stay on that thread,
/// and its waits (`:launch`) never hold a thread that Swift concurrency needs.
final class ReplHarness: Sendable {
    let directory: URL
    /// The session's Ctrl-C handle.
    let interrupt: LuaInterrupt
    private let thread: WorkerPool<ReplSession>
    private let lines = Transcript()

    /// The package's root directory.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A session over `count` generated customers, the segment `engaged`, and a copy of `flows/`.
    init(count: Int = 300, consoleLimits: SandboxLimits = .standard) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("decide-repl-tests-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let flows = directory.appendingPathComponent("flows")
        let databasePath = directory.appendingPathComponent("decide.sqlite").path
        try FileManager.default.copyItem(at: Self.root.appendingPathComponent("flows"), to: flows)
        let store = try SQLiteCustomerStore(path: databasePath)
        _ = try store.importCustomers(from: .generated(count: count, seed: 42), options: ImportOptions())
        _ = try store.saveSegment(name: "engaged", filter: "age >= 25 and (app_user or email_opt_in)",
                                  description: "Reachable adults", replace: true)
        let lines = self.lines
        thread = WorkerPool(workers: 1) { _ in
            try ReplSession(
                configuration: ReplConfiguration(flowsDirectory: flows.path, databasePath: databasePath,
                                                 consoleLimits: consoleLimits),
                output: ReplOutput(result: { lines.append($0) }, problem: { lines.append($0) })
            )
        }
        interrupt = try await thread.run { $0.interrupt }
    }

    deinit {
        thread.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    /// The session's prompt as it stands.
    func prompt() async throws -> String {
        try await thread.run { $0.prompt }
    }

    /// The copied flows directory.
    var flows: URL { directory.appendingPathComponent("flows") }
    /// The store's file.
    var databasePath: String { directory.appendingPathComponent("decide.sqlite").path }

    /// Runs a script (one command a line) and returns its exit status and what it wrote since the last call.
    func run(_ script: String, keepGoing: Bool = false, echo: Bool = false) async throws -> (status: Int32, output: String) {
        let status = try await thread.run { session in
            ReplRunner(session: session).script(script.components(separatedBy: "\n"), keepGoing: keepGoing, echo: echo)
        }
        return (status, lines.take())
    }

    /// Replaces `old` with `new` in the copied flow file `name`.
    func edit(_ name: String, replacing old: String, with new: String) throws {
        let url = flows.appendingPathComponent(name)
        let text = try String(contentsOf: url, encoding: .utf8)
        precondition(text.contains(old), "\(name) does not contain \(old)")
        try Data(text.replacingOccurrences(of: old, with: new).utf8).write(to: url)
    }

    /// The text of a fixture of this target.
    static func fixture(_ name: String) throws -> String {
        try String(contentsOf: Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)!, encoding: .utf8)
    }
}

/// The lines a session wrote, shared with its output closures.
private final class Transcript: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) {
        lock.withLock { lines.append(line) }
    }

    func take() -> String {
        lock.withLock {
            defer { lines = [] }
            return lines.joined(separator: "\n")
        }
    }
}

/// A session is a worker's context: it never asks to be replaced (it replaces its own poisoned states).
extension ReplSession: WorkerContext {
    public var needsReplacement: Bool { false }
}
