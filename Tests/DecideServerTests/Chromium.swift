import Foundation

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
    /// - Throws: When the browser fails, or takes over `timeoutSeconds` of real time (it is then killed).
    func dumpDOM(of url: String, budgetMilliseconds: Int = 20000, timeoutSeconds: Double = 90) async throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("decide-chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("dom.html")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        defer { try? handle.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--user-data-dir=\(folder.appendingPathComponent("profile").path)",
            "--virtual-time-budget=\(budgetMilliseconds)", "--dump-dom", url,
        ]
        process.standardOutput = handle
        process.standardError = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
                return
            }
            let pid = process.processIdentifier
            DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds) { kill(pid, SIGKILL) }
        }
        guard status == 0 else { throw ChromiumError(message: "chromium exited with status \(status) loading \(url)") }
        return try String(contentsOf: output, encoding: .utf8)
    }

    /// Chromium failed.
    struct ChromiumError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
