/// Finds an object member given twice in a JSON text (`{"seed": 1, "seed": 2}`), which `JSONDecoder` would
/// silently resolve to the last one: a client's mistake the API refuses, naming the member.
///
/// A single pass over the bytes that knows strings and escapes; the text is otherwise left to the decoder to
/// judge, so malformed JSON is reported by it.
enum JSONDuplicateKeys {
    /// The JSON path (`filter.all[1].field`) of the first member repeated in its object, if any.
    static func first(in bytes: some Collection<UInt8>) -> String? {
        var scopes: [Scope] = []
        var index = bytes.startIndex
        var expectingKey = false
        while index < bytes.endIndex {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"):
                scopes.append(Scope(isObject: true))
                expectingKey = true
            case UInt8(ascii: "["):
                scopes.append(Scope(isObject: false))
                expectingKey = false
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if !scopes.isEmpty { scopes.removeLast() }
                expectingKey = false
            case UInt8(ascii: ","):
                if let last = scopes.last {
                    if last.isObject { expectingKey = true } else { scopes[scopes.count - 1].element += 1 }
                }
            case UInt8(ascii: "\""):
                var text: [UInt8] = []
                index = bytes.index(after: index)
                while index < bytes.endIndex, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") {
                        text.append(bytes[index])
                        index = bytes.index(after: index)
                        if index == bytes.endIndex { break }
                    }
                    text.append(bytes[index])
                    index = bytes.index(after: index)
                }
                if expectingKey, !scopes.isEmpty {
                    let key = String(decoding: text, as: UTF8.self)
                    if !scopes[scopes.count - 1].keys.insert(key).inserted {
                        return path(scopes, last: key)
                    }
                    scopes[scopes.count - 1].current = key
                    expectingKey = false
                }
            default:
                break
            }
            if index < bytes.endIndex { index = bytes.index(after: index) }
        }
        return nil
    }

    private struct Scope {
        let isObject: Bool
        var keys: Set<String> = []
        var current = ""
        var element = 0
    }

    private static func path(_ scopes: [Scope], last: String) -> String {
        var text = ""
        for scope in scopes.dropLast() {
            if scope.isObject { text += (text.isEmpty ? "" : ".") + scope.current } else { text += "[\(scope.element)]" }
        }
        return text + (text.isEmpty ? "" : ".") + last
    }
}
