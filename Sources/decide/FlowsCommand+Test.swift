import ArgumentParser
import DecisionEngine
import Foundation
import LuaRuntime

extension FlowsCommand {
    /// `decide flows test [FLOW...]`: runs the cases of `flows/KEY.test.lua` against each flow.
    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run each flow's test cases (flows/KEY.test.lua); exit 1 on any failure."
        )

        @OptionGroup var flows: FlowOptions
        @Argument(help: "Flows to test, by key or path (default: every flow with a test file).") var names: [String] = []
        @Flag(help: "Print JSON.") var json = false

        /// One flow's results.
        struct Report: Encodable {
            var flow: String
            var results: [FlowTestResult]
            var error: String?
            /// That the flow's volume constraints apply only in runs, when it declares any.
            var note: String?
        }

        func run() async throws {
            let library = flows.library
            let worker = try flows.worker()
            let keys = names.isEmpty
                ? library.keys().filter { FileManager.default.fileExists(atPath: library.testPath(of: $0)) } : names
            var reports: [Report] = []
            for name in keys {
                do {
                    let source = try library.source(of: name)
                    let testPath = library.testPath(of: source.key)
                    guard let text = try ScriptFile.read(testPath) else {
                        throw FlowError(.badTests, flow: source.key, problems: ["no test file \(testPath)"])
                    }
                    let results = try worker.runTests(of: source, testSource: text, testPath: testPath)
                    reports.append(Report(
                        flow: source.key, results: results, note: try worker.describe(source).constraintsNote))
                } catch {
                    reports.append(Report(flow: name, results: [], error: "\(error)"))
                }
            }
            if json {
                try JSONOutput.print(reports)
            } else {
                print(render(reports))
            }
            let failed = reports.contains { $0.error != nil || $0.results.contains { !$0.passed } }
            if failed { throw CommandFailure.failed }
        }

        private func render(_ reports: [Report]) -> String {
            var lines: [String] = []
            var passed = 0
            var failed = 0
            for report in reports {
                lines.append(report.flow)
                if let error = report.error {
                    lines.append("  error  \(error)")
                    failed += 1
                }
                for result in report.results {
                    lines.append("  \(result.passed ? "pass" : "FAIL")   \(result.name)")
                    for failure in result.failures { lines.append("         \(failure)") }
                    if result.passed { passed += 1 } else { failed += 1 }
                }
                if let note = report.note { lines.append("  " + note) }
            }
            lines.append("\(passed) passed, \(failed) failed")
            return lines.joined(separator: "\n")
        }
    }
}
