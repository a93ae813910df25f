import Foundation

/// The benchmarks' twenty-offer flow, `bench/flows/twenty.lua` (read from the repository's root, where
/// `decide-bench` runs): twenty offers through five eligibility filters, a logistic propensity times the offer's
/// value, a channel and `rank { top = 5 }`, so most customers have five scored candidates.
enum TwentyOfferFlow {
    static let path = "bench/flows/twenty.lua"

    /// The flow's source, with `extra` added to the `flow { ... }` table (`max_offers`, `constraints`) and
    /// `afterFilters` / `afterChannel` stages inserted after the filters and after the channel stage.
    static func source(extra: String = "", afterFilters: String = "", afterChannel: String = "") throws -> String {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let marks = ["  -- (flow fields)": extra, "    -- (after the filters)": afterFilters, "    -- (after the channel)": afterChannel]
        var source = text
        for (mark, insert) in marks {
            guard source.contains(mark) else { throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: path]) }
            source = source.replacingOccurrences(of: mark, with: insert)
        }
        return source
    }
}
