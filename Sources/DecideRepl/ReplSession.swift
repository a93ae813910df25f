import DecideStore
import DecisionEngine
import Foundation
import LuaRuntime

/// One REPL session: the flow, the customer, the position in the trace, the audience and the run being looked
/// at, and the sandboxes that evaluate them. ``execute(_:)`` runs one line.
///
/// Everything happens on the thread that created the session (its Lua states are confined to it). A failing
/// line never ends the session: the error is written and the next line runs as usual.
///
/// ```swift
/// let session = try ReplSession(configuration: .init(flowsDirectory: "flows"), output: output)
/// try session.execute(":flow cross_sell")
/// try session.execute(":customer {age = 30, income = 52000, app_user = true}")
/// try session.execute(":step")
/// ```
public final class ReplSession {
    /// How the session was set up.
    public let configuration: ReplConfiguration
    /// The handle Ctrl-C raises: it stops the Lua call running, and loops over customers.
    public let interrupt: LuaInterrupt
    let output: ReplOutput
    let style: ReplStyle
    let library: FlowLibrary
    let worker: FlowWorker
    let console: LuaConsole
    private var openedStore: (any RunQueueStore)?

    /// The flow in use.
    var flow: LoadedFlow?
    /// The hash of a version of the flow's files that failed to load, so its notice is printed once.
    var brokenVersion: String?
    /// The customer in use, as loaded.
    var loadedCustomer: CustomerInput?
    /// The customer in use, with the what-ifs applied.
    var customer: CustomerInput?
    /// The trace of the customer with the flow, computed once per version of either.
    var cachedTrace: (key: String, trace: DecisionTrace)?
    /// The decision time `:asof` set, or `nil` for now.
    var decisionTime: Date?
    /// Whether the customer in use was loaded from the store: only then do decisions read their stored history.
    var customerIsStored = false
    /// How many stages have been stepped through.
    var position = 0
    /// The audience being stepped through.
    var audience: AudienceWalk?
    /// The run `:result` and `:diff` read.
    var run: RunRecord?

    /// A session with nothing loaded.
    ///
    /// - Throws: ``LuaError`` when no Lua state can be made.
    public init(configuration: ReplConfiguration, output: ReplOutput) throws(LuaError) {
        self.configuration = configuration
        self.output = output
        style = ReplStyle(enabled: configuration.colour)
        library = FlowLibrary(directory: configuration.flowsDirectory)
        interrupt = LuaInterrupt()
        worker = try FlowWorker(interrupt: interrupt)
        console = try LuaConsole(limits: configuration.consoleLimits, interrupt: interrupt)
    }

    /// The store, opened on first use.
    var store: any RunQueueStore {
        get throws {
            if let openedStore { return openedStore }
            let location = try StoreLocation(parsing: configuration.databasePath)
            let store = try Blocking.wait { try await location.open() }
            openedStore = store
            return store
        }
    }

    /// Runs `body` on the store and waits for it on the session's own thread (never one of Swift concurrency's:
    /// see `Blocking`).
    func blocking<T: Sendable>(_ body: @escaping @Sendable (any RunQueueStore) async throws -> T) throws -> T {
        let store = try self.store
        return try Blocking.wait { try await body(store) }
    }

    /// The prompt: the flow, the customer (marked `*` while what-ifs change it) and the stage position, e.g.
    /// `cross_sell · C00001234* · 3/5> `.
    public var prompt: String {
        guard let flow else { return "decide> " }
        var parts = [flow.key]
        if let customer {
            parts.append(customer.customer.id + (customer != loadedCustomer ? "*" : ""))
            parts.append("\(position)/\(flow.description.stages.count)")
        }
        return parts.joined(separator: " · ") + "> "
    }

    /// Runs one line: a command, or Lua.
    ///
    /// - Returns: `false` when the line asks to leave (`:quit`).
    /// - Throws: What made the line fail, printable as it is; the session stays usable.
    @discardableResult
    public func execute(_ line: String) throws -> Bool {
        interrupt.clear()
        let statement = ReplStatement(parsing: line)
        if statement == .empty { return true }
        reloadIfChanged()
        switch statement {
        case .empty:
            return true
        case .lua(let source):
            try evaluateLua(source)
        case .command(let name, let argument):
            if name == "quit" || name == "q" || name == "exit" { return false }
            try perform(name, argument)
        }
        return true
    }

    private func perform(_ name: String, _ argument: String) throws {
        switch name {
        case "help": try help(argument)
        case "flow": try selectFlow(try required(argument, "a flow key, e.g. :flow cross_sell"))
        case "reload": try reload()
        case "customer": try selectCustomer(try required(argument, "a customer id or a table, e.g. :customer {age = 30}"))
        case "set": try setField(argument)
        case "unset": try unsetField(try required(argument, "a field, e.g. :unset income"))
        case "show": try showCustomer()
        case "step": try step()
        case "back": try back()
        case "run": try runRemaining()
        case "reset": try resetStepping()
        case "why": try why(try required(argument, "an offer id, e.g. :why card_gold"))
        case "trace": try showTrace()
        case "offers": try showOffers()
        case "stages": try showStages()
        case "segment": try selectAudience(segment: try required(argument, "a segment name, e.g. :segment engaged"))
        case "filter": try selectAudience(filter: try required(argument, "a filter, e.g. :filter age >= 30"))
        case "next": try next(argument)
        case "summary": try summary()
        case "launch": try launch()
        case "runs": try listRuns()
        case "use": try useRun(try required(argument, "a run id, e.g. :use 3f2a…"))
        case "result": try result(argument)
        case "diff": try diff()
        case "history": try showHistory()
        case "asof": try setDecisionTime(try required(argument, "a time or now, e.g. :asof 2026-11-02 or :asof now"))
        default:
            let names = ReplCommandInfo.all.map(\.name)
            let close = names.filter { $0.hasPrefix(String(name.prefix(2))) }
            let hint = close.isEmpty ? "" : " (did you mean \(close.map { ":" + $0 }.joined(separator: ", "))?)"
            throw ReplError(.unknownCommand, "unknown command :\(name)\(hint); :help lists the commands")
        }
    }

    private func required(_ argument: String, _ what: String) throws -> String {
        guard !argument.isEmpty else { throw ReplError(.usage, "give \(what)") }
        return argument
    }

    /// Writes result lines.
    func say(_ text: String) {
        output.result(text)
    }

    /// Writes a notice.
    func notice(_ text: String) {
        output.problem(style.yellow(text))
    }

    private func help(_ argument: String) throws {
        let name = argument.hasPrefix(":") ? String(argument.dropFirst()) : argument
        if !name.isEmpty {
            guard let info = ReplCommandInfo.named(name) else {
                throw ReplError(.unknownCommand, "no command :\(name); :help lists the commands")
            }
            say(style.bold(":\(info.name)\(info.arguments.isEmpty ? "" : " " + info.arguments)") + "  \(info.summary)")
            say(info.detail)
            return
        }
        let width = ReplCommandInfo.all.map { $0.name.count + $0.arguments.count + 2 }.max() ?? 0
        for info in ReplCommandInfo.all {
            let usage = ":\(info.name)\(info.arguments.isEmpty ? "" : " " + info.arguments)"
            say(style.bold(usage) + String(repeating: " ", count: max(0, width - usage.count)) + "  \(info.summary)")
        }
        say("Any other line is Lua, with customer, offers and candidates in scope; '= expr' prints a value.")
    }
}
