import ArgumentParser
import DecideStore
import DecideText
import Foundation
import RunEngine

extension RunsCommand {
    /// `decide runs wait ID [--timeout SECONDS]`: waits until a run ends, whoever executes it.
    struct Wait: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Wait until a run ends, whichever processes execute it.",
            discussion: "Exit 0 when it completed, 1 when it failed (or was interrupted) or was cancelled, 2 for an unknown run, 124 when the timeout passed first."
        )

        @OptionGroup var store: StoreOptions
        @Argument(help: "The run's id.") var id: String
        @Option(help: "Give up after this many seconds.") var timeout: Double?
        @Flag(help: "Print the run document as JSON.") var json = false

        func validate() throws {
            if let timeout, !(timeout >= 0 && timeout <= 31_536_000) {
                throw ValidationError("--timeout must be 0 to 31536000 seconds, got \(timeout)")
            }
        }

        func run() async throws {
            let store = try await self.store.open()
            let lease = try RunsCommand.lease()
            let clock = ContinuousClock()
            let deadline = timeout.map { clock.now + .milliseconds(Int($0 * 1000)) }
            var record = try await store.run(id: id)
            while record.status == .pending || record.status == .running {
                if let deadline, clock.now >= deadline {
                    var standardError = StandardError()
                    print("decide: run \(id) is still \(record.status.rawValue) after \(timeout ?? 0) s", to: &standardError)
                    throw ExitCode(124)
                }
                try await Task.sleep(for: .milliseconds(200))
                _ = try await store.markInterrupted(olderThan: lease.seconds)
                record = try await store.run(id: id)
            }
            if json {
                try JSONOutput.print(try await RunDocument(record, store: store))
            } else {
                print("Run \(id) \(record.status.rawValue)\(record.interrupted ? " (interrupted: decide runs resume \(id))" : "").")
            }
            if record.status != .completed { throw CommandFailure.failed }
        }
    }
}
