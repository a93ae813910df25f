extension String {
    /// The string followed by spaces up to `length` characters.
    public func paddedRight(to length: Int) -> String {
        self + String(repeating: " ", count: max(0, length - count))
    }

    /// The string without trailing `character`s.
    public func trimmingSuffix(_ character: Character) -> String {
        String(self[..<(lastIndex { $0 != character }.map(index(after:)) ?? startIndex)])
    }
}
