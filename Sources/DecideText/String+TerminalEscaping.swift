extension String {
    /// The text made safe for a terminal: control characters (C0 but newline and tab, DEL, C1), the line and
    /// paragraph separators, and the bidirectional controls that reorder or hide text are written as `\uXXXX`.
    ///
    /// Flows supply much of what Decide prints (offer names, stage names, drop reasons, printed lines, error
    /// messages, test names); escaping at output means none of it can move the cursor, rewrite the screen or make
    /// two different texts look alike. The escapes are JSON's, so JSON output stays valid JSON.
    /// - Parameters:
    ///   - keepingLineBreaks: Whether newlines and tabs stay as they are (free text) or are escaped too (one-line
    ///     fields such as table cells).
    ///   - keepingColours: Whether colour sequences (`ESC [ digits ; ... m`, which only change colours) stay, for
    ///     output the REPL colours itself.
    public func escapedForTerminal(keepingLineBreaks: Bool = true, keepingColours: Bool = false) -> String {
        guard unicodeScalars.contains(where: { Self.needsEscape($0, keepingLineBreaks: keepingLineBreaks) }) else {
            return self
        }
        var result = ""
        result.reserveCapacity(utf8.count + 16)
        let scalars = Array(unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            if keepingColours, scalar == "\u{1B}", let end = Self.colourSequenceEnd(scalars, from: index) {
                result.unicodeScalars.append(contentsOf: scalars[(index - 1)..<end])
                index = end
                continue
            }
            if Self.needsEscape(scalar, keepingLineBreaks: keepingLineBreaks) {
                let digits = String(scalar.value, radix: 16, uppercase: true)
                result += "\\u" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Where the colour sequence whose `ESC` precedes `start` ends (one past its `m`), if it is one.
    private static func colourSequenceEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        guard start < scalars.count, scalars[start] == "[" else { return nil }
        var index = start + 1
        while index < scalars.count, index - start <= 16 {
            switch scalars[index] {
            case "0"..."9", ";": index += 1
            case "m": return index + 1
            default: return nil
            }
        }
        return nil
    }

    private static func needsEscape(_ scalar: Unicode.Scalar, keepingLineBreaks: Bool) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: !keepingLineBreaks
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029: true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
