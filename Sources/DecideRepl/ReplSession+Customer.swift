import Foundation

import DecideStore
import DecideText
import DecisionEngine
import LuaRuntime

extension ReplSession {
    /// `:customer ID` or `:customer {TABLE}`: loads a stored customer, or makes one from a Lua table literal.
    func selectCustomer(_ argument: String) throws {
        let input: CustomerInput
        if argument.hasPrefix("{") {
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
        use(input)
        say("customer \(style.cyan(input.customer.id)): \(input.fieldNames.count - 1) fields")
    }

    /// Makes `input` the customer, as loaded, and starts stepping over.
    func use(_ input: CustomerInput) {
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
