-- A straightforward engine for Decide's flow DSL in plain Lua 5.4: no sandbox, no proxies (unless asked for, below), no
-- host. The bench's baseline for issue 15: what the interpreter itself does with a flow, so that `decide run` can be
-- measured against it. Written as a competent Lua programmer would write it, without tuning tricks: the candidates are
-- a list of offers filtered in place, with their scores and channels in tables keyed by offer. It implements what the
-- example flows and the bench's twenty-offer flow use (filter, score, rank, channel, limit, stage, max_offers); offers
-- and customers are plain tables.
--
-- `dofile("bench/plain_engine.lua")(FLOWS_DIR, FLOW_KEY [, PROXIES])` loads the flow and returns `decide(customer)`,
-- which returns how many recommendations the customer gets and three lists: their offers, scores and channels, in rank
-- order; and the flow's definition. bench/plain_loop.lua times it over preloaded customers; bench/python_lua_host.py
-- runs it inside a Python host. With PROXIES, the stage functions see each offer through a read-only proxy, as a
-- sandbox would show it (the engine's own `score` still reaches the offer): what such a proxy costs the same loop.

return function(flows_dir, key, proxies)
  package.path = flows_dir .. "/?.lua;" .. package.path

  -- The DSL: each constructor returns a plain table describing the stage.
  function filter(name, fn) return { kind = "filter", name = name, fn = fn } end
  function score(name, fn) return { kind = "score", name = name, fn = fn } end
  function channel(name, fn) return { kind = "channel", name = name, fn = fn } end
  function stage(name, fn) return { kind = "stage", name = name, fn = fn } end
  function rank(options) return { kind = "rank", top = options and options.top } end
  function limit(n) return { kind = "limit", top = n } end
  function volume(spec) return spec end
  function flow(definition) return definition end

  local definition = dofile(flows_dir .. "/" .. key .. ".lua")
  local offers, stages, max_offers = definition.offers, definition.stages, definition.max_offers
  if proxies then
    local views = {}
    for i, offer in ipairs(offers) do
      views[i] = setmetatable({}, {
        __index = offer,
        __newindex = function(_, field, value)
          if field ~= "score" then error("offer '" .. offer.id .. "' is read-only", 2) end
          offer.score = value
        end,
      })
    end
    offers = views
  end

  -- Each offer's position in the catalogue, for ties in rank.
  local position = {}
  for i, offer in ipairs(offers) do position[offer] = i end

  local scores, channels = {}, {}
  local function by_score(a, b)
    local sa, sb = scores[a], scores[b]
    if sa ~= sb then return sa > sb end
    return position[a] < position[b]
  end

  -- Keeps the first `top` of the `n` candidates in `list`; returns how many are left.
  local function cut(list, n, top)
    if top == nil or n <= top then return n end
    for k = top + 1, n do list[k] = nil end
    return top
  end

  local function decide(customer)
    local list, n = {}, 0
    scores, channels = {}, {}
    for _, offer in ipairs(offers) do
      if offer.active ~= false then
        offer.score = nil
        n = n + 1
        list[n] = offer
      end
    end
    for _, st in ipairs(stages) do
      local kind, fn = st.kind, st.fn
      if kind == "filter" or kind == "channel" then
        local kept = 0
        for k = 1, n do
          local offer = list[k]
          local result = fn(customer, offer)
          if result then
            if kind == "channel" then channels[offer] = result end
            kept = kept + 1
            list[kept] = offer
          end
        end
        for k = kept + 1, n do list[k] = nil end
        n = kept
      elseif kind == "score" then
        for k = 1, n do
          local offer = list[k]
          local value = fn(customer, offer)
          scores[offer] = value
          offer.score = value
        end
      elseif kind == "rank" then
        table.sort(list, by_score)
        n = cut(list, n, st.top)
      elseif kind == "limit" then
        n = cut(list, n, st.top)
      elseif kind == "stage" then
        local candidates = {}
        for k = 1, n do
          local offer = list[k]
          candidates[k] = { offer = offer, score = scores[offer], channel = channels[offer] }
        end
        local kept = fn(customer, candidates)
        list, n = {}, #kept
        for k, candidate in ipairs(kept) do
          local offer = candidate.offer
          list[k] = offer
          scores[offer], channels[offer] = candidate.score, candidate.channel
          offer.score = candidate.score
        end
      end
    end
    n = cut(list, n, max_offers)
    local chosen_scores, chosen_channels = {}, {}
    for k = 1, n do
      local offer = list[k]
      chosen_scores[k] = scores[offer]
      chosen_channels[k] = channels[offer] or offer.channel
    end
    return n, list, chosen_scores, chosen_channels
  end

  return decide, definition
end
