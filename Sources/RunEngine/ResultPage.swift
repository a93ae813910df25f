/// A page of a run's results: `{"results": [...], "total": N}`.
public struct ResultPage: Sendable, Encodable {
    /// The customers on this page, in id order.
    public var results: [ResultDocument]
    /// How many customers match in all.
    public var total: Int

    /// Creates a page.
    public init(results: [ResultDocument], total: Int) {
        self.results = results
        self.total = total
    }
}
