import ArgumentParser
import DecisionEngine
import Foundation

/// The `--flows` option every command that reads flows shares.
struct FlowOptions: ParsableArguments {
    /// The environment variable that names the flows directory when `--flows` is not given.
    static let environmentVariable = "DECIDE_FLOWS"

    @Option(name: .customLong("flows"), help: "The flows directory (default: $DECIDE_FLOWS, else ./flows).")
    var directory: String?

    /// The flows library: `--flows`, else `DECIDE_FLOWS`, else `./flows`.
    var library: FlowLibrary {
        FlowLibrary(directory: directory ?? ProcessInfo.processInfo.environment[Self.environmentVariable] ?? "flows")
    }

    /// Reads a flow named by key or path, exiting 2 with the list of known flows when there is none.
    func source(of name: String) throws -> FlowSource {
        try library.source(of: name)
    }

    /// A worker for one-off commands, exiting 1 when no Lua state can be made.
    func worker() throws -> FlowWorker {
        try FlowWorker()
    }
}
