import DecideStore
import Foundation
import RunEngine

/// A run document as aligned tables: the summary, the offer and channel breakdowns, the constraints, the stage
/// funnel and the processes that took part.
public enum RunText {
    /// The run's header, summary, breakdowns and processes.
    public static func render(_ run: RunDocument) -> String {
        var lines = ["Run \(run.id): \(run.name)", "  flow \(run.flow) (version \(run.flowVersion)), "
            + (run.segment.map { "segment \($0)" } ?? "filter \(run.filter ?? "")"),
            "  status \(run.status)\(run.partial ? " (partial)" : "")"
            + (run.status == "running" ? String(format: ", %.1f%% (%d of %d)", run.progress.percent, run.progress.processed, run.progress.total) : "")
            + (run.phase == "allocating" ? ", allocating" : "")]
        if let error = run.error {
            lines.append("  error: " + [error.file.map { f in error.line.map { "\(f):\($0)" } ?? f }, error.message]
                .compactMap { $0 }.joined(separator: ": "))
        }
        guard let summary = run.summary else { return (lines + participants(run)).joined(separator: "\n") }
        lines.append("")
        lines.append(TextTable(headers: ["SUMMARY", ""], rows: [
            ["Total customers processed", String(summary.totalCustomers)],
            ["Customers with recommendations", String(summary.customersWithRecommendations)],
            ["Total recommendations generated", String(summary.totalRecommendations)],
            ["Average offers per customer", String(format: "%.2f", summary.averageOffersPerCustomer)],
            ["Execution time", String(format: summary.executionTimeMs < 1000 ? "%.3f s" : "%.2f s",
                                      Double(summary.executionTimeMs) / 1000)],
        ] + (run.errorsRecorded > 0 ? [["Customers with errors", String(run.errorsRecorded)]] : [])).render())
        if !run.offerBreakdown.isEmpty {
            lines.append("")
            lines.append(TextTable(headers: ["OFFER", "NAME", "COUNT", "%"], rows: run.offerBreakdown.map {
                [$0.offerId, $0.name, String($0.count), String(format: "%.1f", $0.percent)]
            }).render())
        }
        if !run.channelBreakdown.isEmpty {
            lines.append("")
            lines.append(TextTable(headers: ["CHANNEL", "COUNT", "%"], rows: run.channelBreakdown.map {
                [$0.channel, String($0.count), String(format: "%.1f", $0.percent)]
            }).render())
        }
        if !run.constraints.isEmpty {
            lines.append("")
            lines.append(TextTable(headers: ["CONSTRAINT", "SELECTS", "MAX", "USED", "TURNED AWAY"], rows: run.constraints.map { constraint in
                [constraint.name, selects(constraint),
                 constraint.declaredMax.map { "\(constraint.max) (of \($0))" } ?? String(constraint.max),
                 String(constraint.used), String(constraint.turnedAway)]
            }).render())
        }
        if !run.stageFunnel.isEmpty {
            lines.append("")
            lines.append(TextTable(headers: ["STAGE", "KIND", "RECEIVED", "DROPPED"], rows: run.stageFunnel.map {
                [$0.name, $0.kind, String($0.received), String($0.dropped)]
            }).render())
        }
        return (lines + participants(run)).joined(separator: "\n")
    }

    /// The processes that took part (worker processes, or the one that ran it), with the customers each decided.
    private static func participants(_ run: RunDocument) -> [String] {
        guard !run.participants.isEmpty else { return [] }
        return ["", TextTable(headers: ["PROCESS", "HOST", "CUSTOMERS"], rows: run.participants.map {
            [$0.name, $0.host, String($0.customers)]
        }).render()]
    }

    /// What a constraint selects: `offer ID`, `offers A, B`, `channel NAME` or `every recommendation`.
    private static func selects(_ constraint: RunDocument.Constraint) -> String {
        if let offer = constraint.offer { return "offer \(offer)" }
        if let offers = constraint.offers { return "offers " + offers.joined(separator: ", ") }
        if let channel = constraint.channel { return "channel \(channel)" }
        return "every recommendation"
    }
}
