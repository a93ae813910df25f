import ArgumentParser
import DecideStore
import DecideText
import DecisionEngine
import LuaRuntime
import RunEngine

/// The one mapping of errors to messages and exit codes for every `decide` command: 0 success, 1 a failure the
/// input did not cause (a failed check, a failed run, a broken store), 2 invalid input. Commands just throw;
/// ``Decide/main()`` prints `decide: <error>` to standard error and exits with ``exitCode(for:)``.
enum CommandFailure {
    /// Something ran and failed: a flow check found problems, a test case failed, a run failed.
    static let failed = ExitCode(1)
    /// The input was invalid: an unknown flow, a bad filter, a malformed file.
    static let invalidInput = ExitCode(2)

    /// Invalid input found while a command runs (a file that cannot be read, an unknown status): printed as
    /// `decide: <message>`, exit 2.
    struct InvalidInput: Error, CustomStringConvertible {
        /// What is wrong, naming the value.
        var description: String

        init(_ description: String) {
            self.description = description
        }
    }

    /// The exit code of an error a command threw: 2 for what the input caused, 1 for the rest.
    static func exitCode(for error: any Error) -> ExitCode {
        switch error {
        case let code as ExitCode: code
        case is InvalidInput, is FilterError, is ImportError, is FlowError, is CustomerInputError: invalidInput
        case let error as RunError: error.code == .invalidRequest ? invalidInput : failed
        case let error as StoreError: error.code.isInvalidInput ? invalidInput : failed
        default: failed
        }
    }

    /// Whether `error` is one of Decide's own (printed as `decide: <error>`), rather than ArgumentParser's.
    static func isDecideError(_ error: any Error) -> Bool {
        switch error {
        case is InvalidInput, is FilterError, is ImportError, is FlowError, is CustomerInputError, is RunError,
            is StoreError, is DecisionError, is LuaError:
            true
        default:
            false
        }
    }
}
