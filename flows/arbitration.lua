-- Arbitration ("next best action"): every offer in the catalogue competes, sales and retention alike,
-- on one priority:  propensity x context weight x value x lever.
-- The two highest priorities win, at most one per category, each on the customer's best channel.

local catalog = require("catalog")
local models = require("models")

local propensity, pick_channel = models.propensity, models.pick_channel
local offers = catalog.offers

-- Catalogue position and business priority of each offer, for breaking exact ties (built once, at load).
local position, business_priority = {}, {}
for i, offer in ipairs(offers) do
  position[offer.id] = i
  business_priority[offer.id] = offer.priority or 99
end

-- How much a message on each channel is worth relative to the others (push is seen most).
local CHANNEL_WEIGHT = { push = 1.1, in_app = 1.0, email = 0.9, sms = 0.7 }

-- Context weight: is now a good moment, for this kind of offer, on this channel?
local function context_weight(c, category, channel)
  local w
  local days = c.last_purchase_days
  if days == nil then w = 0.9
  elseif days <= 30 then w = 1.2      -- recently active: receptive
  elseif days <= 90 then w = 1.0
  else w = 0.8 end
  local churn = c.churn_risk or 0.3
  if category == "retention" then
    w = w * 4 * churn * churn         -- save offers only matter for customers who may leave
  else
    w = w * (1.2 - churn)             -- don't sell hard to someone drifting away
  end
  return w * (CHANNEL_WEIGHT[channel] or 1)
end

-- Highest priority first; exact ties go to the more important offer, then to catalogue order.
local function before(a, b)
  if a.score ~= b.score then return a.score > b.score end
  local ia, ib = a.offer.id, b.offer.id
  local pa, pb = business_priority[ia], business_priority[ib]
  if pa ~= pb then return pa < pb end
  return position[ia] < position[ib]
end

-- Categories already taken while picking one customer's offers; emptied again before the stage returns.
local taken = {}

return flow {
  name = "Next best action",
  description = "Sales and retention offers arbitrated on one priority; two per customer",
  offers = offers,
  stages = {
    filter("age", models.age_ok),
    filter("credit", models.credit_ok),
    filter("income", models.income_ok),
    filter("balance", models.balance_ok),
    filter("holdings", models.holdings_ok),

    -- The channel comes first because the context weight depends on it.
    channel("preferred", pick_channel),

    -- Sets each candidate's score to its priority, sorts on it and keeps the best offer of each category
    -- (two loans would compete for the same need).
    stage("arbitrate", function(c, candidates)
      local ranked = {}
      for i, cand in ipairs(candidates) do
        local o = cand.offer
        cand.score = propensity(c, o) * context_weight(c, o.category, cand.channel) * o.value * (o.lever or 1)
        ranked[i] = cand
      end
      table.sort(ranked, before)
      local kept, n = {}, 0
      for _, cand in ipairs(ranked) do
        local category = cand.offer.category
        if not taken[category] then
          taken[category] = true
          n = n + 1
          kept[n] = cand
        end
      end
      for _, cand in ipairs(kept) do taken[cand.offer.category] = nil end
      return kept
    end),

    limit(2),
  },
}
