-- The benchmarks' twenty-offer flow: twenty offers through five eligibility filters, a logistic propensity times
-- the offer's value, a channel and `rank { top = 5 }`, so most customers have five scored candidates. decide-bench
-- inserts what a benchmark adds at the three marked lines (Sources/decide-bench/TwentyOfferFlow.swift).
local offers = {}
for i = 1, 20 do
  offers[i] = { id = "offer" .. i, name = "Offer " .. i, value = 20 + 7 * i, min_age = 18 + (i % 4) * 3,
                min_credit = 500 + (i % 5) * 20, bias = (i % 7) / 10 - 0.3, weight = (i % 3 + 1) / 100 }
end
local exp = math.exp
return flow {
  name = "Twenty offers",
  offers = offers,
  -- (flow fields)
  stages = {
    filter("age", function(c, o) return (c.age or 0) >= o.min_age end),
    filter("credit", function(c, o) return (c.credit_score or 0) >= o.min_credit end),
    filter("income", function(c, o) return (c.income or 0) >= 10000 end),
    filter("churn", function(c, o) return (c.churn_risk or 0) < 0.95 end),
    filter("tenure", function(c, o) return (c.tenure_months or 0) >= 0 end),
    -- (after the filters)
    score("expected value", function(c, o)
      local x = o.bias + o.weight * ((c.credit_score or 600) - 650) / 10 - (c.churn_risk or 0.3)
        + ((c.balance or 0) > 5000 and 0.4 or 0)
      return o.value / (1 + exp(-x))
    end),
    channel("reach", function(c, o)
      if c.app_user then return "push" elseif c.email_opt_in then return "email" else return "sms" end
    end),
    -- (after the channel)
    rank { top = 5 },
  },
}
