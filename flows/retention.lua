-- Retention: one save offer for each customer at risk of leaving.

local catalog = require("catalog")
local models = require("models")

local propensity, pick_channel = models.propensity, models.pick_channel

local CHURN_THRESHOLD = 0.6   -- customers at or above this churn risk are "at risk"
local LOYAL_MONTHS = 60       -- five years with us
local NOT_AT_RISK = "churn risk below " .. CHURN_THRESHOLD   -- the reason, built once

return flow {
  name = "Retention",
  description = "One save offer for customers at risk of churning",
  offers = catalog.select { retention = true },
  stages = {
    filter("at risk", function(c, o)
      local risk = c.churn_risk
      if risk == nil then return false, "churn risk unknown" end
      if risk < CHURN_THRESHOLD then return false, NOT_AT_RISK end
      return true
    end),
    filter("holdings", models.holdings_ok),   -- rate cut needs a loan, cashback needs a card
    filter("balance", models.balance_ok),     -- bonus rate needs a balance worth topping up

    -- Contact policies (docs/flows.md, "Respecting the customer"): an offer declined in the last 90 days is not
    -- made again so soon...
    cooldown { days = 90, name = "declined lately" },

    score("retained value", function(c, o)
      return o.value * propensity(c, o)
    end),

    -- A second score stage adjusts the first: offer.score is the score set above.
    score("loyalty boost", function(c, o)
      local boost = o.loyalty_boost
      if boost ~= nil and (c.tenure_months or 0) >= LOYAL_MONTHS then
        return o.score * boost
      end
      return o.score
    end),

    channel("preferred", pick_channel),
    rank {},
    -- ...and nobody gets more than two emails a week: the best offer that may still be sent wins.
    cap { max = 2, days = 7, channel = "email", name = "email fatigue" },
    limit(1),
  },
}
