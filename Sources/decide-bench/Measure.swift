import Foundation

/// Timing and memory readings shared by the benchmarks.
enum Measure {
    /// Seconds `body` takes on the wall clock.
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        return seconds(ContinuousClock.now - start)
    }

    /// Seconds `body` takes on the wall clock.
    static func seconds(_ body: () async throws -> Void) async rethrows -> Double {
        let start = ContinuousClock.now
        try await body()
        return seconds(ContinuousClock.now - start)
    }

    /// A duration in seconds.
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// The process's peak resident memory so far, in MiB: `VmHWM` of `/proc/self/status` (Linux; nil elsewhere).
    ///
    /// Not `getrusage`'s `ru_maxrss`: a process spawned with vfork semantics (as `Process` and `posix_spawn` do) keeps
    /// its parent's peak in it across `exec`, so a child started by a 470 MiB benchmark would report 470 MiB.
    static func peakResidentMiB() -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kibibytes = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
        else { return nil }
        return kibibytes / 1024
    }
}
