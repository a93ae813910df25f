import Foundation
import LuaRuntime

/// Drives a session: at a terminal with the line editor, or over a script's lines without prompts.
public struct ReplRunner {
    /// The session the lines go to.
    public let session: ReplSession

    /// A runner for `session`.
    public init(session: ReplSession) {
        self.session = session
    }

    /// The interactive loop: prompts, line editing, history in `historyPath`, Tab completion; Ctrl-C stops a
    /// running evaluation (or abandons the line), Ctrl-D leaves.
    ///
    /// - Returns: The exit code, 0.
    public func interactive(historyPath: String) -> Int32 {
        session.interrupt.raiseOnSignal(SIGINT)
        let editor = LineEditor(historyPath: historyPath) { [session] text in ReplCompleter(session: session).complete(text) }
        session.output.result(session.style.dim("Decide REPL: :help lists the commands, Tab completes, Ctrl-D leaves."))
        while true {
            switch editor.read(prompt: session.prompt) {
            case .end:
                session.output.result("")
                return 0
            case .interrupted:
                session.output.result("")
            case .line(let line):
                if !run(line) { return 0 }
            }
        }
    }

    /// Runs the lines of a script (or of piped standard input) without prompts.
    ///
    /// - Parameters:
    ///   - lines: The commands, one a line.
    ///   - keepGoing: Go on after a failing line instead of stopping.
    ///   - echo: Print each non-blank line, after `> `, before its output (for transcripts such as the tutorial's).
    /// - Returns: 0 when every line succeeded, 1 otherwise.
    public func script(_ lines: some Sequence<String>, keepGoing: Bool, echo: Bool) -> Int32 {
        var failed = false
        for line in lines {
            let text = line.hasSuffix("\r") ? String(line.dropLast()) : line
            if echo, !text.trimmingCharacters(in: .whitespaces).isEmpty { session.output.result("> " + text) }
            let succeeded = execute(text)
            if succeeded == nil { return failed ? 1 : 0 }
            if succeeded == false {
                failed = true
                if !keepGoing { return 1 }
            }
        }
        return failed ? 1 : 0
    }

    /// Runs one line, printing its error: `false` to leave.
    private func run(_ line: String) -> Bool {
        execute(line) != nil
    }

    /// Runs one line: `true` when it succeeded, `false` when it failed (the error is printed), `nil` to leave.
    private func execute(_ line: String) -> Bool? {
        do {
            return try session.execute(line) ? true : nil
        } catch let error as LuaError where error.code == .interrupted {
            session.output.problem(session.style.yellow("interrupted"))
        } catch {
            session.output.problem(session.style.red("error: ") + "\(error)")
        }
        return false
    }
}
