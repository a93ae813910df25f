import Foundation
import TestSupport

/// Headless Chromium, to load the web page in a real browser: `dumpDOM(of:)` loads a URL, lets its scripts run for
/// a budget of virtual time, and returns the DOM as it then is.
struct Chromium: Sendable {
    /// The browser's executable.
    let path: String

    /// The first of `chromium`, `chromium-browser` and `google-chrome` on the `PATH`; nil when there is none
    /// (`make test` installs Debian's `chromium`).
    static func find() -> Chromium? {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for folder in folders where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
                return Chromium(path: "\(folder)/\(name)")
            }
        }
        return nil
    }

    /// The serialized DOM of `url` once its scripts have had `budgetMilliseconds` of virtual time.
    ///
    /// - Throws: When the browser fails, or takes over `timeout` of real time (it is then killed).
    func dumpDOM(of url: String, budgetMilliseconds: Int = 20000, timeout: Duration = .seconds(90)) async throws -> String {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("decide-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let browser = ChildProcess(URL(fileURLWithPath: path), [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--user-data-dir=\(profile.path)", "--virtual-time-budget=\(budgetMilliseconds)", "--dump-dom", url,
        ])
        let outcome = try await browser.run(timeout: timeout)
        guard outcome.status == 0 else { throw ChromiumError(message: "chromium exited with status \(outcome.status) loading \(url)") }
        return outcome.output
    }

    /// Chromium failed.
    struct ChromiumError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
