-- Cross-sell: up to three products a customer qualifies for, ranked by expected value
-- (the offer's margin times how likely this customer is to take it), each on a channel they can be reached on.

local catalog = require("catalog")
local models = require("models")

local propensity, pick_channel = models.propensity, models.pick_channel

-- An offer must be worth at least this much (value x propensity) to be worth a message.
local MIN_EXPECTED_VALUE = 25

return flow {
  name = "Cross-sell",
  description = "Cards, loans, savings, insurance and investing for customers who qualify",
  offers = catalog.select { card = true, loan = true, savings = true, insurance = true, investing = true },
  stages = {
    -- Eligibility: each rule is its own filter, so a trace says exactly which rule dropped an offer.
    filter("age", models.age_ok),
    filter("credit", models.credit_ok),
    filter("income", models.income_ok),
    filter("balance", models.balance_ok),
    filter("holdings", models.holdings_ok),

    score("expected value", function(c, o)
      return o.value * propensity(c, o)
    end),

    -- Drop offers not worth a message. A general stage: it sees every candidate with its score.
    stage("worth a message", function(c, candidates)
      local kept = {}
      for _, cand in ipairs(candidates) do
        if cand.score >= MIN_EXPECTED_VALUE then kept[#kept + 1] = cand end
      end
      return kept
    end),

    -- Channel before rank: an offer we cannot deliver must not take one of the three places.
    channel("preferred", pick_channel),

    rank { top = 3 },
  },
}
