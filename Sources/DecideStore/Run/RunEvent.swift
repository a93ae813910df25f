import Foundation

/// One status change of a run, with when it happened.
public struct RunEvent: Sendable, Hashable, Codable {
    /// The status the run moved to.
    public var status: RunStatus
    /// When it moved.
    public var at: Date
    /// Why, when a reason was given.
    public var message: String?

    /// Creates an event.
    public init(status: RunStatus, at: Date, message: String?) {
        self.status = status
        self.at = at
        self.message = message
    }
}
