/// Where a session writes: results to one place, errors and notices to another (standard output and standard
/// error for the command line; one transcript for tests).
public struct ReplOutput: Sendable {
    /// Writes one result line (or several, newline-separated).
    public var result: @Sendable (String) -> Void
    /// Writes one error or notice line.
    public var problem: @Sendable (String) -> Void

    /// An output from two writers.
    public init(result: @escaping @Sendable (String) -> Void, problem: @escaping @Sendable (String) -> Void) {
        self.result = result
        self.problem = problem
    }
}
