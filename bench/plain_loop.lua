-- Times bench/plain_engine.lua's decision loop alone: customers preloaded (reading them is not timed), no I/O while
-- the clock runs. The interpreter's own speed for a flow, the baseline of `make bench`'s engine comparison.
--
-- Usage: lua5.4 bench/plain_loop.lua FLOWS_DIR FLOW_KEY CUSTOMERS_FILE [proxies]
--
-- CUSTOMERS_FILE has one customer per line as a Lua table constructor (`{id="C1",age=41,app_user=true}`), as
-- bench/dump_customers.py writes it. With `proxies`, the flow sees each customer and each offer through a read-only
-- proxy (made before the clock starts), as a sandbox shows them. Prints: customers/s, customers, recommendations.

local flows_dir, key, customers_file, mode = ...
assert(mode == nil or mode == "proxies", "the fourth argument can only be `proxies`")
local proxies = mode == "proxies"
local here = arg[0]:match("^(.*)/[^/]*$") or "."
local decide = dofile(here .. "/plain_engine.lua")(flows_dir, key, proxies)

local function read_only(customer)
  return setmetatable({}, {
    __index = customer,
    __newindex = function() error("the customer is read-only", 2) end,
  })
end

local customers = {}
for line in io.lines(customers_file) do
  local customer = load("return " .. line, "=customer", "t", {})()
  customers[#customers + 1] = proxies and read_only(customer) or customer
end

local recommendations = 0
local started = os.clock()
for _, customer in ipairs(customers) do
  recommendations = recommendations + decide(customer)
end
local seconds = os.clock() - started
print(string.format("%.0f %d %d", #customers / seconds, #customers, recommendations))
