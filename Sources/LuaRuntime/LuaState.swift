import CLua
import CLuaSandbox

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One sandboxed Lua 5.4 state.
///
/// A `LuaState` is deliberately not `Sendable`: it is created on one thread and must only ever be used there
/// (``WorkerPool`` gives each worker thread its own). Every entry point checks that it runs on its owner thread.
///
/// ```swift
/// let state = try LuaState()
/// let script = try state.load(source: "return function(x) return x * 2 end", chunkName: "double.lua")
/// let doubled = try state.call(script, [21])  // .integer(42)
/// ```
public final class LuaState {
    /// The raw state. Only this package's modules touch it, and only on the owner thread.
    package let pointer: OpaquePointer
    /// The limits this state enforces.
    public let limits: SandboxLimits
    /// Whether a limit was hit or marshalling failed: the state's integrity is in doubt and it must be replaced.
    public private(set) var isPoisoned = false

    private let owner: pthread_t
    private let apiReference: Int32
    private var resolver: (any ModuleResolver)?
    private let resolverOutput = ResolverOutput()
    private var resolvedModules: [String: String] = [:]
    private let interrupt: LuaInterrupt?

    /// Creates a state with the sandbox installed.
    ///
    /// - Parameters:
    ///   - limits: The limits every call runs under.
    ///   - interrupt: A handle whose raising stops this state's calls (Ctrl-C in the REPL); the state keeps it.
    /// - Throws: ``LuaError`` with code ``LuaError/Code/unavailable`` when Lua is not 5.4 or the state cannot be
    ///   allocated.
    public init(limits: SandboxLimits = .standard, interrupt: LuaInterrupt? = nil) throws(LuaError) {
        guard clua_version_release_num() / 100 == 504 else {
            throw LuaError(.unavailable, "Lua 5.4 is required, found release \(clua_version_release_num())")
        }
        guard let pointer = ds_newstate(limits.memoryBytes) else {
            throw LuaError(.unavailable, "could not allocate a Lua state")
        }
        self.pointer = pointer
        self.limits = limits
        self.owner = pthread_self()
        self.interrupt = interrupt
        ds_watch_flag(pointer, interrupt?.flag)
        Self.setCallLimits(limits, on: pointer)
        do {
            apiReference = try Self.installPrelude(pointer, limits: limits)
        } catch {
            ds_close(pointer)
            throw error
        }
        ds_set_resolver(pointer, resolveModule, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        ds_close(pointer)
    }

    /// The version of the Lua library linked in, such as `5.4.4`.
    public static var luaVersion: String {
        let release = Int(clua_version_release_num())
        return "\(release / 10000).\(release / 100 % 100).\(release % 100)"
    }

    /// Bytes the state has allocated.
    public var memoryUsed: Int { ds_memory_used(pointer) }

    /// VM instructions the last call executed while it was metered (to within a thousand): all of them with no
    /// unmetered grace; with one, only those after the grace and those inside coroutines.
    public var lastInstructionCount: Int { Int(ds_last_instructions(pointer)) }

    private static func installPrelude(_ L: OpaquePointer, limits: SandboxLimits) throws(LuaError) -> Int32 {
        let status = TrustedLua.sandbox.withCString { text in
            luaL_loadbufferx(L, text, strlen(text), TrustedLua.sandboxChunkName, "t")
        }
        guard status == LUA_OK else {
            throw LuaError(.syntax, String(cString: clua_tostring(L, -1)))
        }
        clua_newtable(L)
        let library: [(String, (OpaquePointer?) -> Void)] = [
            ("resolve", ds_push_resolve), ("rep", ds_push_guarded_rep), ("patterns", ds_push_pattern_library),
            ("coroutines", ds_push_coroutine_library), ("table", ds_push_table_library),
            ("order", ds_push_order_library), ("metatables", ds_push_metatable_access),
            ("check_source", ds_push_source_check), ("check_bytecode", ds_push_bytecode_check),
        ]
        for (name, push) in library {
            push(L)
            lua_setfield(L, -2, name)
        }
        lua_pushinteger(L, lua_Integer(limits.printLogBytes))
        lua_pushinteger(L, lua_Integer(ScriptFile.maximumBytes))
        guard clua_pcall(L, 3, 1, 0) == LUA_OK else {
            throw LuaError(.runtime, String(cString: clua_tostring(L, -1)))
        }
        return luaL_ref(L, clua_registryindex())
    }

    /// Sets the limits of the next calls: instruction budget, deadline, unmetered grace and string limit (the memory
    /// cap stays). Benchmarks use it to run trusted loops without a budget; ``limits`` still reports the state's own.
    package func setCallLimits(_ callLimits: SandboxLimits) {
        checkThread()
        Self.setCallLimits(callLimits, on: pointer)
    }

    private static func setCallLimits(_ limits: SandboxLimits, on L: OpaquePointer) {
        ds_set_limits(
            L, Int64(limits.instructionBudget), limits.deadlineSeconds, limits.effectiveGraceSeconds,
            limits.maxStringBytes
        )
    }

    /// Traps use from a thread other than the one that created the state.
    package func checkThread() {
        precondition(pthread_equal(owner, pthread_self()) != 0, "a LuaState was used from a thread that does not own it")
    }

    /// Marks the state as no longer trustworthy; its owner must replace it.
    package func poison() {
        isPoisoned = true
    }

    // MARK: - The prelude's API

    /// Pushes the field `name` of the prelude's API table.
    package func pushAPI(_ name: String) {
        lua_rawgeti(pointer, clua_registryindex(), lua_Integer(apiReference))
        lua_getfield(pointer, -1, name)
        lua_rotate(pointer, -2, 1)
        clua_pop(pointer, 1)
    }

    /// Pushes the value a registry reference holds.
    package func push(reference: Int32) {
        lua_rawgeti(pointer, clua_registryindex(), lua_Integer(reference))
    }

    /// Pops the top value into a new registry reference.
    package func popReference() -> Int32 {
        luaL_ref(pointer, clua_registryindex())
    }

    /// Releases a registry reference made by ``popReference()``.
    package func release(reference: Int32) {
        luaL_unref(pointer, clua_registryindex(), reference)
    }

    /// Calls the function below `arguments` values on the stack under every sandbox limit.
    ///
    /// - Throws: ``LuaError`` built from the error object; a limit error poisons the state.
    package func protectedCall(arguments: Int32, results: Int32) throws(LuaError) {
        let status = ds_pcall(pointer, arguments, results)
        if ds_needs_replacement(pointer) != 0 { isPoisoned = true }
        guard status != LUA_OK else { return }
        throw popError(status: status)
    }

    /// Builds the error from the error object on top of the stack and pops it. Only raw reads: no metamethod of
    /// the object runs here, outside every limit, and at most ``LuaError/maximumMessageBytes`` of it are copied.
    private func popError(status: Int32) -> LuaError {
        defer { clua_pop(pointer, 1) }
        var code = LuaError.Code.runtime
        var message: String
        switch lua_type(pointer, -1) {
        case LUA_TSTRING:
            message = LuaError.bounded(stringAt(-1, maximumBytes: LuaError.maximumMessageBytes + 1))
        case LUA_TNUMBER:
            message = lua_isinteger(pointer, -1) != 0
                ? String(clua_tointeger(pointer, -1)) : String(clua_tonumber(pointer, -1))
        case LUA_TTABLE:
            message = "error object is a table value"
            if lua_checkstack(pointer, 2) != 0 {
                if rawField("message", of: -1) == LUA_TSTRING {
                    message = LuaError.bounded(stringAt(-1, maximumBytes: LuaError.maximumMessageBytes + 1))
                }
                clua_pop(pointer, 1)
                if rawField("decide_error", of: -1) == LUA_TSTRING, stringAt(-1) == "syntax" { code = .syntax }
                clua_pop(pointer, 1)
            }
        default:
            message = "error object is a \(String(cString: lua_typename(pointer, lua_type(pointer, -1)))) value"
        }
        switch Int32(ds_last_limit(pointer)) {
        case Int32(DS_LIMIT_MEMORY.rawValue): code = .memoryLimit
        case Int32(DS_LIMIT_INSTRUCTIONS.rawValue): code = .instructionLimit
        case Int32(DS_LIMIT_DEADLINE.rawValue): code = .deadline
        case Int32(DS_LIMIT_INTERRUPTED.rawValue): code = .interrupted
        case Int32(DS_LIMIT_STRING.rawValue): code = .stringLimit
        default: if status == LUA_ERRMEM { code = .memoryLimit }
        }
        if code == .memoryLimit, status == LUA_ERRMEM {
            message = "not enough memory: the script went past the sandbox's \(limits.memoryBytes >> 20) MiB cap"
        }
        if code.isLimit { isPoisoned = true }
        return LuaError(code, message)
    }

    /// Pushes `table[name]` read raw (no metamethod) for the table at `index`, and returns its type.
    private func rawField(_ name: String, of index: Int32) -> Int32 {
        let table = lua_absindex(pointer, index)
        push(string: name)
        return lua_rawget(pointer, table)
    }

    /// The string at `index`, which must be a string (never a number: converting one would change the slot), cut
    /// to its first `maximumBytes` bytes.
    package func stringAt(_ index: Int32, maximumBytes: Int = .max) -> String {
        var length = 0
        guard let bytes = lua_tolstring(pointer, index, &length) else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: min(length, maximumBytes)), as: UTF8.self)
    }

    // MARK: - Loading and calling scripts

    /// Compiles `source` as a text chunk in a fresh sandboxed environment and runs its top level.
    ///
    /// - Parameters:
    ///   - source: The Lua source.
    ///   - chunkName: The file name errors will show, e.g. `flows/cross_sell.lua`.
    ///   - resolver: Where `require` finds modules; without one, `require` fails.
    /// - Returns: The loaded script, holding the value its top level returned.
    /// - Throws: ``LuaError``: syntax errors, runtime errors at the top level, limits.
    ///   - seed: What `math.random` is seeded with before the top level runs, so that what it draws is the same in
    ///     every state.
    public func load(
        source: String, chunkName: String, resolver: (any ModuleResolver)? = nil, seed: Int64 = 0
    ) throws(LuaError) -> LoadedScript {
        checkThread()
        self.resolver = resolver
        resolvedModules = [:]
        defer { self.resolver = nil }
        pushAPI("load_chunk")
        push(string: source)
        push(string: "@" + chunkName)
        lua_pushinteger(pointer, lua_Integer(seed))
        try protectedCall(arguments: 3, results: 2)
        let context = popReference()
        let value = popReference()
        return LoadedScript(value: value, context: context, modules: resolvedModules)
    }

    /// Reads the value a loaded script returned.
    ///
    /// - Throws: ``LuaError`` with code ``LuaError/Code/badValue`` for functions, cycles and mixed tables.
    public func value(of script: LoadedScript) throws(LuaError) -> LuaValue {
        checkThread()
        push(reference: script.value)
        defer { clua_pop(pointer, 1) }
        return try value(at: -1)
    }

    /// Calls the function a loaded script returned, after clearing the globals its previous call left behind.
    ///
    /// - Returns: The function's first result.
    /// - Throws: ``LuaError``: runtime errors, limits, or a result that cannot leave the sandbox.
    @discardableResult
    public func call(_ script: LoadedScript, _ arguments: [LuaValue] = []) throws(LuaError) -> LuaValue {
        checkThread()
        pushAPI("invoke")
        push(reference: script.context)
        push(reference: script.value)
        for argument in arguments { push(argument) }
        try protectedCall(arguments: Int32(arguments.count + 2), results: 1)
        defer { clua_pop(pointer, 1) }
        return try value(at: -1)
    }

    /// Frees what a loaded script holds; the script must not be used afterwards.
    public func unload(_ script: LoadedScript) {
        checkThread()
        release(reference: script.value)
        release(reference: script.context)
    }

    /// Runs trusted host code (never a script) with the prelude's API table as its argument, outside the
    /// sandbox's limits, and keeps the value it returns.
    ///
    /// Extensions such as the decision engine use it to add functions to the scripts' base environment.
    /// - Returns: A registry reference to the returned value.
    package func installTrusted(source: String, chunkName: String) throws(LuaError) -> Int32 {
        checkThread()
        let status = source.withCString { text in luaL_loadbufferx(pointer, text, strlen(text), chunkName, "t") }
        guard status == LUA_OK else { throw popError(status: status) }
        lua_rawgeti(pointer, clua_registryindex(), lua_Integer(apiReference))
        guard clua_pcall(pointer, 1, 1, 0) == LUA_OK else { throw popError(status: LUA_ERRRUN) }
        return popReference()
    }

    /// Sets the decision time: what `os.time()` and `os.date()` without a time argument return to scripts.
    public func setDecisionTime(_ secondsSinceEpoch: Int64) {
        checkThread()
        pushAPI("set_decision_time")
        lua_pushinteger(pointer, lua_Integer(secondsSinceEpoch))
        if clua_pcall(pointer, 1, 0, 0) != LUA_OK { clua_pop(pointer, 1) }
    }

    /// Takes the lines scripts printed since the last time, and how many were dropped past the log's cap.
    public func takePrintedLines() -> (lines: [String], dropped: Int) {
        checkThread()
        pushAPI("take_log")
        guard clua_pcall(pointer, 0, 2, 0) == LUA_OK else {
            clua_pop(pointer, 1)
            return ([], 0)
        }
        defer { clua_pop(pointer, 2) }
        let dropped = Int(clua_tointeger(pointer, -1))
        guard case .array(let lines) = (try? value(at: -2)) ?? .nil else { return ([], dropped) }
        return (lines.compactMap(\.stringValue), dropped)
    }

    // MARK: - require

    fileprivate func resolve(_ name: String) -> Result<(source: String, chunkName: String), LuaError> {
        guard let resolver else {
            return .failure(LuaError(.runtime, "require: module '\(name)' not found (require is only available while a flow loads)"))
        }
        do {
            let module = try resolver.module(named: name)
            resolvedModules[name] = module.source
            return .success(module)
        } catch {
            return .failure(error)
        }
    }

    fileprivate func setResolverOutput(_ text: String, chunkName: String) -> (UnsafePointer<CChar>, Int, UnsafePointer<CChar>) {
        resolverOutput.set(text: text, chunkName: chunkName)
        return resolverOutput.pointers
    }
}

/// The bytes handed to the C `require` trampoline, kept alive until the next resolution.
private final class ResolverOutput {
    private var text = UnsafeMutableBufferPointer<CChar>.allocate(capacity: 1)
    private var chunkName = UnsafeMutableBufferPointer<CChar>.allocate(capacity: 1)

    func set(text newText: String, chunkName newChunkName: String) {
        text.deallocate()
        chunkName.deallocate()
        text = Self.copy(newText)
        chunkName = Self.copy("@" + newChunkName)
    }

    var pointers: (UnsafePointer<CChar>, Int, UnsafePointer<CChar>) {
        (UnsafePointer(text.baseAddress!), text.count - 1, UnsafePointer(chunkName.baseAddress!))
    }

    private static func copy(_ string: String) -> UnsafeMutableBufferPointer<CChar> {
        let bytes = string.utf8CString
        let buffer = UnsafeMutableBufferPointer<CChar>.allocate(capacity: bytes.count)
        _ = buffer.initialize(from: bytes)
        return buffer
    }

    deinit {
        text.deallocate()
        chunkName.deallocate()
    }
}

/// The C callback behind `require`: asks the state's resolver, never touches the Lua stack.
private let resolveModule: ds_resolver = { host, name, length, source, sourceLength, chunkName in
    guard let host, let name, let source, let sourceLength, let chunkName else { return 1 }
    let state = Unmanaged<LuaState>.fromOpaque(host).takeUnretainedValue()
    let moduleName = String(decoding: UnsafeRawBufferPointer(start: name, count: length), as: UTF8.self)
    switch state.resolve(moduleName) {
    case .success(let module):
        let pointers = state.setResolverOutput(module.source, chunkName: module.chunkName)
        source.pointee = pointers.0
        sourceLength.pointee = pointers.1
        chunkName.pointee = pointers.2
        return 0
    case .failure(let error):
        let pointers = state.setResolverOutput(error.message, chunkName: "")
        source.pointee = pointers.0
        sourceLength.pointee = pointers.1
        chunkName.pointee = nil
        return 1
    }
}
