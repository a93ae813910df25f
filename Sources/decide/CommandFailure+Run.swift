import ArgumentParser
import DecideStore
import DecisionEngine
import RunEngine

extension CommandFailure {
    /// Runs `body`, turning what makes a run request invalid (an unknown or failing flow, an unknown segment, an
    /// invalid filter or option) into exit 2 with the problem printed.
    static func reportingRunErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try reportingStoreErrors(body)
        } catch let error as FlowError {
            throw report(error)
        } catch let error as RunError {
            throw report(error, exitCode: error.code == .invalidRequest ? invalidInput : failed)
        }
    }
}

extension CommandFailure {
    /// ``reportingRunErrors(_:)`` for async work.
    static func reportingRunErrorsAsync<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as FlowError {
            throw report(error)
        } catch let error as RunError {
            throw report(error, exitCode: error.code == .invalidRequest ? invalidInput : failed)
        } catch let error as StoreError {
            throw report(error, exitCode: error.code.isInvalidInput ? invalidInput : failed)
        }
    }
}
