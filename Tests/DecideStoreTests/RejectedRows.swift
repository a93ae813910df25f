import DecideStore
import Foundation

/// Collects the rows an import rejects, from the import's callback.
final class RejectedRows: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [ImportError] = []

    func append(_ error: ImportError) { lock.withLock { errors.append(error) } }
    var lines: [Int?] { lock.withLock { errors.map(\.line) } }
    var codes: [ImportError.Code] { lock.withLock { errors.map(\.code) } }
}
