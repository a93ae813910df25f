import Foundation

import DecideStore
import DecideText
import DecisionEngine
import LuaRuntime

extension ReplSession {
    /// `:customer ID` or `:customer {TABLE}`: loads a stored customer, or makes one from a Lua table literal.
    func selectCustomer(_ argument: String) throws {
        let input: CustomerInput
        let stored = !argument.hasPrefix("{")
        if !stored {
            var value = try console.value(of: argument, scope: scope())
            if value == .array([]) { value = .table([:]) }
            if case .table(var fields) = value, fields["id"] == nil {
                fields["id"] = "inline"
                value = .table(fields)
            }
            input = try CustomerInput(lua: value)
        } else {
            let store = try self.store
            input = CustomerInput(batch: try Blocking.wait { try await store.customer(id: argument) })
        }
        use(input, stored: stored)
        say("customer \(style.cyan(input.customer.id)): \(input.fieldNames.count - 1) fields")
    }

    /// Makes `input` the customer, as loaded (`stored`: from the store, with the stored history), and starts stepping
    /// over.
    func use(_ input: CustomerInput, stored: Bool) {
        customerIsStored = stored
        loadedCustomer = input
        customer = input
        startOver()
    }

    /// `:set FIELD = VALUE`: a what-if on one field; VALUE is a Lua expression.
    func setField(_ argument: String) throws {
        let equals = argument.firstIndex(of: "=")
        let field = equals.map { argument[..<$0].trimmingCharacters(in: .whitespaces) } ?? ""
        guard let equals, isIdentifier(field) else {
            throw ReplError(.usage, "write :set FIELD = VALUE, e.g. :set income = 90000")
        }
        let expression = argument[argument.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        guard !expression.isEmpty else { throw ReplError(.usage, "give a value: :set \(field) = VALUE") }
        guard field != "id" else { throw ReplError(.usage, "the id cannot be changed; use :customer for another customer") }
        let current = try requireCustomer()
        let value = try console.value(of: expression, scope: scope())
        var fields = Self.fields(of: current)
        let isNew = !current.fieldNames.contains(field)
        fields[field] = value
        customer = try CustomerInput(lua: .table(fields))
        startOver()
        say("\(field) = \(describe(value))" + (isNew ? style.dim("  (a field the customer did not have)") : ""))
    }

    /// `:unset FIELD`: the field becomes missing.
    func unsetField(_ field: String) throws {
        let current = try requireCustomer()
        guard field != "id" else { throw ReplError(.usage, "the id cannot be removed") }
        guard let index = current.fieldNames.firstIndex(of: field), current.customer.values[index] != .null else {
            throw ReplError(.notFound, "the customer has no field \(field)\(suggestion(field, among: current.fieldNames))")
        }
        var fields = Self.fields(of: current)
        fields[field] = nil
        customer = try CustomerInput(lua: .table(fields))
        startOver()
        say("\(field) removed")
    }

    /// `:show`: every field, with what-ifs marked.
    func showCustomer() throws {
        let current = try requireCustomer()
        let original = loadedCustomer.map(Self.fields(of:)) ?? [:]
        let now = Self.fields(of: current)
        var rows: [[String]] = []
        for name in current.fieldNames {
            guard let value = now[name] else { continue }
            let before = original[name]
            let mark = before == value ? "" : before.map { "(was \(describe($0)))" } ?? "(added)"
            rows.append([name, describe(value), mark])
        }
        for name in (loadedCustomer?.fieldNames ?? []) where now[name] == nil && original[name] != nil {
            rows.append([name, "nil", "(was \(describe(original[name]!)))"])
        }
        say(TextTable(headers: ["FIELD", "VALUE", ""], rows: rows).render())
    }

    /// The customer in use, or an error saying to load one.
    func requireCustomer() throws -> CustomerInput {
        guard let customer else {
            throw ReplError(.missing, "no customer; use :customer ID or :customer {age = 30, ...}")
        }
        return customer
    }

    /// The customer's fields as a Lua table value (missing values left out).
    static func fields(of input: CustomerInput) -> [String: LuaValue] {
        var fields: [String: LuaValue] = [:]
        for (name, value) in zip(input.fieldNames, input.customer.values) {
            switch value {
            case .null: continue
            case .integer(let number): fields[name] = .integer(number)
            case .real(let number): fields[name] = .number(number)
            case .text(let text): fields[name] = .string(text)
            case .boolean(let flag): fields[name] = .boolean(flag)
            }
        }
        return fields
    }

    /// A value as Lua would write it.
    func describe(_ value: LuaValue) -> String {
        switch value {
        case .nil: "nil"
        case .boolean(let flag): String(flag)
        case .integer(let number): String(number)
        case .number(let number): String(number)
        case .string(let text): "\"\(text)\""
        case .array, .table: "{...}"
        }
    }

    /// " (did you mean X?)" for the closest of `names` to `name`, or nothing.
    func suggestion(_ name: String, among names: [String]) -> String {
        let close = names.filter { $0.hasPrefix(String(name.prefix(3))) || name.hasPrefix(String($0.prefix(3))) }
        return close.isEmpty ? "" : " (did you mean \(close.prefix(3).joined(separator: ", "))?)"
    }

    private func isIdentifier(_ text: String) -> Bool {
        guard let first = text.first, first.isLetter || first == "_" else { return false }
        return text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }
}

extension ReplSession {
    /// The stored history of `customerIds` that `window` lets a decision see.
    func storedHistory(of customerIds: [String], window: HistoryWindow) throws -> InteractionHistory {
        try blocking { try await $0.history(of: customerIds, window: window) }
    }

    /// How many of a customer's interactions `:history` lists.
    static let historyShown = 20

    /// `:history`: the stored customer's interactions, newest first, marking those the decision time hides.
    func showHistory() throws {
        let current = try requireCustomer()
        guard customerIsStored else {
            return say("customer \(current.customer.id) is inline: no stored history (decisions see none)")
        }
        let id = current.customer.id
        let page = try blocking { try await $0.interactions(customerId: id, limit: Self.historyShown, offset: 0) }
        let time = decisionTime ?? Date()
        guard !page.interactions.isEmpty else { return say("customer \(style.cyan(id)) has no interaction history") }
        let rows = page.interactions.map { interaction in
            let hidden = interaction.at >= time
            let age = time.timeIntervalSince(interaction.at) / 86_400
            return [
                Interaction.text(of: interaction.at), interaction.offerId, interaction.channel ?? "-", interaction.outcome,
                hidden ? style.dim("after the decision time: not seen") : String(format: "%.1f days ago", age),
            ]
        }
        say("customer \(style.cyan(id)): \(page.total) interactions\(page.total > rows.count ? ", the newest \(rows.count):" : ":")")
        say(TextTable(headers: ["AT", "OFFER", "CHANNEL", "OUTCOME", "AGE"], rows: rows).render())
        say(style.dim("decisions as of \(decisionTime.map(Interaction.text(of:)) ?? "now") see the interactions before then"))
    }
}
