import Hummingbird

extension Request {
    /// The query parameter `name`, when given.
    func query(_ name: String) -> String? {
        uri.queryParameters.get(name)
    }

    /// The text query parameter `name`, when given.
    ///
    /// - Throws: ``APIProblem`` `400` naming the parameter when it is longer than `maximumLength` characters.
    func query(_ name: String, maximumLength: Int) throws -> String? {
        guard let text = query(name) else { return nil }
        guard text.count <= maximumLength else {
            throw APIProblem.badRequest("\(name) must be at most \(maximumLength) characters, got \(text.count)", field: name)
        }
        return text
    }

    /// The integer query parameter `name`, `defaultValue` when absent.
    ///
    /// - Throws: ``APIProblem`` `400` naming the parameter when it is not an integer within `range`.
    func integerQuery(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = query(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw APIProblem.badRequest(
                "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound), got \"\(text)\"", field: name)
        }
        return value
    }

    /// The boolean query parameter `name` (`true` or `false`), false when absent.
    ///
    /// - Throws: ``APIProblem`` `400` naming the parameter for any other value.
    func booleanQuery(_ name: String) throws -> Bool {
        switch query(name) {
        case nil, "false": return false
        case "true": return true
        case let text?: throw APIProblem.badRequest("\(name) must be true or false, got \"\(text.prefix(60))\"", field: name)
        }
    }

    /// `limit` (default 50, at most 200) and `offset` (default 0).
    func paging() throws -> (limit: Int, offset: Int) {
        (try integerQuery("limit", default: 50, in: 0...200), try integerQuery("offset", default: 0, in: 0...Int(Int32.max)))
    }
}
