/// A flow's text as it was read: its key, the file it came from, and the source of every module it required.
///
/// A run keeps one as its snapshot, so the flow can be explained and re-run exactly as it was.
public struct FlowSource: Sendable, Hashable, Codable {
    /// The flow's key: its file name without `.lua` (`cross_sell`).
    public var key: String
    /// The file errors name (`flows/cross_sell.lua`).
    public var path: String
    /// The flow's Lua source.
    public var source: String
    /// The sources of the modules the flow requires, by module name: `nil` while they are still to be read from
    /// the flows directory, set once the flow is a snapshot (see ``FlowWorker/snapshot(of:)``).
    public var modules: [String: String]?
    /// Where `require` reads modules from while ``modules`` is `nil` (the flows directory); not part of a snapshot.
    public var moduleDirectory: String?

    private enum CodingKeys: String, CodingKey {
        case key, path, source, modules
    }

    /// Creates a flow source.
    public init(key: String, path: String, source: String, modules: [String: String]? = nil) {
        self.key = key
        self.path = path
        self.source = source
        self.modules = modules
    }

    /// A hash of the source and its modules (16 hex digits), the flow's version: equal text, equal hash.
    public var contentHash: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ text: String) {
            for byte in text.utf8 {
                hash ^= UInt64(byte)
                hash &*= 0x0000_0100_0000_01b3
            }
            hash ^= 0xff
            hash &*= 0x0000_0100_0000_01b3
        }
        mix(source)
        for (name, text) in (modules ?? [:]).sorted(by: { $0.key < $1.key }) {
            mix(name)
            mix(text)
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
