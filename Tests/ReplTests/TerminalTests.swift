import Foundation
import TestSupport
import Testing

/// The built `decide` the terminal test runs.
private let decideBinary = ReplHarness.root.appendingPathComponent(".build/debug/decide").path

/// Whether tmux and the built `decide` are there.
private let terminalAvailable =
    FileManager.default.isExecutableFile(atPath: decideBinary) && FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux")

/// Drives `decide repl` in a real terminal: a tmux session, keys sent with `send-keys`, the screen read with
/// `capture-pane`.
@Suite("The REPL in a terminal (tmux)", .enabled(if: terminalAvailable, "needs tmux and a built decide"))
struct TerminalTests {
    /// The tmux server of this test process alone, so that no one's own sessions are touched.
    static let server = "decide-test-\(getpid())"

    @Test("history recall, Tab completion, :step, Ctrl-C out of an endless loop back to the prompt, Ctrl-C abandoning a half-typed line")
    func terminalSession() async throws {
        let harness = try await ReplHarness()
        let home = harness.directory.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let name = "decide-repl-test-\(getpid())"
        let command = "env HOME=\(home.path) NO_COLOR=1 DECIDE_DB=\(harness.databasePath) "
            + "DECIDE_FLOWS=\(harness.flows.path) \(decideBinary) repl cross_sell"
        try await tmux("new-session", "-d", "-s", name, "-x", "120", "-y", "50", command)
        defer { Task { _ = try? await tmux("kill-server") } }

        try await waitFor("cross_sell>", in: name)
        try await tmux("send-keys", "-t", name, ":customer C000000001", "Enter")
        try await waitFor("cross_sell · C000000001 · 0/9>", in: name)

        try await tmux("send-keys", "-t", name, ":st", "Tab")
        try await waitFor("stages  step", in: name)
        try await tmux("send-keys", "-t", name, "e", "Tab", "Enter")
        try await waitFor("Stage 1/9: filter \"age\": 16 in, 14 out", in: name)
        try await waitFor("cross_sell · C000000001 · 1/9>", in: name)

        try await tmux("send-keys", "-t", name, "= 6 * 7", "Enter")
        try await waitFor("\n42\n", in: name)
        try await tmux("send-keys", "-t", name, "Up", "Enter")
        try await waitFor("\n42\n", count: 2, in: name)

        try await tmux("send-keys", "-t", name, "while true do end", "Enter")
        // Ctrl-C until the loop says it was interrupted: one press could reach the prompt before the loop began.
        try await waitFor("interrupted", in: name, pressing: "C-c")
        try await tmux("send-keys", "-t", name, "= 1 + 1", "Enter")
        try await waitFor("\n2\n", in: name)

        try await tmux("send-keys", "-t", name, "= 1 +")
        try await waitFor("> = 1 +", in: name)
        try await tmux("send-keys", "-t", name, "C-c")
        try await tmux("send-keys", "-t", name, "= 'é' .. 3 * 3", "Enter")
        try await waitFor("\n\"é9\"\n", in: name)

        try await tmux("send-keys", "-t", name, "C-d")
        // libedit's history file writes a space as \040.
        let history = home.appendingPathComponent(".decide_history").path
        func saved() -> String {
            ((try? String(contentsOfFile: history, encoding: .utf8)) ?? "").replacingOccurrences(of: "\\040", with: " ")
        }
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, !saved().contains("= 1 + 1") {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(saved().contains(":step"))
        #expect(saved().contains("while true do end"))
    }

    @discardableResult
    private func tmux(_ arguments: String...) async throws -> String {
        try await ChildProcess(URL(fileURLWithPath: "/usr/bin/tmux"), ["-L", Self.server] + arguments)
            .run(timeout: .seconds(30)).output
    }

    /// Waits until the screen (with its scrollback) shows `text` at least `count` times, sending `keys` (when
    /// given) before each look.
    private func waitFor(_ text: String, count: Int = 1, in session: String, pressing keys: String? = nil) async throws {
        let deadline = Date().addingTimeInterval(15)
        var screen = ""
        while Date() < deadline {
            if let keys { try await tmux("send-keys", "-t", session, keys) }
            screen = try await tmux("capture-pane", "-p", "-S", "-200", "-t", session)
            if screen.components(separatedBy: text).count - 1 >= count { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the screen never showed \(text.debugDescription) \(count) time(s):\n\(screen)")
    }
}
