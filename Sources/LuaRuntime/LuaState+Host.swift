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

    /// Runs `body` with the values `references` hold on the stack, for a hot loop that fills and reads them many
    /// times (a batch of customers) without a registry lookup each time.
    package func withFrame<Result>(
        _ references: [Int32], _ body: (borrowing Frame) throws -> Result
    ) rethrows -> Result {
        checkThread()
        let base = lua_gettop(pointer)
        defer { lua_settop(pointer, base) }
        for reference in references { push(reference: reference) }
        return try body(Frame(state: self, base: base))
    }

    /// The values of ``withFrame(_:_:)``'s references, by their position in its list (slot 0 is the first).
    package struct Frame: ~Copyable {
        fileprivate let state: LuaState
        fileprivate let base: Int32

        private func index(_ slot: Int) -> Int32 { base + 1 + Int32(slot) }

        /// Empties the table in `slot`, raw.
        package func clear(_ slot: Int) {
            let L = state.pointer, table = index(slot)
            lua_pushnil(L)
            while lua_next(L, table) != 0 {
                clua_pop(L, 1)
                lua_pushvalue(L, -1)
                lua_pushnil(L)
                lua_rawset(L, table)
            }
        }

        /// Sets `table[keys[i + 1]]` raw for `i` in `0..<count`, `keys` being the sequence in `keysSlot`, to what
        /// `value(i, pusher)` pushes (exactly one value).
        package func set(_ slot: Int, keys keysSlot: Int, count: Int, value: (Int, borrowing Pusher) -> Void) {
            let L = state.pointer, table = index(slot), keys = index(keysSlot)
            let pusher = Pusher(state: state)
            for offset in 0..<count {
                lua_rawgeti(L, keys, lua_Integer(offset + 1))
                value(offset, pusher)
                lua_rawset(L, table)
            }
        }

        /// Sets `table[position]` of the table in `slot` to `value`, raw.
        package func setInteger(_ slot: Int, at position: Int, _ value: Int64) {
            let L = state.pointer
            lua_pushinteger(L, lua_Integer(value))
            lua_rawseti(L, index(slot), lua_Integer(position))
        }

        /// Sets `table[position]` of the table in `slot` to `text`, raw.
        package func setString(_ slot: Int, at position: Int, _ text: String) {
            state.push(string: text)
            lua_rawseti(state.pointer, index(slot), lua_Integer(position))
        }

        /// Calls the function in `slot` with one integer under every sandbox limit and returns its integer result.
        ///
        /// - Throws: ``LuaError``: the call's error (a limit poisons the state).
        package func callReturningInteger(_ slot: Int, _ argument: Int64) throws(LuaError) -> Int {
            let L = state.pointer
            lua_pushvalue(L, index(slot))
            lua_pushinteger(L, lua_Integer(argument))
            try state.protectedCall(arguments: 1, results: 1)
            defer { clua_pop(L, 1) }
            return Int(clua_tointeger(L, -1))
        }

        /// `table[position]` of the table in `slot`, read raw, as an integer (0 for anything else).
        package func rawInteger(_ slot: Int, at position: Int) -> Int {
            let L = state.pointer
            defer { clua_pop(L, 1) }
            return lua_rawgeti(L, index(slot), lua_Integer(position)) == LUA_TNUMBER ? Int(clua_tointeger(L, -1)) : 0
        }

        /// `table[position]` of the table in `slot`, read raw, as a number (nil for anything else).
        package func rawNumber(_ slot: Int, at position: Int) -> Double? {
            let L = state.pointer
            defer { clua_pop(L, 1) }
            return lua_rawgeti(L, index(slot), lua_Integer(position)) == LUA_TNUMBER ? clua_tonumber(L, -1) : nil
        }

        /// `table[position]` of the table in `slot`, read raw, as a string of at most 1 KiB (nil for anything else).
        package func rawString(_ slot: Int, at position: Int) -> String? {
            let L = state.pointer
            defer { clua_pop(L, 1) }
            guard lua_rawgeti(L, index(slot), lua_Integer(position)) == LUA_TSTRING else { return nil }
            return state.stringAt(-1, maximumBytes: LuaError.maximumMessageBytes)
        }
    }

    /// Pushes one scalar onto the stack of a ``Frame``'s state (see ``Frame/set(_:keys:count:value:)``).
    package struct Pusher: ~Copyable {
        fileprivate let state: LuaState

        /// `nil`.
        package func null() { lua_pushnil(state.pointer) }
        /// A boolean.
        package func boolean(_ flag: Bool) { lua_pushboolean(state.pointer, flag ? 1 : 0) }
        /// An integer.
        package func integer(_ number: Int64) { lua_pushinteger(state.pointer, lua_Integer(number)) }
        /// A float.
        package func number(_ number: Double) { lua_pushnumber(state.pointer, number) }
        /// A string.
        package func string(_ text: String) { state.push(string: text) }
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
}
