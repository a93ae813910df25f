/// The trusted Lua code that builds the sandbox inside every state.
///
/// It runs once, when the state is created, with the real standard libraries in reach, and returns the host's
/// API table: `base` (the allow-listed globals every script environment inherits), `load_chunk`, `reset`,
/// `invoke`, `take_log`, and for trusted extensions the real `getinfo`, `rawset` and `setmetatable`. Scripts never
/// see the real libraries, only copies behind read-only proxies.
enum SandboxPrelude {
    /// The chunk name Lua reports for errors inside the prelude itself.
    static let chunkName = "=sandbox"

    /// The prelude's source.
    static let source = #"""
    local ds, print_cap = ...
    local error, type, next, pairs, select, tostring, rawget, rawset, rawlen, setmetatable, load, collectgarbage =
        error, type, next, pairs, select, tostring, rawget, rawset, rawlen, setmetatable, load, collectgarbage
    local tconcat, tpack, tunpack, smatch, sgmatch = table.concat, table.pack, table.unpack, string.match, string.gmatch
    local LOADING = {}

    -- Tables the scripts may read but never change, even with rawset.
    local protected = setmetatable({}, { __mode = "k" })

    local function readonly(name, source)
        local proxy = setmetatable({}, {
            __index = source,
            __newindex = function(_, key)
                error(name .. " is read-only (cannot set '" .. tostring(key) .. "')", 2)
            end,
            __pairs = function() return next, source, nil end,
            __len = function() return rawlen(source) end,
            __metatable = false,
        })
        protected[proxy] = true
        return proxy
    end

    local function copy(source, except)
        local result = {}
        for key, value in pairs(source) do
            if not (except and except[key]) then result[key] = value end
        end
        return result
    end

    -- Coroutines are metered from their first instruction: a call's main thread may start unmetered, and a hook
    -- armed there later never reaches a coroutine that is already running.
    local sandbox_coroutine = copy(coroutine)
    for key, value in pairs(ds.coroutines) do sandbox_coroutine[key] = value end

    local sandbox_string = copy(string, { dump = true })
    sandbox_string.rep = ds.rep
    for key, value in pairs(ds.patterns) do sandbox_string[key] = value end
    local string_metatable = getmetatable("")
    string_metatable.__index = sandbox_string
    string_metatable.__metatable = false

    local log, log_bytes, log_dropped = {}, 0, 0
    local function sandbox_print(...)
        local parts = {}
        for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
        local line = tconcat(parts, "\t")
        if log_bytes + #line + 1 > print_cap then
            log_dropped = log_dropped + 1
            return
        end
        log[#log + 1] = line
        log_bytes = log_bytes + #line + 1
    end

    local function take_log()
        local lines, dropped = log, log_dropped
        log, log_bytes, log_dropped = {}, 0, 0
        return lines, dropped
    end

    -- The message handler runs after the protected call returns, under the same budget: a handler that loops
    -- is stopped like any other code (the real xpcall runs it with hooks off).
    local function sandbox_xpcall(f, handler, ...)
        local results = tpack(pcall(f, ...))
        if results[1] then return tunpack(results, 1, results.n) end
        local _, value = pcall(handler, results[2])
        return false, value
    end

    -- Finalizers run with hooks off, where no budget could stop them: scripts may not declare any.
    local function sandbox_setmetatable(t, metatable)
        if type(metatable) == "table" and rawget(metatable, "__gc") ~= nil then
            error("setmetatable: __gc metamethods are not allowed in flows", 2)
        end
        return setmetatable(t, metatable)
    end

    local function sandbox_rawset(t, key, value)
        if protected[t] then error("rawset: library tables are read-only", 2) end
        return rawset(t, key, value)
    end

    local function sandbox_collectgarbage(option)
        if option == "count" then return collectgarbage("count") end
        error("collectgarbage: only collectgarbage(\"count\") is allowed in flows", 2)
    end

    local base = {
        assert = assert, error = error, ipairs = ipairs, next = next, pairs = pairs, pcall = pcall,
        select = select, tonumber = tonumber, tostring = tostring, type = type, rawequal = rawequal,
        rawlen = rawlen, rawget = rawget, rawset = sandbox_rawset, getmetatable = getmetatable,
        setmetatable = sandbox_setmetatable, xpcall = sandbox_xpcall, print = sandbox_print,
        collectgarbage = sandbox_collectgarbage, _VERSION = _VERSION,
        string = readonly("string", sandbox_string),
        table = readonly("table", copy(table)),
        math = readonly("math", copy(math, { randomseed = true })),
        utf8 = readonly("utf8", copy(utf8)),
        coroutine = readonly("coroutine", sandbox_coroutine),
        os = readonly("os", { time = os.time, date = os.date, clock = os.clock }),
    }

    local function check_module_name(name)
        if type(name) ~= "string" or #name == 0 or #name > 200 then
            error("require: a module name must be a non-empty string", 3)
        end
        for part in sgmatch(name .. ".", "([^.]*)%.") do
            if not smatch(part, "^[%a_][%w_]*$") then
                error("require: invalid module name '" .. name .. "' (use names like \"catalog\" or "
                    .. "\"shared.models\": flows/catalog.lua, flows/shared/models.lua)", 3)
            end
        end
    end

    -- A context is everything one loaded script owns: its environments and its module cache.
    local new_environment

    local function make_require(context)
        return function(name)
            check_module_name(name)
            local cached = context.modules[name]
            if cached == LOADING then error("require: module '" .. name .. "' requires itself", 2) end
            if cached ~= nil then return cached end
            if not context.loading then
                error("require: module '" .. name .. "' must be required when the flow loads, at its top level", 2)
            end
            local source, chunkname = ds.resolve(name)
            local env = new_environment(context)
            local chunk, message = load(source, chunkname, "t", env)
            if not chunk then error({ decide_error = "syntax", message = message }, 0) end
            context.modules[name] = LOADING
            local value = chunk(name)
            if value == nil then value = true end
            context.modules[name] = value
            return value
        end
    end

    local function make_load(env)
        return function(chunk, chunkname, mode, chunk_env)
            if type(chunk) ~= "string" then error("load: only text chunks (strings) may be loaded in flows", 2) end
            if chunk_env == nil then chunk_env = env end
            return load(chunk, chunkname or "=(load)", "t", chunk_env)
        end
    end

    -- Globals a script sets while it loads stay; globals it sets later land in a scratch table that
    -- `reset` empties, so one call never sees what another left behind.
    function new_environment(context)
        local globals = setmetatable({}, { __index = base, __metatable = false })
        local env = setmetatable({}, { __index = globals, __metatable = false })
        globals._G = env
        globals.require = context.require
        globals.load = make_load(env)
        context.environments[#context.environments + 1] = { env = env, globals = globals }
        return env
    end

    local function reset(context)
        local environments = context.environments
        for i = 1, #environments do
            local env = environments[i].env
            if next(env) ~= nil then
                for key in next, env do rawset(env, key, nil) end
            end
        end
    end

    local function invoke(context, f, ...)
        reset(context)
        return f(...)
    end

    local function load_chunk(source, chunkname)
        local context = { modules = {}, environments = {}, loading = true }
        context.require = make_require(context)
        local env = new_environment(context)
        local chunk, message = load(source, chunkname, "t", env)
        if not chunk then error({ decide_error = "syntax", message = message }, 0) end
        local value = chunk()
        context.loading = false
        for _, environment in ipairs(context.environments) do
            for key, v in next, environment.env do rawset(environment.globals, key, v) end
        end
        reset(context)
        return value, context
    end

    local getinfo = debug.getinfo
    dofile, loadfile, debug = nil, nil, nil
    for _, name in ipairs({ "execute", "exit", "getenv", "remove", "rename", "tmpname", "setlocale" }) do
        os[name] = nil
    end

    return {
        base = base, load_chunk = load_chunk, reset = reset, invoke = invoke,
        take_log = take_log, math_randomseed = math.randomseed,
        getinfo = getinfo, rawset = rawset, setmetatable = setmetatable,
    }
    """#
}
