import DecideStore
import DecisionEngine

/// Tab completion: command names after `:`, then what each command takes (flow keys, offer ids, customer fields,
/// segments, run ids); in Lua, `customer.` fields, quoted offer ids, and the names in scope.
struct ReplCompleter {
    /// The session whose flow, customer and store supply the words.
    let session: ReplSession

    /// The completions of the word that ends the text before the cursor.
    ///
    /// - Returns: How many characters that word has, and the words it may complete to, sorted.
    func complete(_ text: String) -> (wordLength: Int, candidates: [String]) {
        let word = String(text.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" }.reversed())
        let before = text.dropLast(word.count)
        let words: [String]
        if text.hasPrefix(":"), !text.contains(" ") {
            words = ReplCommandInfo.all.map(\.name)
        } else if text.hasPrefix(":") {
            let command = text.dropFirst().prefix { $0 != " " }
            words = arguments(of: String(command), before: String(before))
        } else if before.hasSuffix("customer.") {
            words = fields
        } else if before.hasSuffix("\"") || before.hasSuffix("'") {
            words = offerIds
        } else {
            words = ["customer", "offers", "candidates", "print", "ipairs", "pairs", "string", "table", "math",
                     "tostring", "tonumber", "type"]
        }
        return (word.count, Array(Set(words.filter { $0.hasPrefix(word) })).sorted())
    }

    private func arguments(of command: String, before: String) -> [String] {
        switch command {
        case "help": return ReplCommandInfo.all.map(\.name)
        case "flow": return session.library.keys()
        case "why": return offerIds
        case "set", "unset": return before.contains("=") ? [] : fields
        case "segment": return ((try? session.blocking { try await $0.segments() }) ?? []).map(\.segment.name)
        case "use": return ((try? session.blocking { try await $0.runs(status: nil, limit: 20, offset: 0).runs }) ?? []).map(\.id)
        case "customer", "result":
            return before.contains("{") ? fields : []
        default: return []
        }
    }

    private var fields: [String] {
        session.customer?.fieldNames ?? ((try? session.blocking { try await $0.schema().names }) ?? [])
    }

    private var offerIds: [String] {
        session.flow?.description.offers.map(\.id) ?? []
    }
}
