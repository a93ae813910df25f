import ArgumentParser
import DecideRepl
import DecisionEngine
import DecideText
import Foundation
import LuaRuntime

/// `decide repl [FLOW]`: step through a flow for one customer, ask why, try what-ifs, and explore runs.
///
/// The session runs on a thread of its own: its Lua states live there, and its waits (a launched run) hold none of
/// the threads that Swift concurrency needs to do the work being waited for.
struct ReplCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Step through a flow for one customer, ask why, try what-ifs, and explore runs.",
        discussion: """
            At a terminal: line editing, history in ~/.decide_history, Tab completion, Ctrl-C to stop an \
            evaluation, Ctrl-D to leave. With --script FILE, or when standard input is not a terminal, the commands \
            run without prompts or colour and the first error exits 1 (see docs/repl.md).
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var flows: FlowOptions
    @Argument(help: "The flow to load first, by key or path.") var flow: String?
    @Option(help: "Run the commands in this file (- for standard input), without prompts.") var script: String?
    @Flag(help: "In a script, go on after a failing command (the exit code is still 1).") var keepGoing = false
    @Flag(help: "In a script, print each command after '> ' before its output.") var echo = false
    @Option(help: "The instruction budget of a Lua line typed at the prompt (default 1000000000).")
    var budget: Int?

    func validate() throws {
        if let budget, budget < 1000 { throw ValidationError("--budget must be at least 1000") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let interactive = script == nil && isatty(STDIN_FILENO) != 0
        var limits = ReplConfiguration.defaultConsoleLimits
        if let budget { limits.instructionBudget = budget }
        let configuration = ReplConfiguration(
            flowsDirectory: flows.library.directory, databasePath: store.resolvedPath,
            colour: interactive && ReplStyle.detect(isTerminal: isatty(STDOUT_FILENO) != 0, environment: environment),
            interactive: interactive, consoleLimits: limits
        )
        var commands = flow.map { [":flow \($0)"] } ?? []
        if let script {
            let text = script == "-"
                ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                : try ScriptFile.read(script)
            guard let text else {
                throw CommandFailure.InvalidInput("cannot read the script \(script)")
            }
            commands += text.components(separatedBy: "\n")
        }
        let readsStandardInput = script == nil && !interactive
        let historyPath = (environment["HOME"] ?? ".") + "/.decide_history"
        let (opening, keepGoing, echo) = (commands, keepGoing, echo)
        let status = try await DedicatedThread.run(name: "decide-repl") {
            let session = try ReplSession(configuration: configuration, output: ReplOutput(
                result: { text in
                    try? FileHandle.standardOutput.writeForReader(Data((text.escapedForTerminal(keepingColours: true) + "\n").utf8))
                },
                problem: { text in
                    try? FileHandle.standardError.writeForReader(Data((text.escapedForTerminal(keepingColours: true) + "\n").utf8))
                }
            ))
            let runner = ReplRunner(session: session)
            if interactive {
                _ = runner.script(opening, keepGoing: true, echo: false)
                return runner.interactive(historyPath: historyPath)
            }
            // Piped lines run as they arrive, so a program can hold a conversation with the REPL.
            var given = opening.makeIterator()
            let lines = AnyIterator { given.next() ?? (readsStandardInput ? readLine(strippingNewline: true) : nil) }
            return runner.script(lines, keepGoing: keepGoing, echo: echo)
        }
        if status != 0 { throw ExitCode(status) }
    }
}
