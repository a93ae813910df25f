import ArgumentParser
import DecideText

/// The exit codes every `decide` command shares: 0 success, 1 a failure the input did not cause
/// (a failed check, a failed run), 2 invalid input.
enum CommandFailure {
    /// Something ran and failed: a flow check found problems, a test case failed, a run failed.
    static let failed = ExitCode(1)
    /// The input was invalid: an unknown flow, a bad filter, a malformed file.
    static let invalidInput = ExitCode(2)

    /// Prints `error` to standard error as `decide: <error>` and returns the exit code to throw.
    static func report(_ error: any Error, exitCode: ExitCode = invalidInput) -> ExitCode {
        var standardError = StandardError()
        print("decide: \(error)", to: &standardError)
        return exitCode
    }
}
