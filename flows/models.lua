-- Shared building blocks for the example flows: a propensity model, eligibility checks and channel choice.
-- Load it with `local models = require("models")`.
--
-- Everything here is deterministic (no math.random) and copes with missing customer fields: any field except
-- `id` may be nil. Nothing here allocates a table per call; reason strings are built only when an offer is dropped.

local exp, log, min, max = math.exp, math.log, math.min, math.max

local M = {}

---------------------------------------------------------------------------------------------------
-- Propensity: how likely this customer is to take this offer, between 0 and 1.
--
-- A logistic curve over a score z built from the customer's profile and the offer's category, plus the
-- offer's own `affinity`. Missing fields are replaced by a typical value (the "imputed" numbers below)
-- so that a gap in the data neither blocks nor favours an offer.
---------------------------------------------------------------------------------------------------

-- Typical values used when a field is missing.
local TYPICAL_AGE, TYPICAL_INCOME, TYPICAL_SCORE = 40, 50000, 650
local TYPICAL_TENURE, TYPICAL_CHURN, TYPICAL_RECENCY, TYPICAL_BALANCE = 24, 0.3, 90, 2000

-- One small function per category: z from the customer's (imputed) profile.
--   a = age, li = log(income / 50k), s = (credit score - 650) / 100, lb = log(1 + balance / 1000)
local CATEGORY = {
  card = function(c, a, li, s, lb)
    return -1.2 + 0.5 * s + 0.4 * li - 0.015 * (a - 40)
  end,
  loan = function(c, a, li, s, lb)
    local z = -1.8 + 0.4 * s + 0.5 * li
    if c.has_loan == true then z = z - 0.8 end          -- already borrowing: less appetite for more
    if a >= 25 and a <= 55 then z = z + 0.3 end         -- borrowing years
    return z
  end,
  savings = function(c, a, li, s, lb)
    return -0.9 + 0.01 * (a - 40) + 0.15 * lb
  end,
  insurance = function(c, a, li, s, lb)
    local z = -1.7 + 0.015 * (a - 40) + 0.2 * li
    if c.has_loan == true then z = z + 0.4 end          -- borrowers protect what they owe
    return z
  end,
  investing = function(c, a, li, s, lb)
    local z = -2.0 + 0.6 * li + 0.3 * lb
    if c.app_user == true then z = z + 0.3 end
    return z
  end,
}

-- Retention offers respond to risk and loyalty, not to the sales profile.
local function retention_z(c)
  local churn = c.churn_risk or TYPICAL_CHURN
  local tenure = min(c.tenure_months or TYPICAL_TENURE, 240)
  return -1.0 + 2.5 * (churn - 0.5) + 0.004 * tenure
end

-- Engagement: recent buyers and long-standing customers respond more; customers drifting away respond less.
local function engagement(c)
  local recency = c.last_purchase_days or TYPICAL_RECENCY
  local tenure = min(c.tenure_months or TYPICAL_TENURE, 240)
  local churn = c.churn_risk or TYPICAL_CHURN
  return 0.6 * (1 - recency / 180) + 0.002 * tenure - 1.2 * (churn - 0.3)
end

--- propensity(customer, offer) -> number in (0, 1)
function M.propensity(c, o)
  local z
  local category = o.category
  if category == "retention" then
    z = retention_z(c)
  else
    local f = CATEGORY[category]
    if f == nil then return 0.05 end                    -- unknown category: a small, safe default
    local a = c.age or TYPICAL_AGE
    local li = log(max(c.income or TYPICAL_INCOME, 1000) / 50000)
    local s = ((c.credit_score or TYPICAL_SCORE) - 650) / 100
    local lb = log(1 + max(c.balance or TYPICAL_BALANCE, 0) / 1000)
    z = f(c, a, li, s, lb) + engagement(c)
  end
  z = z + (o.affinity or 0)
  return 1 / (1 + exp(-z))
end

---------------------------------------------------------------------------------------------------
-- Eligibility checks, one per rule, each usable directly as a filter function:
--   filter("age", models.age_ok)
-- Each returns true to keep the offer, or false and a reason to drop it. A missing customer field drops the
-- offer only when the offer has a rule on that field (we cannot prove the customer qualifies).
---------------------------------------------------------------------------------------------------

function M.age_ok(c, o)
  local lo, hi = o.min_age, o.max_age
  if lo == nil and hi == nil then return true end
  local age = c.age
  if age == nil then return false, "age unknown" end
  if lo ~= nil and age < lo then return false, "age " .. age .. " below minimum " .. lo end
  if hi ~= nil and age > hi then return false, "age " .. age .. " above maximum " .. hi end
  return true
end

function M.credit_ok(c, o)
  local lo, hi = o.min_score, o.max_score
  if lo == nil and hi == nil then return true end
  local score = c.credit_score
  if score == nil then
    -- No credit file: fine for a credit-builder product (max_score only), not for one that needs a minimum.
    if lo == nil then return true end
    return false, "credit score unknown"
  end
  if lo ~= nil and score < lo then return false, "credit score " .. score .. " below " .. lo end
  if hi ~= nil and score > hi then return false, "credit score " .. score .. " above " .. hi end
  return true
end

function M.income_ok(c, o)
  local lo = o.min_income
  if lo == nil then return true end
  local income = c.income
  if income == nil then return false, "income unknown" end
  if income < lo then return false, "income below " .. lo end
  return true
end

function M.balance_ok(c, o)
  local lo = o.min_balance
  if lo == nil then return true end
  local balance = c.balance
  if balance == nil then return false, "balance unknown" end
  if balance < lo then return false, "balance below " .. lo end
  return true
end

-- Products the customer already holds, and products that need another one.
function M.holdings_ok(c, o)
  if o.category == "card" and c.has_credit_card == true then
    return false, "already has a credit card"
  end
  local needed = o.requires
  if needed ~= nil and c[needed] ~= true then
    return false, "requires " .. needed
  end
  return true
end

---------------------------------------------------------------------------------------------------
-- Channel choice: the first channel the customer can be reached on and the offer allows.
--   app users: push; then email (if opted in); then SMS (if opted in); then in-app (app users) as a last resort.
-- A missing consent flag counts as "no". Returns nil when nothing fits (the channel stage then drops the offer).
---------------------------------------------------------------------------------------------------

local function allows(o, channel)
  local list = o.channels
  if list == nil then return true end
  for _, allowed in ipairs(list) do
    if allowed == channel then return true end
  end
  return false
end
M.allows = allows

function M.pick_channel(c, o)
  local app = c.app_user == true
  if app and allows(o, "push") then return "push" end
  if c.email_opt_in == true and allows(o, "email") then return "email" end
  if c.sms_opt_in == true and allows(o, "sms") then return "sms" end
  if app and allows(o, "in_app") then return "in_app" end
  return nil
end

return M
