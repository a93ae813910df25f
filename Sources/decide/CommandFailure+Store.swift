import ArgumentParser
import DecideStore

extension CommandFailure {
    /// Runs `body`, turning store errors into exit codes: an invalid filter, import file or name exits 2,
    /// a database failure exits 1; each is printed as `decide: <error>`.
    static func reportingStoreErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as FilterError {
            throw report(error)
        } catch let error as ImportError {
            throw report(error)
        } catch let error as StoreError {
            throw report(error, exitCode: error.code.isInvalidInput ? invalidInput : failed)
        }
    }
}
