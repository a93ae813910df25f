/// A page of runs: `{"runs": [...], "total": N}`.
public struct RunList: Sendable, Hashable, Codable {
    /// The runs on this page, newest first.
    public var runs: [RunDocument]
    /// How many runs match in all.
    public var total: Int

    /// Creates a page.
    public init(runs: [RunDocument], total: Int) {
        self.runs = runs
        self.total = total
    }
}
