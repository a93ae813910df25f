/// Reading typed values out of the bytes of a CSV field.
enum ByteField {
    /// The narrowest type `bytes` fits: integer, then real, then boolean (`true`/`false`), otherwise text;
    /// `nil` for an empty field.
    static func kind(of bytes: UnsafeBufferPointer<UInt8>) -> AttributeType? {
        if bytes.isEmpty { return nil }
        if integer(bytes) != nil { return .integer }
        if real(bytes) != nil { return .real }
        if equalsIgnoringCase(bytes, "true") || equalsIgnoringCase(bytes, "false") { return .boolean }
        return .text
    }

    /// The field as a value of `type`: `.null` when empty, `nil` when it does not fit.
    static func value(of bytes: UnsafeBufferPointer<UInt8>, as type: AttributeType) -> AttributeValue? {
        if bytes.isEmpty { return .null }
        switch type {
        case .integer: return integer(bytes).map(AttributeValue.integer)
        case .real: return real(bytes).map(AttributeValue.real)
        case .boolean: return boolean(bytes).map(AttributeValue.boolean)
        case .text: return .text(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// A decimal integer with an optional sign that fits in 64 bits.
    static func integer(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var index = 0
        let negative = bytes[0] == UInt8(ascii: "-")
        if negative || bytes[0] == UInt8(ascii: "+") { index = 1 }
        guard index < bytes.count else { return nil }
        var value: Int64 = 0
        while index < bytes.count {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative
                ? shifted.subtractingReportingOverflow(Int64(digit)) : shifted.addingReportingOverflow(Int64(digit))
            guard !overflow, !overflow2 else { return nil }
            value = next
            index += 1
        }
        return value
    }

    /// A finite decimal number, such as `-12.5` or `6.02e23`; `nan` and `inf` are not numbers here.
    static func real(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        let digits = bytes.contains { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        let allowed = bytes.allSatisfy {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e")
                || $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+")
        }
        guard digits, allowed, let value = Double(String(decoding: bytes, as: UTF8.self)), value.isFinite else { return nil }
        return value
    }

    /// `true`/`false`, `t`/`f`, `yes`/`no`, `y`/`n` or `1`/`0`, in any case.
    static func boolean(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        if ["true", "t", "yes", "y", "1"].contains(where: { equalsIgnoringCase(bytes, $0) }) { return true }
        if ["false", "f", "no", "n", "0"].contains(where: { equalsIgnoringCase(bytes, $0) }) { return false }
        return nil
    }

    /// Whether `bytes` spell `word` (lower-case ASCII), ignoring ASCII case.
    private static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        guard bytes.count == word.utf8CodeUnitCount else { return false }
        let letters = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        return zip(bytes, letters).allSatisfy { $0 | 0x20 == $1 || $0 == $1 }
    }
}
