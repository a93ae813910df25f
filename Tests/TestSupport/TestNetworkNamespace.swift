import Foundation

/// A "machine" of a test's own: a Linux network namespace with one virtual Ethernet link to this host, the
/// namespace at `10.231.N.2` and this host at `10.231.N.1`, so that a process started in it reaches this host's
/// servers over TCP only, from an address of its own. Made with `ip` (root only); removed by ``remove()``.
public final class TestNetworkNamespace: Sendable {
    /// The namespace's name (`ip netns list`).
    public let name: String
    /// This host's address on the link, where the namespace's processes reach its servers.
    public let hostAddress: String
    /// The namespace's own address.
    public let address: String

    private static let ip = URL(fileURLWithPath: "/usr/sbin/ip")

    /// Whether this machine lets the tests make namespaces (root, with `ip`).
    public static var isAvailable: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: ip.path)
    }

    /// Creates namespace number `number` (1–250) of this test run, its link up and addressed.
    public init(number: Int) async throws {
        let tag = String(UUID().uuidString.prefix(6)).lowercased()
        name = "decide-\(tag)-\(number)"
        hostAddress = "10.231.\(number).1"
        address = "10.231.\(number).2"
        // Interface names are at most 15 characters.
        let (outside, inside) = ("dh\(tag)\(number)", "dm\(tag)\(number)")
        for arguments in [
            ["netns", "add", name],
            ["link", "add", outside, "type", "veth", "peer", "name", inside],
            ["link", "set", inside, "netns", name],
            ["addr", "add", "\(hostAddress)/24", "dev", outside],
            ["link", "set", outside, "up"],
            ["netns", "exec", name, "ip", "addr", "add", "\(address)/24", "dev", inside],
            ["netns", "exec", name, "ip", "link", "set", inside, "up"],
            ["netns", "exec", name, "ip", "link", "set", "lo", "up"],
        ] {
            let outcome = try await ChildProcess(Self.ip, arguments).run(timeout: .seconds(30))
            guard outcome.status == 0 else {
                await remove()
                throw ChildProcessError(message: "ip \(arguments.joined(separator: " ")): \(outcome.error)")
            }
        }
    }

    /// `executable` with `arguments`, to run inside the namespace.
    public func child(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) -> ChildProcess {
        ChildProcess(Self.ip, ["netns", "exec", name, executable.path] + arguments, environment: environment)
    }

    /// Deletes the namespace (and with it its end of the link, and so the link).
    public func remove() async {
        _ = try? await ChildProcess(Self.ip, ["netns", "delete", name]).run(timeout: .seconds(30))
    }
}
