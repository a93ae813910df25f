import DecideStore
import Foundation
import DecisionEngine

/// A decision trace as a marketer reads it: each stage, what it kept and dropped and why, then the result.
public enum TraceText {
    /// The trace as text.
    public static func render(_ trace: DecisionTrace) -> String {
        var lines = ["Flow \(trace.flow), customer \(trace.customerId)", ""]
        for (number, step) in trace.stages.enumerated() {
            let timing = String(format: "%.3f ms", step.milliseconds)
            lines.append("\(number + 1). \(step.kind) \"\(step.name)\": \(step.received) in, \(step.candidates.count) out (\(timing))")
            for drop in step.dropped {
                lines.append("     dropped \(drop.offerId): \(drop.reason)")
            }
            if step.kind == "score" || step.kind == "rank" || step.kind == "channel" || step.kind == "stage" {
                for candidate in step.candidates {
                    var parts = ["     kept    \(candidate.offerId)"]
                    if let score = candidate.score { parts.append("score \(format(score))") }
                    if let channel = candidate.channel { parts.append("channel \(channel)") }
                    lines.append(parts.joined(separator: "  "))
                }
            }
        }
        lines.append("")
        if trace.recommendations.isEmpty {
            lines.append("No recommendation.")
        } else {
            lines.append("Recommendations:")
            lines.append(TextTable(
                headers: ["RANK", "OFFER", "CHANNEL", "SCORE"],
                rows: trace.recommendations.map {
                    [String($0.rank), $0.offerId, $0.channel, $0.score.map(format) ?? "-"]
                }
            ).render())
        }
        if !trace.printed.isEmpty {
            lines.append("")
            lines.append("Printed by the flow:")
            lines += trace.printed.map { "  " + $0 }
        }
        return lines.joined(separator: "\n")
    }

    /// A score as traces and tables print it (four significant digits).
    public static func format(_ number: Double) -> String {
        String(format: "%.4g", number)
    }
}
