extension String {
    /// The string followed by spaces up to `length` characters.
    func paddedRight(to length: Int) -> String {
        self + String(repeating: " ", count: max(0, length - count))
    }

    /// The string without trailing `character`s.
    func trimmingSuffix(_ character: Character) -> String {
        String(self[..<(lastIndex { $0 != character }.map(index(after:)) ?? startIndex)])
    }
}
