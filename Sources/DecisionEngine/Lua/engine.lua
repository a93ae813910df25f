-- The flow DSL and the per-customer decision loop, in trusted Lua installed into every flow's state.
--
-- A state holds one flow. The engine adds `flow`, `filter`, `score`, `rank`, `channel`, `limit`, `stage`, `cap`,
-- `cooldown`, `volume` and `history` to the scripts' base environment and returns the host's entry points: `compile` (the loaded flow's definition into the
-- state's runnable flow; returns its problems), `customer_data` (the table the host fills for each customer),
-- `history_*` (the arrays the host fills with each customer's interaction history),
-- `decide` (one customer, the batch path: results into a reused array, no trace; `decide_all` the same uncut
-- by `max_offers`, for runs with volume constraints), `trace` (one customer, every
-- stage recorded), `where` (the stage and offer an error happened in), `take_funnel`, `describe` and `catalogue`.
--
-- What a flow gets from here never leads back to the engine's own tables: stages are opaque, the customer and the
-- offers are read-only proxies whose iterators hand out no table, and a compiled flow keeps its own copies of
-- everything the definition said.

local api = ...
local base, reset, getinfo = api.base, api.reset, api.getinfo
local setmetatable, seed_call, next, iterate = api.setmetatable, api.seed_call, api.next, api.iterate
local type, error, ipairs, rawget, getmetatable = type, error, ipairs, rawget, getmetatable
local tostring = base.tostring -- flows' values are shown as flows see them, with no addresses
local mtype, huge, clock, format = math.type, math.huge, os.clock, string.format
local floor, tointeger, tsort, tconcat = math.floor, math.tointeger, table.sort, table.concat
local sfind, ssub, utf8_codes, utf8_len = string.find, string.sub, utf8.codes, utf8.len

-- Stages and flows made by the constructors, with what they said; the tables flows hold are empty keys.
local stages_made = setmetatable({}, { __mode = "k" })
local flows_made = setmetatable({}, { __mode = "k" })

-- The file and line of the script code that called a constructor (nil when it was a tail call, as in
-- `return flow { ... }`: Lua keeps no caller for those).
local function where(level)
    local info = getinfo(level + 1, "Sl")
    if info and info.currentline and info.currentline > 0 and ssub(info.source, 1, 1) == "@" then
        return info.short_src .. ":" .. info.currentline
    end
    return nil
end

local function make_stage(kind, name, fn, top, at, spec)
    local handle = {}
    stages_made[handle] = { kind = kind, name = name, fn = fn, top = top, where = at, spec = spec }
    return handle
end

-- A contact policy stage, `cap { ... }` or `cooldown { ... }`: a copy of what it said, checked when the flow compiles.
local function policy_constructor(kind)
    return function(spec)
        if type(spec) ~= "table" then error(kind .. " { ... } expects a table", 2) end
        local fields = {}
        for key, value in next, spec do fields[key] = value end
        local name = fields.name
        if name == nil then name = kind end
        return make_stage(kind, name, nil, nil, where(2), fields)
    end
end

local function constructor(kind)
    return function(name, fn)
        return make_stage(kind, name, fn, nil, where(2))
    end
end
base.filter = constructor("filter")
base.score = constructor("score")
base.channel = constructor("channel")
base.stage = constructor("stage")
base.rank = function(options)
    local top = type(options) == "table" and rawget(options, "top") or nil
    return make_stage("rank", "rank", nil, top, where(2))
end
base.limit = function(n)
    return make_stage("limit", "limit", nil, n, where(2))
end
base.cap = policy_constructor("cap")
base.cooldown = policy_constructor("cooldown")
-- A volume constraint: what it said, where it was declared.
local volumes_made = setmetatable({}, { __mode = "k" })
base.volume = function(spec)
    if type(spec) ~= "table" then error("volume { ... } expects a table", 2) end
    local handle, fields = {}, {}
    for key, value in next, spec do fields[key] = value end
    volumes_made[handle] = { fields = fields, where = where(2) }
    return handle
end
base.flow = function(definition)
    if type(definition) ~= "table" then error("flow { ... } expects a table", 2) end
    local handle = {}
    flows_made[handle] = { definition = definition, where = where(2) }
    return handle
end

local function positive_integer(value)
    return mtype(value) == "integer" and value > 0
end

-- `value` as an integer when it is a whole number (a float such as `1e4` counts), else `value` itself.
local function whole_number(value)
    if mtype(value) == "float" and value == floor(value) and value >= 0 and value < 2^53 then return tointeger(value) end
    return value
end

-- Whether `text` is an interaction outcome: a word of a-z, 0-9 and _ starting with a letter, at most 64 bytes.
local function is_outcome(text)
    return type(text) == "string" and #text <= 64 and sfind(text, "^[a-z][a-z0-9_]*$") ~= nil
end

local DAY_MS = 86400000

-- What each contact policy takes.
local policy_fields = {
    cap = { max = true, days = true, outcome = true, channel = true, per_offer = true, name = true },
    cooldown = { days = true, outcome = true, name = true },
}
local policy_field_list = {
    cap = "max, days, outcome, channel, per_offer and name", cooldown = "days, outcome and name",
}

-- Characters that reorder or hide text on a terminal: bidirectional controls and marks.
local function is_bidirectional(code)
    return code == 0x061C or code == 0x200E or code == 0x200F or (code >= 0x202A and code <= 0x202E)
        or (code >= 0x2066 and code <= 0x2069)
end

-- Why `text` cannot be an offer id or a channel name (nil when it can): 1 to 128 bytes of valid UTF-8 without
-- control, bidirectional or whitespace characters.
local function identifier_problem(text)
    if type(text) ~= "string" then return "it is a " .. type(text) .. ", not text" end
    if #text == 0 then return "it is empty" end
    if #text > 128 then return "it is " .. #text .. " bytes long (at most 128)" end
    if not utf8_len(text) then return "it is not valid UTF-8" end
    if sfind(text, "[%c%s]") then return "it contains a control or whitespace character" end
    for _, code in utf8_codes(text) do
        if code == 0x7F or (code >= 0x80 and code <= 0x9F) or code == 0x85 or code == 0xA0 or code == 0x2028
            or code == 0x2029 or is_bidirectional(code) then
            return format("it contains the character U+%04X", code)
        end
    end
    return nil
end

-- Why `text` cannot be a name shown to people (nil when it can): valid UTF-8 of at most `limit` bytes.
local function name_problem(text, limit)
    if type(text) ~= "string" or text == "" then return "it must be text" end
    if #text > limit then return "it is " .. #text .. " bytes long (at most " .. limit .. ")" end
    if not utf8_len(text) then return "it is not valid UTF-8" end
    return nil
end

-- A printable rendering of a value a flow gave, for problem messages.
local function shown(value)
    if type(value) == "string" then
        if #value > 40 then value = ssub(value, 1, 40) .. "..." end
        return "'" .. value:gsub("[%c\128-\255]", "?") .. "'"
    end
    return tostring(value)
end

-- A read-only view of a table of the flow's (nested offer data): reads see the table as it was compiled, writes
-- are refused, and nothing hands out the table itself. Views of shared sub-tables are shared.
local function freeze(value, owner, seen, depth)
    if type(value) ~= "table" then return value end
    local view = seen[value]
    if view then return view end
    if depth > 16 then error("offer '" .. owner .. "': its data is nested more than 16 levels deep", 0) end
    local holder = {}
    view = setmetatable({}, {
        __index = holder,
        __newindex = function(_, key)
            error("offer '" .. owner .. "' is read-only (cannot set '" .. tostring(key) .. "')", 2)
        end,
        __pairs = function() return iterate(holder) end,
        __len = function() return #holder end,
        __metatable = false,
    })
    seen[value] = view
    for key, field in next, value do holder[freeze(key, owner, seen, depth + 1)] = freeze(field, owner, seen, depth + 1) end
    return view
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

-- A contact policy's settings from what its constructor was given, each problem handed to `report`: the window in
-- milliseconds, the outcome it counts (`sent` for a cap, `declined` for a cool-down), and a cap's max, channel and
-- per-offer switch.
local function check_policy(kind, spec, report)
    local policy = { outcome = kind == "cap" and "sent" or "declined" }
    for key in next, spec do
        if not policy_fields[kind][key] then
            report("unknown field " .. shown(key) .. " (" .. kind .. " takes " .. policy_field_list[kind] .. ")")
        end
    end
    local days = spec.days
    if type(days) ~= "number" or days ~= days or days <= 0 or days == huge then
        report("`days` must be a positive number, got " .. shown(days))
    else
        policy.days, policy.window = days, days * DAY_MS
    end
    if spec.outcome ~= nil then
        if is_outcome(spec.outcome) then
            policy.outcome = spec.outcome
        else
            report("`outcome` " .. shown(spec.outcome) .. " is not an outcome (a word of a-z, 0-9 and _ starting "
                .. "with a letter)")
        end
    end
    if kind == "cap" then
        local max = whole_number(spec.max)
        if mtype(max) ~= "integer" or max < 0 then
            report("`max` must be a non-negative integer, got " .. shown(spec.max))
        end
        policy.max = max
        if spec.channel ~= nil then
            local why = identifier_problem(spec.channel)
            if why then report("`channel` " .. shown(spec.channel) .. ": " .. why) end
            policy.channel = spec.channel
        end
        if spec.per_offer ~= nil and type(spec.per_offer) ~= "boolean" then
            report("`per_offer` must be true or false, got " .. shown(spec.per_offer))
        end
        policy.per_offer = spec.per_offer == true
    end
    return policy
end

-- Turns a flow definition into a runnable flow, collecting every problem rather than stopping at the first.
local function compile(value, chunkname, context)
    local problems = {}
    local function problem(at, message) problems[#problems + 1] = (at or chunkname) .. ": " .. message end
    local made = type(value) == "table" and flows_made[value]
    if not made then
        problem(nil, "the flow must end with `return flow { ... }`")
        return nil, problems
    end
    local definition, at = made.definition, made.where
    local name, description, max_offers = rawget(definition, "name"), rawget(definition, "description"),
        rawget(definition, "max_offers")
    local flow = { name = name, description = description, offers = {}, active = {}, stages = {},
        max_offers = max_offers, funnel_in = {}, funnel_out = {}, chunkname = chunkname, context = context }
    local why = name_problem(name, 256)
    if why then problem(at, "the flow needs a `name` (text): " .. why) end
    if description ~= nil then
        why = name_problem(description, 4096)
        if why then problem(at, "`description`: " .. why) end
    end
    if max_offers ~= nil and not positive_integer(max_offers) then
        problem(at, "`max_offers` must be a positive integer, got " .. shown(max_offers))
    end
    local offers = rawget(definition, "offers")
    if type(offers) ~= "table" or #offers == 0 then
        problem(at, "the flow needs `offers`, a list of offer tables")
        offers = {}
    end
    local seen, views_seen = {}, {}
    for i = 1, #offers do
        local offer = offers[i]
        if type(offer) ~= "table" then
            problem(at, "offer #" .. i .. " is a " .. type(offer) .. ", not a table")
        else
            local id, offer_name, channels, default_channel, active =
                offer.id, offer.name, offer.channels, offer.channel, offer.active
            local id_problem = identifier_problem(id)
            if id_problem then
                problem(at, "offer #" .. i .. " has an invalid `id` " .. shown(id) .. ": " .. id_problem)
            elseif seen[id] then
                problem(at, "duplicate offer id '" .. id .. "' (offers #" .. seen[id] .. " and #" .. i .. ")")
            else
                seen[id] = i
            end
            local label = id_problem and ("#" .. i) or ("'" .. id .. "'")
            why = name_problem(offer_name, 256)
            if why then problem(at, "offer " .. label .. " needs a `name` (text): " .. why) end
            local allowed
            if channels ~= nil then
                if type(channels) ~= "table" then
                    problem(at, "offer " .. label .. ": `channels` must be a list of channel names")
                else
                    allowed = {}
                    for k = 1, #channels do
                        local channel = channels[k]
                        local channel_problem = identifier_problem(channel)
                        if channel_problem then
                            problem(at, "offer " .. label .. ": channel " .. shown(channel) .. ": " .. channel_problem)
                        else
                            allowed[channel] = true
                        end
                    end
                end
            end
            if default_channel ~= nil then
                local channel_problem = identifier_problem(default_channel)
                if channel_problem then
                    problem(at, "offer " .. label .. ": `channel` " .. shown(default_channel) .. ": " .. channel_problem)
                    default_channel = nil
                end
            end
            if not id_problem then
                -- The view a stage function sees: an empty proxy (so every write is refused) over a frozen copy of
                -- the offer's own fields that also carries the candidate's current score; fields the offer only
                -- inherits (through its metatable's __index) are looked up on the offer itself, as in plain Lua.
                local holder = {}
                for key, field in next, offer do holder[key] = freeze(field, id, views_seen, 1) end
                if getmetatable(offer) ~= nil then
                    setmetatable(holder, { __index = function(_, key) return freeze(offer[key], id, views_seen, 1) end })
                end
                local view = setmetatable({}, {
                    __index = holder,
                    __newindex = function(_, key)
                        error("offer '" .. id .. "' is read-only (cannot set '" .. tostring(key) .. "')", 2)
                    end,
                    __pairs = function() return iterate(holder) end,
                    __metatable = false,
                })
                flow.offers[#flow.offers + 1] = { id = id, name = offer_name, view = view, holder = holder,
                    allowed = allowed, channel = default_channel, active = active ~= false, plain = plain(offer, 0) }
                if active ~= false then flow.active[#flow.active + 1] = #flow.offers end
            end
        end
    end
    local stages = rawget(definition, "stages")
    if type(stages) ~= "table" or #stages == 0 then
        problem(at, "the flow needs `stages`, a list of stages")
        stages = {}
    end
    for i = 1, #stages do
        local label = "stage #" .. i
        local made_stage = stages_made[stages[i]]
        if not made_stage then
            problem(at, label .. " is not a stage: use filter, score, rank, channel, limit, stage, cap or cooldown")
        else
            local stage = { kind = made_stage.kind, name = made_stage.name, fn = made_stage.fn,
                top = made_stage.top, where = made_stage.where }
            local sat = stage.where
            local is_policy = made_stage.spec ~= nil
            why = name_problem(stage.name, 128)
            if why then
                problem(sat, label .. " (" .. stage.kind .. ") needs a name (text)"
                    .. (is_policy and " in `name`: " or " as its first argument: ") .. why)
            end
            label = label .. " " .. shown(stage.name)
            if is_policy then
                stage.policy = check_policy(stage.kind, made_stage.spec, function(message)
                    problem(sat, label .. ": " .. message)
                end)
            elseif stage.kind == "rank" then
                if stage.top ~= nil and not positive_integer(stage.top) then
                    problem(sat, label .. ": rank { top = N } needs a positive integer, got " .. shown(stage.top))
                end
            elseif stage.kind == "limit" then
                if not positive_integer(stage.top) then
                    problem(sat, label .. ": limit(n) needs a positive integer, got " .. shown(stage.top))
                end
            elseif type(stage.fn) ~= "function" then
                problem(sat, label .. ": " .. stage.kind .. "(name, fn) needs a function as its second argument")
            end
            flow.stages[#flow.stages + 1] = stage
            flow.funnel_in[#flow.stages], flow.funnel_out[#flow.stages] = 0, 0
        end
    end
    flow.constraints = {}
    local constraints = rawget(definition, "constraints")
    if constraints ~= nil then
        if type(constraints) ~= "table" then
            problem(at, "`constraints` must be a list of volume { ... }")
            constraints = {}
        end
        if #constraints > 100 then problem(at, "`constraints` has " .. #constraints .. " entries (at most 100)") end
        local ids = {}
        for _, entry in ipairs(flow.offers) do ids[entry.id] = true end
        local by_selector = {}
        for i = 1, #constraints do
            local made_volume = volumes_made[constraints[i]]
            if not made_volume then
                problem(at, "constraint #" .. i .. " is not a volume { ... }")
            else
                local fields, vat = made_volume.fields, made_volume.where or at
                local label = "constraint #" .. i
                local c, ok = { where = vat }, true
                for key in next, fields do
                    if key ~= "max" and key ~= "offer" and key ~= "offers" and key ~= "channel" and key ~= "name" then
                        problem(vat, label .. ": unknown field " .. shown(key)
                            .. " (a volume has max, and offer, offers or channel, and name)")
                        ok = false
                    end
                end
                local max = whole_number(fields.max)
                if mtype(max) ~= "integer" or max < 0 then
                    problem(vat, label .. ": `max` must be a non-negative integer, got " .. shown(max))
                    ok = false
                end
                c.max = max
                local given = (fields.offer ~= nil and 1 or 0) + (fields.offers ~= nil and 1 or 0)
                    + (fields.channel ~= nil and 1 or 0)
                local key
                if given > 1 then
                    problem(vat, label .. ": give at most one of `offer`, `offers` and `channel`")
                    ok = false
                elseif fields.offer ~= nil then
                    if type(fields.offer) ~= "string" or not ids[fields.offer] then
                        problem(vat, label .. ": `offer` " .. shown(fields.offer) .. " is not an offer of this flow")
                        ok = false
                    end
                    c.offer, key = fields.offer, "offer " .. tostring(fields.offer)
                    c.default_name = key
                elseif fields.offers ~= nil then
                    local list = fields.offers
                    if type(list) ~= "table" or #list == 0 then
                        problem(vat, label .. ": `offers` must be a non-empty list of offer ids")
                        ok = false
                    else
                        local copy, seen_ids, sorted = {}, {}, {}
                        for k = 1, #list do
                            local id = list[k]
                            if type(id) ~= "string" or not ids[id] then
                                problem(vat, label .. ": `offers` names " .. shown(id) .. ", which is not an offer of this flow")
                                ok = false
                            elseif seen_ids[id] then
                                problem(vat, label .. ": `offers` names '" .. id .. "' twice")
                                ok = false
                            else
                                seen_ids[id] = true
                                copy[#copy + 1], sorted[#sorted + 1] = id, id
                            end
                        end
                        tsort(sorted)
                        c.offers, key = copy, "offers " .. tconcat(sorted, "+")
                        c.default_name = "offers " .. tconcat(copy, "+")
                    end
                elseif fields.channel ~= nil then
                    local why = identifier_problem(fields.channel)
                    if why then
                        problem(vat, label .. ": `channel` " .. shown(fields.channel) .. ": " .. why)
                        ok = false
                    end
                    c.channel, key = fields.channel, "channel " .. tostring(fields.channel)
                    c.default_name = key
                else
                    key, c.default_name = "total", "total"
                end
                if fields.name ~= nil then
                    why = name_problem(fields.name, 256)
                    if why then
                        problem(vat, label .. ": `name`: " .. why)
                        ok = false
                    end
                end
                c.name = fields.name or c.default_name
                if ok and key then
                    local earlier = by_selector[key]
                    if earlier then
                        problem(vat, label .. " has the same selector (" .. c.default_name .. ") as constraint #"
                            .. earlier.index .. (earlier.where and (" at " .. earlier.where) or ""))
                    else
                        by_selector[key] = { index = i, where = vat }
                        flow.constraints[#flow.constraints + 1] = c
                    end
                end
            end
        end
    end
    if #problems > 0 then return nil, problems end
    flow.view_index = {}
    for i, entry in ipairs(flow.offers) do flow.view_index[entry.view] = i end
    return flow, problems
end

-- The state's flow, once compiled.
local the_flow

local function compile_flow(value, chunkname, context)
    local flow, problems = compile(value, chunkname, context)
    the_flow = flow
    return problems
end

-- The customer: a read-only proxy over a data table the host refills for every customer.
local customer_data = {}
local customer = setmetatable({}, {
    __index = customer_data,
    __newindex = function(_, key)
        error("the customer is read-only (cannot set '" .. tostring(key) .. "')", 2)
    end,
    __pairs = function() return iterate(customer_data) end,
    __metatable = false,
})

-- Channel names as small integers, so the host reads each name once.
local channel_ids, channel_names = {}, {}

-- Where the current customer is: for error messages, read by the host after a failure.
local current_flow, current_stage, current_offer

local function fail(stage, message)
    error((stage.where or current_flow.chunkname) .. ": " .. message, 0)
end

local function channel_id(name, entry)
    local id = channel_ids[name]
    if id == nil then
        local why = identifier_problem(name)
        if why then
            error(format("%s: offer '%s' got the channel %s, which is not a valid channel name: %s",
                current_flow.chunkname, entry.id, shown(name), why), 0)
        end
        id = #channel_names + 1
        channel_names[id] = name
        channel_ids[name] = id
    end
    return id
end

-- The candidates of the customer being decided, as parallel arrays: offer index, score, channel.
local idx, scores, channels = {}, {}, {}
local results = {}
local stamp, seen_stamp = 0, {}

local function record_drop(trace, flow, i, reason)
    if trace then
        if #reason > 256 then reason = ssub(reason, 1, 256) .. "..." end
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
            fail(stage, format("score stage %s returned %s for offer '%s': a score must be a finite number",
                shown(stage.name), shown(value), entry.id))
        end
        scores[k] = value
        entry.holder.score = value -- a holder never has __newindex: a plain write
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
                fail(stage, format("channel stage %s returned a %s for offer '%s': a channel must be text or nil",
                    shown(stage.name), type(name), entry.id))
            end
            if entry.allowed and not entry.allowed[name] then
                fail(stage, format("channel stage %s chose %s for offer '%s', which only allows its channels",
                    shown(stage.name), shown(name), entry.id))
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

-- Ranks by score, highest first; ties keep catalogue order: an insertion sort for the short lists most customers
-- have, a stable merge sort (O(n log n)) past 32 candidates.
local sort_idx, sort_scores, sort_channels = {}, {}, {}
local function before(a_score, a_index, b_score, b_index)
    return a_score > b_score or (a_score == b_score and a_index < b_index)
end
local function merge_sort(n)
    local width = 1
    local src_i, src_s, src_c, dst_i, dst_s, dst_c = idx, scores, channels, sort_idx, sort_scores, sort_channels
    while width < n do
        local left = 1
        while left <= n do
            local mid, right = left + width, left + 2 * width
            if mid > n + 1 then mid = n + 1 end
            if right > n + 1 then right = n + 1 end
            local a, b, out = left, mid, left
            while a < mid and b < right do
                if before(src_s[b], src_i[b], src_s[a], src_i[a]) then
                    dst_i[out], dst_s[out], dst_c[out] = src_i[b], src_s[b], src_c[b]
                    b = b + 1
                else
                    dst_i[out], dst_s[out], dst_c[out] = src_i[a], src_s[a], src_c[a]
                    a = a + 1
                end
                out = out + 1
            end
            while a < mid do
                dst_i[out], dst_s[out], dst_c[out] = src_i[a], src_s[a], src_c[a]
                a, out = a + 1, out + 1
            end
            while b < right do
                dst_i[out], dst_s[out], dst_c[out] = src_i[b], src_s[b], src_c[b]
                b, out = b + 1, out + 1
            end
            left = right
        end
        src_i, src_s, src_c, dst_i, dst_s, dst_c = dst_i, dst_s, dst_c, src_i, src_s, src_c
        width = width * 2
    end
    if src_i ~= idx then
        for k = 1, n do idx[k], scores[k], channels[k] = src_i[k], src_s[k], src_c[k] end
    end
end

local function run_rank(flow, stage, n, trace)
    for k = 1, n do
        if scores[k] == nil then
            current_offer = idx[k]
            fail(stage, format("rank: offer '%s' has no score (add a score stage before rank)", flow.offers[idx[k]].id))
        end
    end
    if n <= 32 then
        for k = 2, n do
            local i, s, c = idx[k], scores[k], channels[k]
            local j = k - 1
            while j >= 1 and (scores[j] < s or (scores[j] == s and idx[j] > i)) do
                idx[j + 1], scores[j + 1], channels[j + 1] = idx[j], scores[j], channels[j]
                j = j - 1
            end
            idx[j + 1], scores[j + 1], channels[j + 1] = i, s, c
        end
    else
        merge_sort(n)
    end
    return run_limit_to(flow, stage.top, n, trace, "below the top " .. tostring(stage.top))
end

local function run_limit(flow, stage, n, trace)
    return run_limit_to(flow, stage.top, n, trace, "past the limit of " .. stage.top)
end

-- The interaction history of the customer being decided, filled by the host before each decision: parallel arrays,
-- newest first, of each entry's offer, channel (0 for none) and outcome, as indexes into `history_names` (set once
-- per batch), and its age (milliseconds before the decision time, always positive); `history_size[1]` is how many
-- entries there are, `history_size[2]` 1 when the host read the history for this decision.
local history_names, history_offer, history_channel, history_outcome, history_age = {}, {}, {}, {}, {}
local history_size = { 0, 0 }
-- Whether a customer is being decided: `history` answers only then.
local deciding = false
-- A policy stage's per-offer figures (a cap's counts, a cool-down's latest ages), reused by every call: an entry is
-- current while its stamp is the call's, so no table is made or cleared per customer. They are replaced every 256
-- calls, so that offers seen long ago do not pile up.
local offer_tally, offer_stamp, policy_stamp = {}, {}, 0

local function next_policy_stamp()
    if policy_stamp >= 256 then offer_tally, offer_stamp, policy_stamp = {}, {}, 0 end
    policy_stamp = policy_stamp + 1
end

-- Whether history entry `k` is for `offer`, on `channel`, with `outcome` (each when given) and within `window`
-- milliseconds of the decision time.
local function entry_matches(k, offer, channel, outcome, window)
    if window and history_age[k] > window then return false end
    if outcome and history_names[history_outcome[k]] ~= outcome then return false end
    if offer and history_names[history_offer[k]] ~= offer then return false end
    if channel then
        local c = history_channel[k]
        if c == 0 or history_names[c] ~= channel then return false end
    end
    return true
end

-- "7 days", "1 day", "0.5 days".
local function days_text(days)
    if days == 1 then return "1 day" end
    if days == floor(days) then return format("%d days", days) end
    return format("%g days", days)
end

-- `cap { ... }`: keeps the customer at `max` or fewer interactions with the outcome in the window, this decision's
-- candidates included; with `channel`, counting and judging only that channel; with `per_offer`, each offer on its own
-- count.
local function run_cap(flow, stage, n, trace)
    local policy, offers = stage.policy, flow.offers
    local max, channel, outcome, window = policy.max, policy.channel, policy.outcome, policy.window
    local count, per_offer = 0, policy.per_offer
    next_policy_stamp()
    for k = 1, history_size[1] do
        if entry_matches(k, nil, channel, outcome, window) then
            if per_offer then
                local id = history_names[history_offer[k]]
                offer_tally[id] = (offer_stamp[id] == policy_stamp and offer_tally[id] or 0) + 1
                offer_stamp[id] = policy_stamp
            else
                count = count + 1
            end
        end
    end
    local m, taken = 0, 0
    for k = 1, n do
        local i = idx[k]
        local entry = offers[i]
        local applies = true
        if channel then
            local name = channels[k] or entry.channel
            if name == nil then
                current_offer = i
                fail(stage, format("cap %s: offer '%s' has no channel (put a channel stage before this cap, or give the "
                    .. "offer a `channel`)", shown(stage.name), entry.id))
            end
            applies = name == channel
        end
        local keep, had = true, count
        if applies then
            if per_offer then
                had = offer_stamp[entry.id] == policy_stamp and offer_tally[entry.id] or 0
                keep = had < max
            else
                keep = count + taken < max
                if keep then taken = taken + 1 end
            end
        end
        if keep then
            m = m + 1
            idx[m], scores[m], channels[m] = i, scores[k], channels[k]
        elseif trace then
            record_drop(trace, flow, i, format("cap '%s': %d %s%s%s in %s (max %d)", stage.name, had, outcome,
                per_offer and (" for '" .. entry.id .. "'") or "", channel and (" on " .. channel) or "",
                days_text(policy.days), max))
        end
    end
    return m
end

-- `cooldown { ... }`: drops a candidate whose offer the customer had the outcome for within the window.
local function run_cooldown(flow, stage, n, trace)
    local policy, offers = stage.policy, flow.offers
    local outcome, window = policy.outcome, policy.window
    local any = false
    next_policy_stamp()
    for k = 1, history_size[1] do
        if entry_matches(k, nil, nil, outcome, window) then
            local id = history_names[history_offer[k]]
            if offer_stamp[id] ~= policy_stamp then -- newest first: the first is the latest
                offer_stamp[id], offer_tally[id], any = policy_stamp, history_age[k], true
            end
        end
    end
    if not any then return n end
    local m = 0
    for k = 1, n do
        local i = idx[k]
        local id = offers[i].id
        local age = offer_stamp[id] == policy_stamp and offer_tally[id] or nil
        if age == nil then
            m = m + 1
            idx[m], scores[m], channels[m] = i, scores[k], channels[k]
        elseif trace then
            local days = age // DAY_MS
            local ago = days == 0 and "less than a day ago" or (days_text(days) .. " ago")
            record_drop(trace, flow, i, format("cooldown '%s': %s %s", stage.name, outcome, ago))
        end
    end
    return m
end

-- `history`: the customer's history, read-only, for a flow's own rules.
local function check_history_call(what)
    if not deciding then
        error(what .. ": the history is only there while a customer is being decided (call it from a stage)", 3)
    end
    if history_size[2] ~= 1 then
        error(what .. ": this decision was made without the customer's history (the flow never names `history`, so "
            .. "it was not read)", 3)
    end
end

local function history_query(what, spec, with_days)
    if spec == nil then spec = {} end
    if type(spec) ~= "table" then error(what .. " expects a table, like { offer = \"gold\", days = 30 }", 3) end
    local offer, channel, outcome, window
    for key, value in next, spec do
        if key == "offer" or key == "channel" then
            if type(value) ~= "string" then error(what .. ": `" .. key .. "` must be text, got " .. shown(value), 3) end
            if key == "offer" then offer = value else channel = value end
        elseif key == "outcome" then
            if not is_outcome(value) then error(what .. ": `outcome` " .. shown(value) .. " is not an outcome", 3) end
            outcome = value
        elseif key == "days" and with_days then
            if type(value) ~= "number" or value ~= value or value <= 0 then
                error(what .. ": `days` must be a positive number, got " .. shown(value), 3)
            end
            window = value * DAY_MS
        else
            error(what .. ": unknown field " .. shown(key) .. " (use offer, channel, outcome"
                .. (with_days and ", days)" or ")"), 3)
        end
    end
    return offer, channel, outcome, window
end

local history_functions = {
    -- How many of the customer's interactions match (every one before the decision time when `days` is not given).
    count = function(spec)
        check_history_call("history.count")
        local offer, channel, outcome, window = history_query("history.count", spec, true)
        local count = 0
        for k = 1, history_size[1] do
            if entry_matches(k, offer, channel, outcome, window) then count = count + 1 end
        end
        return count
    end,
    -- Days (fractions kept) since the customer's most recent matching interaction, or nil.
    last = function(spec)
        check_history_call("history.last")
        local offer, channel, outcome = history_query("history.last", spec, false)
        for k = 1, history_size[1] do
            if entry_matches(k, offer, channel, outcome, nil) then return history_age[k] / DAY_MS end
        end
        return nil
    end,
}
base.history = setmetatable({}, {
    __index = function(_, key)
        local fn = history_functions[key]
        if fn == nil then error("history has count and last, not " .. shown(key), 2) end
        return fn
    end,
    __newindex = function(_, key) error("history is read-only (cannot set " .. shown(key) .. ")", 2) end,
    __metatable = false,
})

local function run_stage(flow, stage, n, trace)
    local offers, list = flow.offers, {}
    for k = 1, n do
        list[k] = { offer = offers[idx[k]].view, score = scores[k], channel = channels[k] }
    end
    current_offer = nil
    local returned = stage.fn(customer, list)
    if type(returned) ~= "table" then
        fail(stage, format("stage %s must return the list of candidates, got a %s", shown(stage.name), type(returned)))
    end
    stamp = stamp + 1
    local prior = {}
    if trace then for k = 1, n do prior[k] = idx[k] end end
    local m = 0
    for position, candidate in ipairs(returned) do
        local i = type(candidate) == "table" and flow.view_index[candidate.offer]
        if not i then
            fail(stage, format("stage %s returned something at position %d that is not one of its candidates",
                shown(stage.name), position))
        end
        if seen_stamp[i] == stamp then
            fail(stage, format("stage %s returned offer '%s' twice", shown(stage.name), offers[i].id))
        end
        seen_stamp[i] = stamp
        local s, c = candidate.score, candidate.channel
        if s ~= nil and (mtype(s) == nil or s ~= s or s == huge or s == -huge) then
            fail(stage, format("stage %s gave offer '%s' the score %s: a score must be a finite number",
                shown(stage.name), offers[i].id, shown(s)))
        end
        if c ~= nil and type(c) ~= "string" then
            fail(stage, format("stage %s gave offer '%s' a %s channel: a channel must be text",
                shown(stage.name), offers[i].id, type(c)))
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
    limit = run_limit, stage = run_stage, cap = run_cap, cooldown = run_cooldown }

-- Decides the current customer; returns how many recommendations it wrote into `results`
-- (offer index, channel id, score or false, three slots each). `math.random` is seeded with `seed` at its first
-- draw, so a customer gets the same draws in every worker, batch and run with the same seed.
local function evaluate(flow, seed, trace, all)
    reset(flow.context)
    seed_call(seed)
    current_flow = flow
    deciding = true
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
    deciding = false
    if not all and flow.max_offers and n > flow.max_offers then n = flow.max_offers end
    for k = 1, n do
        local entry = offers[idx[k]]
        if all and scores[k] == nil then
            current_offer = idx[k]
            error(format("%s: offer '%s' reached the end of the flow without a score: a run with volume constraints "
                .. "allocates by score (score every candidate that reaches the end)", flow.chunkname, entry.id), 0)
        end
        local name = channels[k] or entry.channel
        current_offer = idx[k]
        if type(name) ~= "string" then
            error(format("%s: offer '%s' reached the end of the flow without a channel (add a channel stage or "
                .. "give the offer a `channel`)", flow.chunkname, entry.id), 0)
        end
        if entry.allowed and not entry.allowed[name] then
            error(format("%s: offer '%s' has the channel %s, which is not among its channels",
                flow.chunkname, entry.id, shown(name)), 0)
        end
        results[3 * k - 2], results[3 * k - 1], results[3 * k] = idx[k], channel_id(name, entry), scores[k] or false
    end
    current_offer = nil
    return n
end

local function decide(seed)
    return evaluate(the_flow, seed, nil, false)
end

-- Every candidate left after the last stage, uncut by `max_offers` and each with a score: what a run with volume
-- constraints allocates from.
local function decide_all(seed)
    return evaluate(the_flow, seed, nil, true)
end

local function trace(seed)
    local flow = the_flow
    local steps = {}
    local n = evaluate(flow, seed, steps, false)
    local recommendations = {}
    for k = 1, n do
        recommendations[k] = { rank = k, offer = flow.offers[results[3 * k - 2]].id,
            channel = channel_names[results[3 * k - 1]], score = results[3 * k] or nil }
    end
    return { stages = steps, recommendations = recommendations }
end

local function location()
    deciding = false
    local stage = current_stage
    local offer = current_offer and current_flow and current_flow.offers[current_offer]
    return { stage = stage and stage.name or nil, offer = offer and offer.id or nil }
end

local function take_funnel()
    local flow = the_flow
    local result = {}
    for s = 1, #flow.stages do
        result[s] = { flow.funnel_in[s], flow.funnel_out[s] }
        flow.funnel_in[s], flow.funnel_out[s] = 0, 0
    end
    return result
end

local function describe()
    local flow = the_flow
    local offers, stages = {}, {}
    for i, entry in ipairs(flow.offers) do
        offers[i] = { id = entry.id, name = entry.name, active = entry.active }
    end
    for i, stage in ipairs(flow.stages) do
        local policy = stage.policy
        stages[i] = { name = stage.name, kind = stage.kind, days = policy and policy.days,
            outcome = policy and policy.outcome }
    end
    local constraints = {}
    for i, c in ipairs(flow.constraints) do
        local offers_list
        if c.offers then
            offers_list = {}
            for k, id in ipairs(c.offers) do offers_list[k] = id end
        end
        constraints[i] = { name = c.name, max = c.max, offer = c.offer, offers = offers_list, channel = c.channel }
    end
    return { name = flow.name, description = flow.description or "", offers = offers, stages = stages,
        max_offers = flow.max_offers, constraints = constraints }
end

-- The offers' own tables as plain data, as they were when the flow was compiled.
local function catalogue()
    local flow = the_flow
    local offers = {}
    for i, entry in ipairs(flow.offers) do offers[i] = entry.plain end
    return offers
end

return {
    compile = compile_flow, describe = describe, catalogue = catalogue, customer_data = customer_data, decide = decide,
    history_names = history_names, history_offer = history_offer, history_channel = history_channel,
    history_outcome = history_outcome, history_age = history_age, history_size = history_size,
    decide_all = decide_all,
    trace = trace, where = location, results = results, channel_names = channel_names, take_funnel = take_funnel,
}
