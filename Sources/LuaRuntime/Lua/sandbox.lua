-- The sandbox: trusted Lua that builds, inside every state, the environment scripts run in.
--
-- It runs once, when the state is created, with the real standard libraries in reach, and returns the host's API
-- table: `base` (the allow-listed globals every script environment inherits), `load_chunk`, `reset`, `invoke`,
-- `take_log`, `set_decision_time`, `seed_call` (the seed of the next call's first `math.random` draw), and for
-- trusted extensions (the decision engine) the real `setmetatable` and `next`, `iterate` and `getinfo`. Scripts never see the real
-- libraries, only copies behind read-only proxies, and nothing here hands them a table the sandbox itself relies on.

local ds, print_cap, max_source = ...
local error, type, select, rawget, rawset, rawlen, rawequal, setmetatable, load =
    error, type, select, rawget, rawset, rawlen, rawequal, setmetatable, load
local real_next, real_tostring = next, tostring
local tconcat, tpack, tunpack = table.concat, table.pack, table.unpack
local sfind, ssub, sbyte, sgsub, sgmatch, smatch, sformat = string.find, string.sub, string.byte, string.gsub,
    string.gmatch, string.match, string.format
local ordered_pairs, ordered_next = ds.order.pairs, ds.order.next
local raw_getmetatable, raw_setmetatable = ds.metatables.get, ds.metatables.set
local check_source, check_bytecode = ds.check_source, ds.check_bytecode
local LOADING = {}

-- The longest text `load` compiles in a flow, and the longest flow or module source (the host's ScriptFile limit).
local MAX_CHUNK_BYTES = 1 << 20
local MAX_SOURCE_BYTES = max_source

-- Tables the scripts may read but never change, even with rawset.
local protected = setmetatable({}, { __mode = "k" })

-- An iterator over `source` that never hands `source` itself out (a proxy's `__pairs`).
local function iterate(source)
    local step = ordered_pairs(source)
    return step, nil, nil
end

local function readonly(name, source)
    local proxy = setmetatable({}, {
        __index = source,
        __newindex = function(_, key)
            error(name .. " is read-only (cannot set '" .. real_tostring(key) .. "')", 2)
        end,
        __pairs = function() return iterate(source) end,
        __len = function() return rawlen(source) end,
        __metatable = false,
    })
    protected[proxy] = true
    return proxy
end

local function copy(source, except)
    local result = {}
    for key, value in real_next, source do
        if not (except and except[key]) then result[key] = value end
    end
    return result
end

-- tostring: Lua shows a table's, function's or coroutine's address, which differs between states and runs; the
-- sandbox numbers them instead, in the order a call first shows them (so the same call shows the same text).
local ids, shown = setmetatable({}, { __mode = "k" }), 0

local function reset_ids()
    if shown > 0 then
        ids, shown = setmetatable({}, { __mode = "k" }), 0
    end
end

local function sandbox_tostring(value)
    local kind = type(value)
    if kind ~= "table" and kind ~= "function" and kind ~= "thread" and kind ~= "userdata" then
        return real_tostring(value)
    end
    local label = kind
    local metatable = raw_getmetatable(value)
    if metatable ~= nil then
        if rawget(metatable, "__tostring") ~= nil then return real_tostring(value) end
        local name = rawget(metatable, "__name")
        if type(name) == "string" then label = name end
    end
    local id = ids[value]
    if id == nil then
        shown = shown + 1
        id = shown
        ids[value] = id
    end
    return label .. ": #" .. id
end

-- string.format: `%p` shows an address, and `%s` of a table would too.
local checked_formats, checked_count = {}, 0

local function sandbox_format(format, ...)
    if type(format) == "string" and checked_formats[format] == nil then
        for conversion in sgmatch(sgsub(format, "%%%%", ""), "%%[-+ #0]*%d*%.?%d*(.?)") do
            if conversion == "p" then error("bad argument #1 to 'format' ('%p' shows an address: not in flows)", 2) end
        end
        if checked_count >= 256 then checked_formats, checked_count = {}, 0 end
        checked_formats[format], checked_count = true, checked_count + 1
    end
    local count = select("#", ...)
    for i = 1, count do
        local kind = type((select(i, ...)))
        if kind == "table" or kind == "function" or kind == "thread" or kind == "userdata" then
            local arguments = tpack(...)
            for j = i, count do
                local k = type(arguments[j])
                if k == "table" or k == "function" or k == "thread" or k == "userdata" then
                    arguments[j] = sandbox_tostring(arguments[j])
                end
            end
            return sformat(format, tunpack(arguments, 1, count))
        end
    end
    return sformat(format, ...)
end

-- Coroutines are metered from their first instruction, and resuming one records it as the running thread.
local sandbox_coroutine = copy(coroutine)
for key, value in real_next, ds.coroutines do sandbox_coroutine[key] = value end

local sandbox_string = copy(string, { dump = true, pack = true, unpack = true, packsize = true })
sandbox_string.rep = ds.rep
sandbox_string.format = sandbox_format
for key, value in real_next, ds.patterns do sandbox_string[key] = value end
local string_metatable = getmetatable("")
string_metatable.__index = sandbox_string
string_metatable.__metatable = false

-- utf8.codes: Lua 5.4.4 accepts spurious continuation bytes (fixed in 5.4.5); the sandbox checks the text first.
local sandbox_utf8 = copy(utf8)
local utf8_len, utf8_codes = utf8.len, utf8.codes
sandbox_utf8.codes = function(text, lax)
    if type(text) == "string" and not utf8_len(text, 1, -1, lax) then error("invalid UTF-8 code", 2) end
    return utf8_codes(text, lax)
end

-- The time a decision is made at: what os.time() and os.date() without a time argument return, set by the host
-- (a run's decision time), so a flow decides the same whenever and wherever it runs.
local decision_time = os.time()
local os_time, os_date, os_difftime = os.time, os.date, os.difftime
local sandbox_os = {
    time = function(t)
        if t == nil then return decision_time end
        return os_time(t)
    end,
    date = function(format, t)
        if t == nil then t = decision_time end
        return os_date(format, t)
    end,
    difftime = os_difftime,
    clock = function()
        error("os.clock is not available in flows (it differs from one run to the next)", 2)
    end,
}

local log, log_bytes, log_dropped = {}, 0, 0
local function sandbox_print(...)
    local parts = {}
    for i = 1, select("#", ...) do parts[i] = sandbox_tostring((select(i, ...))) end
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

-- setmetatable: the metatable a table really gets is a copy of the metamethods (`__` fields) of the one the script
-- gives, made now; `getmetatable` still returns the script's own. So no metamethod can be added later where the
-- sandbox would not see it: finalizers (`__gc`, run where no budget can stop them), weak modes (`__mode`: the
-- collector's timing would show in results, and Lua 5.4's weak-table bugs stay out of reach) and to-be-closed
-- values (`__close`, behind Lua 5.4.4's C-stack overflow in nested coroutine.close) are refused outright.
local REFUSED = {
    __gc = "finalizers run where no budget can stop them",
    __mode = "weak tables change with the collector's timing",
    __close = "to-be-closed values are not available in flows",
}
local snapshots = setmetatable({}, { __mode = "k" }) -- the metatable in force -> the script's own

local function sandbox_setmetatable(t, metatable)
    if type(t) ~= "table" then
        error("bad argument #1 to 'setmetatable' (table expected, got " .. type(t) .. ")", 2)
    end
    if metatable ~= nil and type(metatable) ~= "table" then
        error("bad argument #2 to 'setmetatable' (nil or table expected)", 2)
    end
    local current = raw_getmetatable(t)
    if current ~= nil then
        local own = snapshots[current] or current
        if rawget(own, "__metatable") ~= nil then error("cannot change a protected metatable", 2) end
    end
    if metatable == nil then return raw_setmetatable(t, nil) end
    local snapshot = {}
    for key, value in real_next, metatable do
        if type(key) == "string" and sbyte(key, 1) == 95 and sbyte(key, 2) == 95 then
            local why = REFUSED[key]
            if why then error("setmetatable: " .. key .. " metamethods are not allowed in flows (" .. why .. ")", 2) end
            snapshot[key] = value
        end
    end
    if rawget(metatable, "__metatable") == nil then snapshot.__metatable = metatable end
    snapshots[snapshot] = metatable
    return raw_setmetatable(t, snapshot)
end

local function sandbox_rawset(t, key, value)
    if protected[t] then error("rawset: library tables are read-only", 2) end
    return rawset(t, key, value)
end

local function unavailable(name, why)
    return function() error(name .. " is not available in flows (" .. why .. ")", 2) end
end

-- math.random: the host gives each call its seed (`seed_call`), and the generator is seeded with it at the call's
-- first draw, so a call that draws nothing costs nothing, and one that draws gets the same numbers whatever the
-- source text says.
local real_random, randomseed = math.random, math.randomseed
local pending_seed
local sandbox_math = copy(math, { randomseed = true })
sandbox_math.random = function(...)
    if pending_seed ~= nil then
        randomseed(pending_seed)
        pending_seed = nil
    end
    return real_random(...)
end

local function seed_call(seed)
    pending_seed = seed
end

local base = {
    assert = assert, error = error, ipairs = ipairs, next = ordered_next, pairs = ordered_pairs, pcall = pcall,
    select = select, tonumber = tonumber, tostring = sandbox_tostring, type = type, rawequal = rawequal,
    rawlen = rawlen, rawget = rawget, rawset = sandbox_rawset, getmetatable = getmetatable,
    setmetatable = sandbox_setmetatable, xpcall = sandbox_xpcall, print = sandbox_print,
    collectgarbage = unavailable("collectgarbage", "memory use differs from one worker to another"),
    _VERSION = _VERSION,
    string = readonly("string", sandbox_string),
    table = readonly("table", ds.table),
    math = readonly("math", sandbox_math),
    utf8 = readonly("utf8", sandbox_utf8),
    coroutine = readonly("coroutine", sandbox_coroutine),
    os = readonly("os", sandbox_os),
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

-- Compiles a flow's or module's source after the sandbox's own checks.
local function compile(source, chunkname, env)
    if #source > MAX_SOURCE_BYTES then
        error({ decide_error = "syntax", message = ssub(chunkname, 2) .. ": the source is " .. #source
            .. " bytes, over the sandbox's limit of " .. MAX_SOURCE_BYTES .. " bytes" }, 0)
    end
    local line, problem = check_source(source)
    if line then error({ decide_error = "syntax", message = ssub(chunkname, 2) .. ":" .. line .. ": " .. problem }, 0) end
    local chunk, message = load(source, chunkname, "t", env)
    if not chunk then error({ decide_error = "syntax", message = message }, 0) end
    line, problem = check_bytecode(chunk)
    if line then error({ decide_error = "syntax", message = ssub(chunkname, 2) .. ":" .. line .. ": " .. problem }, 0) end
    return chunk
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
        local chunk = compile(source, chunkname, new_environment(context))
        context.modules[name] = LOADING
        local value = chunk(name)
        if value == nil then value = true end
        context.modules[name] = value
        return value
    end
end

-- A chunk name a script chose: names starting with "=" are the host's own (the message handler skips "=sandbox"
-- and "=decide-engine" frames), so a script's are marked "[load]"; every name is cut to 200 bytes.
local function script_chunkname(name)
    if name == nil then return "=(load)" end
    name = ssub(sandbox_tostring(name), 1, 200)
    if sbyte(name, 1) == 61 then return "=[load] " .. ssub(name, 2) end
    return name
end

local function make_load(env)
    return function(chunk, chunkname, mode, chunk_env)
        if type(chunk) ~= "string" then error("load: only text chunks (strings) may be loaded in flows", 2) end
        if #chunk > MAX_CHUNK_BYTES then
            return nil, "load: a chunk of " .. #chunk .. " bytes is over the sandbox's limit of " .. MAX_CHUNK_BYTES
        end
        local line, problem = check_source(chunk)
        if line then return nil, "[load]:" .. line .. ": " .. problem end
        if chunk_env == nil then chunk_env = env end
        local compiled, message = load(chunk, script_chunkname(chunkname), "t", chunk_env)
        if not compiled then return nil, message end
        line, problem = check_bytecode(compiled)
        if line then return nil, "[load]:" .. line .. ": " .. problem end
        return compiled
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
    if shown > 0 then reset_ids() end
    local environments = context.environments
    for i = 1, #environments do
        local env = environments[i].env
        if real_next(env) ~= nil then
            for key in real_next, env do rawset(env, key, nil) end
        end
    end
end

local function invoke(context, f, ...)
    reset(context)
    return f(...)
end

-- Loads a flow (or any script): `math.random` is seeded with `seed` first, so what the top level draws is the same
-- in every state.
local function load_chunk(source, chunkname, seed)
    local context = { modules = {}, environments = {}, loading = true }
    context.require = make_require(context)
    local chunk = compile(source, chunkname, new_environment(context))
    pending_seed = nil
    randomseed(seed or 0)
    reset_ids()
    local value = chunk()
    context.loading = false
    for _, environment in ipairs(context.environments) do
        for key, v in real_next, environment.env do rawset(environment.globals, key, v) end
    end
    reset(context)
    return value, context
end

local function set_decision_time(seconds)
    decision_time = seconds
end

local getinfo = debug.getinfo
dofile, loadfile, debug = nil, nil, nil
for _, name in ipairs({ "execute", "exit", "getenv", "remove", "rename", "tmpname", "setlocale" }) do
    os[name] = nil
end

return {
    base = base, load_chunk = load_chunk, reset = reset, invoke = invoke, take_log = take_log,
    set_decision_time = set_decision_time, seed_call = seed_call, next = real_next,
    setmetatable = setmetatable, iterate = iterate,
    getinfo = getinfo,
}
