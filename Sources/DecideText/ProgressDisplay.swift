import Foundation
import RunEngine

/// Shows a run's progress on the terminal: a bar with percent, rate and time remaining redrawn in place when
/// standard error is a terminal, a plain line every five seconds when it is not, nothing when quiet.
public final class ProgressDisplay: @unchecked Sendable {
    private let quiet: Bool
    private let terminal = isatty(STDERR_FILENO) != 0
    private let lock = NSLock()
    private var lastLine = Date.distantPast

    /// A display that shows nothing when `quiet`.
    public init(quiet: Bool) {
        self.quiet = quiet
    }

    /// Shows one report.
    public func show(_ report: RunProgressReport) {
        guard !quiet else { return }
        lock.lock()
        defer { lock.unlock() }
        let eta = report.etaSeconds.map { String(format: "%dm%02ds", Int($0) / 60, Int($0) % 60) } ?? "--"
        let numbers = String(format: "%5.1f%%  %d/%d  %.0f customers/s  ETA %@", report.percent, report.processed,
                             report.total, report.rate, eta)
        var standardError = StandardError()
        if terminal {
            let width = 30
            let filled = min(width, Int(Double(width) * report.percent / 100))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            print("\r\(bar) \(numbers)\u{1B}[K", terminator: "", to: &standardError)
        } else if Date().timeIntervalSince(lastLine) >= 5 || report.processed == report.total {
            lastLine = Date()
            print("progress \(numbers)", to: &standardError)
        }
    }

    /// Ends the bar's line.
    public func finish() {
        guard !quiet, terminal else { return }
        var standardError = StandardError()
        print("", to: &standardError)
    }
}
