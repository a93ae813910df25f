extension FlowWorker {
    /// Every flow of `library`, described, or with the problem that keeps it from loading.
    public func listing(of library: FlowLibrary) -> [FlowListEntry] {
        library.keys().map { key in
            do {
                let flow = try describe(try library.source(of: key))
                return FlowListEntry(key: key, name: flow.name, description: flow.description, offers: flow.offers.count,
                                     stages: flow.stages.count, maxOffers: flow.maxOffers, constraints: flow.constraints)
            } catch {
                return FlowListEntry(key: key, error: "\(error)")
            }
        }
    }
}
