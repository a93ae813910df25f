import Foundation

/// `make bench`: every benchmark of Decide, in release mode, with each target as a ratio against a baseline
/// measured in the same run. `decide-bench [lua|store|runs|volume|history|run-store|all] [--customers N]`, from the repository's root (the
/// run benchmark reads `flows/`); `decide-bench engine-ceiling DATABASE FLOWS_DIR FLOW` for scripts/bench-compare.sh.
@main
struct DecideBench {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst()
        if arguments.first == "engine-ceiling", arguments.count == 4 {
            let values = Array(arguments)
            return try await EngineCeiling.run(database: values[1], flows: values[2], flow: values[3])
        }
        if arguments.first == "run-peak", arguments.count == 3 {
            return try await RunBenchmark.runForPeak(database: Array(arguments)[1], flows: Array(arguments)[2])
        }
        let selection = arguments.first { !$0.hasPrefix("--") && Int($0) == nil } ?? "all"
        let customers = arguments.firstIndex(of: "--customers").flatMap { Int(arguments[arguments.index(after: $0)]) }
        var figures: [BenchmarkFigure] = []
        if selection == "all" || selection == "lua" {
            figures += try await LuaRuntimeBenchmark.run(customers: customers ?? 200_000)
        }
        if selection == "all" || selection == "store" {
            figures += try await StoreBenchmark.run(customers: customers ?? 1_000_000)
        }
        if selection == "all" || selection == "runs" {
            figures += try await RunBenchmark.run(customers: customers ?? 1_000_000, flows: "flows")
        }
        if selection == "all" || selection == "volume" {
            figures += try await VolumeBenchmark.run(customers: customers ?? 1_000_000)
        }
        if selection == "all" || selection == "history" {
            figures += try await HistoryBenchmark.run(customers: customers ?? 1_000_000)
        }
        if selection == "all" || selection == "run-store" {
            figures += try RunStoreBenchmark.run(customers: customers ?? 1_000_000)
        }
        for figure in figures {
            let value = figure.unit == "x" ? String(format: "%.2f", figure.value) : String(format: "%.0f", figure.value)
            print("\(figure.name.padding(toLength: 60, withPad: " ", startingAt: 0))  \(value) \(figure.unit)")
        }
    }
}
