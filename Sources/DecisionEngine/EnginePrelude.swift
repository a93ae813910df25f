/// The flow DSL and the per-customer decision loop, in trusted Lua installed into every worker's state.
///
/// It adds `flow`, `filter`, `score`, `rank`, `channel`, `limit` and `stage` to the scripts' base environment
/// and returns the host's entry points: `compile` (a flow definition into a runnable flow plus its problems),
/// `customer` (the read-only customer proxy and the data table the host fills), `decide` (one customer, the
/// batch path: results into a reused array, no trace), `trace` (one customer, every stage recorded), `where`
/// (the stage and offer an error happened in), `take_funnel` and `catalogue` (the offers' own tables as data).
enum EnginePrelude {
    /// The chunk name errors inside the engine show.
    static let chunkName = "decide-engine"

    /// The engine's source.
    static let source = #"""
    local api = ...
    local base, reset, getinfo = api.base, api.reset, api.getinfo
    local rawset, setmetatable, randomseed = api.rawset, api.setmetatable, api.math_randomseed
    local type, error, tostring, pairs, ipairs, next, select = type, error, tostring, pairs, ipairs, next, select
    local mtype, huge, clock, format = math.type, math.huge, os.clock, string.format

    local STAGE = {}   -- marks tables made by the stage constructors
    local FLOW = {}    -- marks tables made by flow { ... }

    -- The file and line of the script code that called a constructor (nil when it was a tail call, as in
    -- `return flow { ... }`: Lua keeps no caller for those).
    local function where(level)
        local info = getinfo(level + 1, "Sl")
        if info and info.currentline and info.currentline > 0 and info.source:sub(1, 1) == "@" then
            return info.short_src .. ":" .. info.currentline
        end
        return nil
    end

    local function constructor(kind)
        return function(name, fn)
            return { [STAGE] = true, kind = kind, name = name, fn = fn, where = where(2) }
        end
    end
    base.filter = constructor("filter")
    base.score = constructor("score")
    base.channel = constructor("channel")
    base.stage = constructor("stage")
    base.rank = function(options)
        local top = type(options) == "table" and options.top or nil
        return { [STAGE] = true, kind = "rank", name = "rank", top = top, options = options, where = where(2) }
    end
    base.limit = function(n)
        return { [STAGE] = true, kind = "limit", name = "limit", top = n, where = where(2) }
    end
    base.flow = function(definition)
        if type(definition) ~= "table" then error("flow { ... } expects a table", 2) end
        return { [FLOW] = true, definition = definition, where = where(2) }
    end

    local function positive_integer(value)
        return mtype(value) == "integer" and value > 0
    end

    -- Turns a flow definition into a runnable flow, collecting every problem rather than stopping at the first.
    local function compile(value, chunkname, context)
        local problems = {}
        local function problem(at, message) problems[#problems + 1] = (at or chunkname) .. ": " .. message end
        if type(value) ~= "table" or not value[FLOW] then
            problem(nil, "the flow must end with `return flow { ... }`")
            return nil, problems
        end
        local definition, at = value.definition, value.where
        local flow = { name = definition.name, description = definition.description, offers = {}, active = {},
            stages = {}, max_offers = definition.max_offers, funnel_in = {}, funnel_out = {},
            chunkname = chunkname, context = context }
        if type(flow.name) ~= "string" or flow.name == "" then problem(at, "the flow needs a `name` (text)") end
        if flow.description ~= nil and type(flow.description) ~= "string" then
            problem(at, "`description` must be text")
        end
        if flow.max_offers ~= nil and not positive_integer(flow.max_offers) then
            problem(at, "`max_offers` must be a positive integer, got " .. tostring(flow.max_offers))
        end
        local offers = definition.offers
        if type(offers) ~= "table" or #offers == 0 then
            problem(at, "the flow needs `offers`, a list of offer tables")
            offers = {}
        end
        local seen = {}
        for i, offer in ipairs(offers) do
            if type(offer) ~= "table" then
                problem(at, "offer #" .. i .. " is a " .. type(offer) .. ", not a table")
            else
                local id = offer.id
                if type(id) ~= "string" or id == "" then
                    problem(at, "offer #" .. i .. " needs an `id` (text)")
                elseif seen[id] then
                    problem(at, "duplicate offer id '" .. id .. "' (offers #" .. seen[id] .. " and #" .. i .. ")")
                else
                    seen[id] = i
                end
                if type(offer.name) ~= "string" or offer.name == "" then
                    problem(at, "offer '" .. tostring(id) .. "' needs a `name` (text)")
                end
                if offer.channels ~= nil and type(offer.channels) ~= "table" then
                    problem(at, "offer '" .. tostring(id) .. "': `channels` must be a list of channel names")
                end
                -- The view a stage function sees: an empty proxy (so every write is refused) over a flat copy of
                -- the offer that also carries the candidate's current score (one lookup, not two, per field).
                local holder = {}
                for key, field in pairs(offer) do holder[key] = field end
                local view = setmetatable({}, {
                    __index = holder,
                    __newindex = function(_, key)
                        error("offer '" .. tostring(id) .. "' is read-only (cannot set '" .. tostring(key) .. "')", 2)
                    end,
                    __pairs = function() return next, offer, nil end,
                    __metatable = false,
                })
                local allowed
                if type(offer.channels) == "table" then
                    allowed = {}
                    for _, name in ipairs(offer.channels) do allowed[name] = true end
                end
                flow.offers[#flow.offers + 1] = { id = id, name = offer.name, offer = offer, view = view,
                    holder = holder, allowed = allowed, channel = offer.channel }
                if offer.active ~= false then flow.active[#flow.active + 1] = #flow.offers end
            end
        end
        local stages = definition.stages
        if type(stages) ~= "table" or #stages == 0 then
            problem(at, "the flow needs `stages`, a list of stages")
            stages = {}
        end
        for i, stage in ipairs(stages) do
            local label = "stage #" .. i
            if type(stage) ~= "table" or not stage[STAGE] then
                problem(at, label .. " is not a stage: use filter, score, rank, channel, limit or stage")
            else
                local sat = stage.where
                if type(stage.name) ~= "string" or stage.name == "" then
                    problem(sat, label .. " (" .. stage.kind .. ") needs a name (text) as its first argument")
                end
                label = label .. " '" .. tostring(stage.name) .. "'"
                if stage.kind == "rank" then
                    if stage.top ~= nil and not positive_integer(stage.top) then
                        problem(sat, label .. ": rank { top = N } needs a positive integer, got " .. tostring(stage.top))
                    end
                elseif stage.kind == "limit" then
                    if not positive_integer(stage.top) then
                        problem(sat, label .. ": limit(n) needs a positive integer, got " .. tostring(stage.top))
                    end
                elseif type(stage.fn) ~= "function" then
                    problem(sat, label .. ": " .. stage.kind .. "(name, fn) needs a function as its second argument")
                end
                flow.stages[#flow.stages + 1] = stage
                flow.funnel_in[#flow.stages], flow.funnel_out[#flow.stages] = 0, 0
            end
        end
        if #problems > 0 then return nil, problems end
        flow.view_index = {}
        for i, entry in ipairs(flow.offers) do flow.view_index[entry.view] = i end
        return flow, problems
    end

    -- The customer: a read-only proxy over a data table the host refills for every customer.
    local customer_data = {}
    local customer = setmetatable({}, {
        __index = customer_data,
        __newindex = function(_, key)
            error("the customer is read-only (cannot set '" .. tostring(key) .. "')", 2)
        end,
        __pairs = function() return next, customer_data, nil end,
        __metatable = false,
    })

    -- Channel names as small integers, so the host reads each name once.
    local channel_ids, channel_names = {}, {}
    local function channel_id(name)
        local id = channel_ids[name]
        if id == nil then
            id = #channel_names + 1
            channel_names[id] = name
            channel_ids[name] = id
        end
        return id
    end

    -- Where the current customer is: for error messages, read by the host after a failure.
    local current_flow, current_stage, current_offer

    local function fail(stage, message)
        error((stage.where or current_flow.chunkname) .. ": " .. message, 0)
    end

    -- The candidates of the customer being decided, as parallel arrays: offer index, score, channel.
    local idx, scores, channels = {}, {}, {}
    local results = {}
    local stamp, seen_stamp = 0, {}

    local function record_drop(trace, flow, i, reason)
        if trace then
            trace.dropped[#trace.dropped + 1] = { offer = flow.offers[i].id, reason = reason }
        end
    end

    local function run_filter(flow, stage, n, trace)
        local fn, offers, m = stage.fn, flow.offers, 0
        for k = 1, n do
            local i = idx[k]
            current_offer = i
            local keep, reason = fn(customer, offers[i].view)
            if keep then
                m = m + 1
                idx[m], scores[m], channels[m] = i, scores[k], channels[k]
            elseif trace then
                record_drop(trace, flow, i, reason ~= nil and tostring(reason) or "filtered out")
            end
        end
        return m
    end

    local function run_score(flow, stage, n, trace)
        local fn, offers = stage.fn, flow.offers
        for k = 1, n do
            local i = idx[k]
            current_offer = i
            local entry = offers[i]
            local value = fn(customer, entry.view)
            if mtype(value) == nil or value ~= value or value == huge or value == -huge then
                fail(stage, format("score stage '%s' returned %s for offer '%s': a score must be a finite number",
                    stage.name, tostring(value), entry.id))
            end
            scores[k] = value
            entry.holder.score = value
        end
        return n
    end

    local function run_channel(flow, stage, n, trace)
        local fn, offers, m = stage.fn, flow.offers, 0
        for k = 1, n do
            local i = idx[k]
            current_offer = i
            local entry = offers[i]
            local name = fn(customer, entry.view)
            if name == nil then
                record_drop(trace, flow, i, "no channel")
            else
                if type(name) ~= "string" then
                    fail(stage, format("channel stage '%s' returned a %s for offer '%s': a channel must be text or nil",
                        stage.name, type(name), entry.id))
                end
                if entry.allowed and not entry.allowed[name] then
                    fail(stage, format("channel stage '%s' chose '%s' for offer '%s', which only allows its channels",
                        stage.name, name, entry.id))
                end
                m = m + 1
                idx[m], scores[m], channels[m] = i, scores[k], name
            end
        end
        return m
    end

    local function run_limit_to(flow, top, n, trace, reason)
        if top == nil or n <= top then return n end
        if trace then for k = top + 1, n do record_drop(trace, flow, idx[k], reason) end end
        return top
    end

    -- Insertion sort by score, highest first; ties keep catalogue order. Candidate lists are short.
    local function run_rank(flow, stage, n, trace)
        for k = 1, n do
            if scores[k] == nil then
                current_offer = idx[k]
                fail(stage, format("rank: offer '%s' has no score (add a score stage before rank)", flow.offers[idx[k]].id))
            end
        end
        for k = 2, n do
            local i, s, c = idx[k], scores[k], channels[k]
            local j = k - 1
            while j >= 1 and (scores[j] < s or (scores[j] == s and idx[j] > i)) do
                idx[j + 1], scores[j + 1], channels[j + 1] = idx[j], scores[j], channels[j]
                j = j - 1
            end
            idx[j + 1], scores[j + 1], channels[j + 1] = i, s, c
        end
        return run_limit_to(flow, stage.top, n, trace, "below the top " .. tostring(stage.top))
    end

    local function run_limit(flow, stage, n, trace)
        return run_limit_to(flow, stage.top, n, trace, "past the limit of " .. stage.top)
    end

    local function run_stage(flow, stage, n, trace)
        local offers, list = flow.offers, {}
        for k = 1, n do
            list[k] = { offer = offers[idx[k]].view, score = scores[k], channel = channels[k] }
        end
        current_offer = nil
        local returned = stage.fn(customer, list)
        if type(returned) ~= "table" then
            fail(stage, format("stage '%s' must return the list of candidates, got a %s", stage.name, type(returned)))
        end
        stamp = stamp + 1
        local prior = {}
        if trace then for k = 1, n do prior[k] = idx[k] end end
        local m = 0
        for position, candidate in ipairs(returned) do
            local i = type(candidate) == "table" and flow.view_index[candidate.offer]
            if not i then
                fail(stage, format("stage '%s' returned something at position %d that is not one of its candidates",
                    stage.name, position))
            end
            if seen_stamp[i] == stamp then
                fail(stage, format("stage '%s' returned offer '%s' twice", stage.name, offers[i].id))
            end
            seen_stamp[i] = stamp
            local s, c = candidate.score, candidate.channel
            if s ~= nil and (mtype(s) == nil or s ~= s or s == huge or s == -huge) then
                fail(stage, format("stage '%s' gave offer '%s' the score %s: a score must be a finite number",
                    stage.name, offers[i].id, tostring(s)))
            end
            if c ~= nil and type(c) ~= "string" then
                fail(stage, format("stage '%s' gave offer '%s' a %s channel: a channel must be text",
                    stage.name, offers[i].id, type(c)))
            end
            m = m + 1
            idx[m], scores[m], channels[m] = i, s, c
            offers[i].holder.score = s
        end
        if trace then
            for k = 1, n do
                if seen_stamp[prior[k]] ~= stamp then record_drop(trace, flow, prior[k], "dropped by the stage") end
            end
        end
        return m
    end

    local runners = { filter = run_filter, score = run_score, channel = run_channel, rank = run_rank,
        limit = run_limit, stage = run_stage }

    -- Decides the current customer; returns how many recommendations it wrote into `results`
    -- (offer index, channel id, score or false, three slots each).
    local function evaluate(flow, seed, trace)
        reset(flow.context)
        if seed then randomseed(seed) end
        current_flow = flow
        local active, offers = flow.active, flow.offers
        local n = #active
        for k = 1, n do
            local i = active[k]
            idx[k], scores[k], channels[k] = i, nil, nil
            offers[i].holder.score = nil
        end
        local stages, funnel_in, funnel_out = flow.stages, flow.funnel_in, flow.funnel_out
        for s = 1, #stages do
            local stage = stages[s]
            current_stage = stage
            local step, started
            if trace then
                started = clock()
                step = { name = stage.name, kind = stage.kind, input = n, dropped = {} }
            end
            funnel_in[s] = funnel_in[s] + n
            n = runners[stage.kind](flow, stage, n, step)
            funnel_out[s] = funnel_out[s] + n
            if trace then
                step.output = n
                step.seconds = clock() - started
                step.candidates = {}
                for k = 1, n do
                    step.candidates[k] = { offer = offers[idx[k]].id, score = scores[k], channel = channels[k] }
                end
                trace[#trace + 1] = step
            end
        end
        current_stage = nil
        if flow.max_offers and n > flow.max_offers then n = flow.max_offers end
        for k = 1, n do
            local entry = offers[idx[k]]
            local name = channels[k] or entry.channel
            current_offer = idx[k]
            if type(name) ~= "string" then
                error(format("%s: offer '%s' reached the end of the flow without a channel (add a channel stage or "
                    .. "give the offer a `channel`)", flow.chunkname, entry.id), 0)
            end
            if entry.allowed and not entry.allowed[name] then
                error(format("%s: offer '%s' has the channel '%s', which is not among its channels",
                    flow.chunkname, entry.id, name), 0)
            end
            results[3 * k - 2], results[3 * k - 1], results[3 * k] = idx[k], channel_id(name), scores[k] or false
        end
        current_offer = nil
        return n
    end

    local function decide(flow, seed)
        return evaluate(flow, seed, nil)
    end

    local function trace(flow, seed)
        local steps = {}
        local n = evaluate(flow, seed, steps)
        local recommendations = {}
        for k = 1, n do
            recommendations[k] = { rank = k, offer = flow.offers[results[3 * k - 2]].id,
                channel = channel_names[results[3 * k - 1]], score = results[3 * k] or nil }
        end
        return { stages = steps, recommendations = recommendations }
    end

    local function location()
        local stage = current_stage
        local offer = current_offer and current_flow and current_flow.offers[current_offer]
        return stage and stage.name or false, stage and stage.kind or false, offer and offer.id or false
    end

    local function take_funnel(flow)
        local result = {}
        for s = 1, #flow.stages do
            result[s] = { flow.funnel_in[s], flow.funnel_out[s] }
            flow.funnel_in[s], flow.funnel_out[s] = 0, 0
        end
        return result
    end

    local function describe(flow)
        local offers, stages = {}, {}
        for i, entry in ipairs(flow.offers) do
            offers[i] = { id = entry.id, name = entry.name, active = entry.offer.active ~= false }
        end
        for i, stage in ipairs(flow.stages) do stages[i] = { name = stage.name, kind = stage.kind } end
        return { name = flow.name, description = flow.description or "", offers = offers, stages = stages }
    end

    -- An offer's own table as plain data for the host: functions and other non-data values are left out.
    local function plain(value, depth)
        local kind = type(value)
        if kind ~= "table" then
            if kind == "string" or kind == "number" or kind == "boolean" then return value end
            return nil
        end
        if depth > 8 then return nil end
        local copy = {}
        for key, field in next, value do
            if type(key) == "string" or mtype(key) == "integer" then copy[key] = plain(field, depth + 1) end
        end
        return copy
    end

    local function catalogue(flow)
        local offers = {}
        for i, entry in ipairs(flow.offers) do offers[i] = plain(entry.offer, 0) end
        return offers
    end

    return {
        compile = compile, describe = describe, catalogue = catalogue, customer_data = customer_data, decide = decide, trace = trace, where = location,
        results = results, channel_names = channel_names, take_funnel = take_funnel,
    }
    """#
}
