import CLua

/// Typed operations for the host's trusted extensions (the decision engine): registry references to their tables
/// and functions, raw fills and reads of those tables, and calls under the sandbox's limits. They are the only
/// way code outside this module reaches the Lua C API.
extension LuaState {
    /// A new reference to `table[name]` (read raw) of the table `table` refers to.
    package func reference(toField name: String, of table: Int32) -> Int32 {
        checkThread()
        push(reference: table)
        push(string: name)
        lua_rawget(pointer, -2)
        let field = popReference()
        lua_settop(pointer, -2)
        return field
    }

    /// A new reference to a sequence `{ strings[1], strings[2], ... }`.
    package func reference(toSequence strings: [String]) -> Int32 {
        checkThread()
        lua_createtable(pointer, Int32(clamping: strings.count), 0)
        for (offset, string) in strings.enumerated() {
            push(string: string)
            lua_rawseti(pointer, -2, lua_Integer(offset + 1))
        }
        return popReference()
    }

    /// Empties the table `table` refers to and sets `table[keys[i]] = value(i - 1)` for `i` in `1...count`, raw;
    /// `keys` refers to a sequence of at least `count` keys.
    package func refill(_ table: Int32, keys: Int32, count: Int, value: (Int) -> LuaValue) {
        checkThread()
        let base = lua_gettop(pointer)
        defer { lua_settop(pointer, base) }
        push(reference: table)
        let tableIndex = lua_gettop(pointer)
        lua_pushnil(pointer)
        while lua_next(pointer, tableIndex) != 0 {
            clua_pop(pointer, 1)
            lua_pushvalue(pointer, -1)
            lua_pushnil(pointer)
            lua_rawset(pointer, tableIndex)
        }
        push(reference: keys)
        let keysIndex = lua_gettop(pointer)
        for offset in 0..<count {
            lua_rawgeti(pointer, keysIndex, lua_Integer(offset + 1))
            push(value(offset))
            lua_rawset(pointer, tableIndex)
        }
    }

    /// `table[index]` of the table `table` refers to, read raw; a table value is ``LuaValue/nil``.
    package func rawScalar(of table: Int32, at index: Int) -> LuaValue {
        checkThread()
        push(reference: table)
        defer { lua_settop(pointer, -3) }
        switch lua_rawgeti(pointer, -1, lua_Integer(index)) {
        case LUA_TBOOLEAN: return .boolean(lua_toboolean(pointer, -1) != 0)
        case LUA_TNUMBER:
            return lua_isinteger(pointer, -1) != 0
                ? .integer(Int64(clua_tointeger(pointer, -1))) : .number(clua_tonumber(pointer, -1))
        case LUA_TSTRING: return .string(stringAt(-1, maximumBytes: LuaError.maximumMessageBytes))
        default: return .nil
        }
    }

    /// An argument of ``call(_:_:)``: a value, or what a registry reference holds.
    package enum Argument {
        /// A value, pushed as ``push(_:)`` does.
        case value(LuaValue)
        /// The value a registry reference holds.
        case reference(Int32)
    }

    /// Calls the function `function` refers to under every sandbox limit and returns its first result as data.
    ///
    /// - Parameters:
    ///   - unlimited: Runs the call with no instruction budget and no deadline (trusted benchmark loops).
    ///   - metered: With `unlimited`, whether the count hook is armed anyway (to measure what metering costs);
    ///     without it the call runs as plain Lua would.
    /// - Throws: ``LuaError``: the call's error (a limit poisons the state), or a result that cannot leave the
    ///   sandbox.
    @discardableResult
    package func call(
        _ function: Int32, _ arguments: [Argument], unlimited: Bool = false, metered: Bool = true
    ) throws(LuaError) -> LuaValue {
        checkThread()
        push(reference: function)
        for argument in arguments {
            switch argument {
            case .value(let value): push(value)
            case .reference(let reference): push(reference: reference)
            }
        }
        if unlimited && !metered {
            guard clua_pcall(pointer, Int32(arguments.count), 1, 0) == LUA_OK else {
                defer { clua_pop(pointer, 1) }
                throw LuaError(.runtime, stringAt(-1, maximumBytes: LuaError.maximumMessageBytes))
            }
        } else if unlimited {
            var none = limits
            none.instructionBudget = 0
            none.deadlineSeconds = 0
            none.unmeteredGraceSeconds = 0
            setCallLimits(none)
            defer { setCallLimits(limits) }
            try protectedCall(arguments: Int32(arguments.count), results: 1)
        } else {
            try protectedCall(arguments: Int32(arguments.count), results: 1)
        }
        defer { clua_pop(pointer, 1) }
        return try value(at: -1)
    }

    /// Calls the function `function` refers to with an integer, and returns its first result as an
    /// integer: the decision engine's per-customer call, which allocates nothing on the host.
    ///
    /// - Throws: ``LuaError``: the call's error (a limit poisons the state).
    package func callReturningInteger(_ function: Int32, _ integer: Int64) throws(LuaError) -> Int {
        checkThread()
        push(reference: function)
        lua_pushinteger(pointer, lua_Integer(integer))
        try protectedCall(arguments: 1, results: 1)
        defer { clua_pop(pointer, 1) }
        return Int(clua_tointeger(pointer, -1))
    }
}
