import Foundation

/// A program the tests run as a child process (the built `decide`, tmux, Chromium), awaited without blocking one
/// of Swift concurrency's threads.
///
/// The child is started with `posix_spawn` and reaped by `waitpid` on a thread of its own, rather than through
/// Foundation's `Process`: that one learns of an exit when a socket the child inherited closes, which never happens
/// when the child leaves a daemon behind (tmux starting its server). The child gets `/dev/null` as standard input,
/// files as standard output and error (read once it has exited, so a chatty child never blocks on a full pipe).
public struct ChildProcess: Sendable {
    /// What a finished child left.
    public struct Outcome: Sendable {
        /// The exit status (or the signal's number when a signal ended it).
        public let status: Int32
        /// Everything written to standard output.
        public let output: String
        /// Everything written to standard error.
        public let error: String
        /// The child's peak resident memory, in bytes (its `ru_maxrss`).
        public var peakMemoryBytes: Int = 0
    }

    /// The program.
    public var executable: URL
    /// Its arguments.
    public var arguments: [String]
    /// Variables added to (or replacing those of) this process's environment.
    public var environment: [String: String]

    /// A child running `executable` with `arguments` and, on top of this process's environment, `environment`.
    public init(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
    }

    /// Starts the child and returns at once.
    public func start() throws -> RunningChild {
        try RunningChild(self)
    }

    /// Runs the child to its end.
    ///
    /// - Throws: ``ChildProcessError`` when it is still running after `timeout` (it is then killed).
    public func run(timeout: Duration = .seconds(120)) async throws -> Outcome {
        try await start().finish(timeout: timeout)
    }
}

/// A started child process.
public final class RunningChild: Sendable {
    /// Its process id.
    public let processIdentifier: pid_t
    private let command: String
    private let output: URL
    private let error: URL
    private let exit = ExitStatus()

    fileprivate init(_ child: ChildProcess) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("decide-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        output = folder.appendingPathComponent("stdout")
        error = folder.appendingPathComponent("stderr")
        let arguments = [child.executable.path] + child.arguments
        command = arguments.joined(separator: " ")

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, error.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let environment = ProcessInfo.processInfo.environment.merging(child.environment) { _, new in new }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        // A clean signal state: the spawning thread may be one of Dispatch's, which block most signals, and this
        // process may ignore some (a server test's graceful shutdown ignores SIGINT); a child inherits both.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let failure = posix_spawn(&pid, child.executable.path, &actions, &attributes, argv, envp)
        guard failure == 0 else {
            throw ChildProcessError(message: "cannot start \(command): \(String(cString: strerror(failure)))")
        }
        processIdentifier = pid

        let (exit, spawned) = (exit, pid)
        let reaper = Thread {
            var status: Int32 = 0
            var usage = rusage()
            // The child's own high-water mark, read while it runs: its `ru_maxrss` also counts this (much larger)
            // process's, which a child started with vfork semantics inherits at its exec.
            var highWater = 0
            while true {
                let reaped = wait4(spawned, &status, WNOHANG, &usage)
                if reaped == spawned || (reaped == -1 && errno != EINTR) { break }
                highWater = max(highWater, Self.highWaterBytes(of: spawned))
                usleep(5_000)
            }
            let signal = status & 0x7f
            exit.record(signal == 0 ? (status >> 8) & 0xff : signal, peakMemoryBytes: highWater > 0 ? highWater : usage.ru_maxrss * 1024)
        }
        reaper.name = "decide-test-reaper"
        reaper.start()
    }

    /// A child still running when the test lets go of it (a test that failed half-way, before stopping its
    /// workers) is killed, so that no process outlives the test run.
    deinit {
        if !exit.hasEnded { _ = Foundation.kill(processIdentifier, SIGKILL) }
    }

    /// `VmHWM` of process `pid` (its peak resident memory so far), in bytes; 0 when it cannot be read.
    private static func highWaterBytes(of pid: pid_t) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    /// What the child has written to its standard error so far.
    public var errorSoFar: String {
        (try? String(contentsOf: error, encoding: .utf8)) ?? ""
    }

    /// Sends `signal` to the child.
    public func kill(_ signal: Int32 = SIGKILL) {
        _ = Foundation.kill(processIdentifier, signal)
    }

    /// Waits for the child to end, killing it after `timeout`, and returns what it left.
    ///
    /// - Throws: ``ChildProcessError`` when the timeout killed it.
    public func finish(timeout: Duration = .seconds(120)) async throws -> ChildProcess.Outcome {
        let pid = processIdentifier
        let watchdog = Task { () -> Bool in
            do { try await Task.sleep(for: timeout) } catch { return false }
            _ = Foundation.kill(pid, SIGKILL)
            return true
        }
        let (status, peakMemoryBytes) = await exit.wait()
        watchdog.cancel()
        guard await !watchdog.value else {
            throw ChildProcessError(message: "\(command) was still running after \(timeout) and was killed")
        }
        defer { try? FileManager.default.removeItem(at: output.deletingLastPathComponent()) }
        return ChildProcess.Outcome(
            status: status,
            output: (try? String(contentsOf: output, encoding: .utf8)) ?? "",
            error: (try? String(contentsOf: error, encoding: .utf8)) ?? "",
            peakMemoryBytes: peakMemoryBytes)
    }
}

/// A child process that could not start, or did not end in time.
public struct ChildProcessError: Error, CustomStringConvertible {
    /// What ran, and what went wrong.
    public let message: String
    public var description: String { message }
}

/// The exit status, handed from the reaper thread to whoever awaits it, in either order.
private final class ExitStatus: @unchecked Sendable {
    private let lock = NSLock()
    private var status: (code: Int32, peakMemoryBytes: Int)?
    private var waiters: [CheckedContinuation<(Int32, Int), Never>] = []

    func record(_ status: Int32, peakMemoryBytes: Int) {
        let waiting = lock.withLock {
            self.status = (status, peakMemoryBytes)
            defer { waiters = [] }
            return waiters
        }
        for waiter in waiting { waiter.resume(returning: (status, peakMemoryBytes)) }
    }

    /// Whether the child has ended.
    var hasEnded: Bool { lock.withLock { status != nil } }

    func wait() async -> (Int32, Int) {
        await withCheckedContinuation { continuation in
            let known: (code: Int32, peakMemoryBytes: Int)? = lock.withLock {
                if status == nil { waiters.append(continuation) }
                return status
            }
            if let known { continuation.resume(returning: known) }
        }
    }
}
