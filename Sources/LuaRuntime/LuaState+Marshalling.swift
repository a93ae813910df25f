import CLua

extension LuaState {
    /// How deep nested tables may go when they cross the boundary; deeper means a cycle or abuse.
    static let maximumDepth = 64

    /// How much one value may bring across the boundary: string bytes and table entries, counted as they are
    /// copied (so a sub-table referenced twice counts twice, and a value built by repeating one big string or
    /// sharing sub-tables cannot multiply the host's memory).
    package struct CopyBudget {
        /// Bytes of strings (keys and values) left to copy.
        var bytes: Int
        /// Values (of any type, table entries included) left to copy.
        var values: Int

        /// The budget of one value leaving the sandbox: 16 MiB of text and a million values.
        package static let standard = CopyBudget(bytes: 16 << 20, values: 1_000_000)

        mutating func spend(bytes count: Int) throws(LuaError) {
            bytes -= count
            values -= 1
            guard bytes >= 0, values >= 0 else {
                throw LuaError(.badValue, "a value larger than \(Self.standard.bytes >> 20) MiB of text or "
                    + "\(Self.standard.values) entries cannot leave the sandbox")
            }
        }
    }

    /// Pushes a Swift string (NUL bytes included).
    package func push(string: String) {
        var string = string
        string.withUTF8 { bytes in
            _ = bytes.withMemoryRebound(to: CChar.self) { lua_pushlstring(pointer, $0.baseAddress, $0.count) }
        }
    }

    /// Pushes a value; tables are built raw, with no metatable.
    package func push(_ value: LuaValue) {
        switch value {
        case .nil: lua_pushnil(pointer)
        case .boolean(let flag): lua_pushboolean(pointer, flag ? 1 : 0)
        case .integer(let number): lua_pushinteger(pointer, lua_Integer(number))
        case .number(let number): lua_pushnumber(pointer, number)
        case .string(let text): push(string: text)
        case .array(let elements):
            lua_createtable(pointer, Int32(clamping: elements.count), 0)
            for (offset, element) in elements.enumerated() {
                push(element)
                lua_rawseti(pointer, -2, lua_Integer(offset + 1))
            }
        case .table(let fields):
            lua_createtable(pointer, 0, Int32(clamping: fields.count))
            for (key, field) in fields {
                push(string: key)
                push(field)
                lua_rawset(pointer, -3)
            }
        }
    }

    /// Reads the value at `index` without running any metamethod (raw reads only), so a hostile table can
    /// neither raise nor loop here.
    ///
    /// - Throws: ``LuaError`` with code ``LuaError/Code/badValue`` for functions, coroutines, userdata, tables
    ///   nested too deeply (or cyclic), and tables mixing array and string keys.
    package func value(at index: Int32) throws(LuaError) -> LuaValue {
        var budget = CopyBudget.standard
        return try value(at: index, depth: 0, budget: &budget)
    }

    private func value(at index: Int32, depth: Int, budget: inout CopyBudget) throws(LuaError) -> LuaValue {
        try budget.spend(bytes: lua_type(pointer, index) == LUA_TSTRING ? Int(lua_rawlen(pointer, index)) : 0)
        switch lua_type(pointer, index) {
        case LUA_TNIL, LUA_TNONE: return .nil
        case LUA_TBOOLEAN: return .boolean(lua_toboolean(pointer, index) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(pointer, index) != 0 { return .integer(Int64(clua_tointeger(pointer, index))) }
            return .number(clua_tonumber(pointer, index))
        case LUA_TSTRING: return .string(stringAt(index))
        case LUA_TTABLE: return try table(at: lua_absindex(pointer, index), depth: depth, budget: &budget)
        case let type:
            let name = String(cString: lua_typename(pointer, type))
            throw LuaError(.badValue, "a \(name) value cannot leave the sandbox")
        }
    }

    private func table(at index: Int32, depth: Int, budget: inout CopyBudget) throws(LuaError) -> LuaValue {
        guard depth < Self.maximumDepth else {
            throw LuaError(.badValue, "a table nested more than \(Self.maximumDepth) levels deep (or a cycle)")
        }
        guard lua_checkstack(pointer, 4) != 0 else { throw LuaError(.badValue, "the Lua stack is exhausted") }
        var elements: [Int: LuaValue] = [:]
        var fields: [String: LuaValue] = [:]
        lua_pushnil(pointer)
        while lua_next(pointer, index) != 0 {
            let element: LuaValue
            do {
                element = try value(at: -1, depth: depth + 1, budget: &budget)
                if lua_type(pointer, -2) == LUA_TSTRING { try budget.spend(bytes: Int(lua_rawlen(pointer, -2))) }
            } catch {
                clua_pop(pointer, 2)
                throw error
            }
            switch lua_type(pointer, -2) {
            case LUA_TSTRING:
                fields[stringAt(-2)] = element
            case LUA_TNUMBER where lua_isinteger(pointer, -2) != 0:
                elements[Int(clua_tointeger(pointer, -2))] = element
            default:
                clua_pop(pointer, 2)
                throw LuaError(.badValue, "a table key must be a string or an array index")
            }
            clua_pop(pointer, 1)
        }
        if elements.isEmpty { return fields.isEmpty ? .array([]) : .table(fields) }
        guard fields.isEmpty, elements.keys.min() == 1, elements.keys.max() == elements.count else {
            throw LuaError(.badValue, "a table mixes array elements with other keys (or its array has holes)")
        }
        return .array((1...elements.count).map { elements[$0]! })
    }
}
