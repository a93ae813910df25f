import Foundation
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
    @Test("history recall, Tab completion, :step, and Ctrl-C out of an endless loop back to the prompt")
    func terminalSession() throws {
        let harness = try ReplHarness()
        let home = harness.directory.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let name = "decide-repl-test-\(getpid())"
        let command = "env HOME=\(home.path) NO_COLOR=1 DECIDE_DB=\(harness.databasePath) "
            + "DECIDE_FLOWS=\(harness.flows.path) \(decideBinary) repl cross_sell"
        try tmux("new-session", "-d", "-s", name, "-x", "120", "-y", "50", command)
        defer { _ = try? tmux("kill-session", "-t", name) }

        try waitFor("cross_sell>", in: name)
        try tmux("send-keys", "-t", name, ":customer C000000001", "Enter")
        try waitFor("cross_sell · C000000001 · 0/9>", in: name)

        try tmux("send-keys", "-t", name, ":st", "Tab")
        try waitFor("stages  step", in: name)
        try tmux("send-keys", "-t", name, "e", "Tab", "Enter")
        try waitFor("Stage 1/9: filter \"age\": 16 in, 14 out", in: name)
        try waitFor("cross_sell · C000000001 · 1/9>", in: name)

        try tmux("send-keys", "-t", name, "= 6 * 7", "Enter")
        try waitFor("\n42\n", in: name)
        try tmux("send-keys", "-t", name, "Up", "Enter")
        try waitFor("\n42\n", count: 2, in: name)

        try tmux("send-keys", "-t", name, "while true do end", "Enter")
        Thread.sleep(forTimeInterval: 0.5)
        try tmux("send-keys", "-t", name, "C-c")
        try waitFor("interrupted", in: name)
        try tmux("send-keys", "-t", name, "= 1 + 1", "Enter")
        try waitFor("\n2\n", in: name)

        try tmux("send-keys", "-t", name, "C-d")
        // libedit's history file writes a space as \040.
        let history = home.appendingPathComponent(".decide_history").path
        func saved() -> String {
            ((try? String(contentsOfFile: history, encoding: .utf8)) ?? "").replacingOccurrences(of: "\\040", with: " ")
        }
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, !saved().contains("= 1 + 1") {
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(saved().contains(":step"))
        #expect(saved().contains("while true do end"))
    }

    @discardableResult
    private func tmux(_ arguments: String...) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/tmux")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Waits until the screen (with its scrollback) shows `text` at least `count` times.
    private func waitFor(_ text: String, count: Int = 1, in session: String) throws {
        let deadline = Date().addingTimeInterval(15)
        var screen = ""
        while Date() < deadline {
            screen = try tmux("capture-pane", "-p", "-S", "-200", "-t", session)
            if screen.components(separatedBy: text).count - 1 >= count { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        Issue.record("the screen never showed \(text.debugDescription) \(count) time(s):\n\(screen)")
    }
}
