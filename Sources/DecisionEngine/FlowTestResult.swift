/// The outcome of one case of a flow's test file.
public struct FlowTestResult: Sendable, Hashable, Codable {
    /// The case's name.
    public var name: String
    /// What differed from the expectations; empty when the case passed.
    public var failures: [String]
    /// The recommendations the flow made (offer ids, in order).
    public var actual: [String]

    /// Whether every expectation held.
    public var passed: Bool { failures.isEmpty }
}
