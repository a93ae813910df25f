-- The offer catalogue shared by the example flows.
--
-- Every offer has an `id` (unique, never reused) and a `name`. The other fields are ours to choose;
-- the flows in this folder read these ones:
--
--   category     "card" | "loan" | "savings" | "insurance" | "investing" | "retention"
--   value        expected margin if the customer takes the offer, in currency units
--   min_age, max_age, min_score, max_score, min_income, min_balance
--                eligibility rules (absent = no rule); see models.lua
--   requires     a customer yes/no field that must be true (e.g. "has_loan" for a loan rate cut)
--   channels     where the offer may be sent; a flow may never pick a channel outside this list
--   priority     business priority, 1 = most important; arbitration uses it to break exact ties
--   lever        business weight for arbitration (1 = neutral, above 1 = push harder)
--   affinity     a nudge to the propensity model for this one offer (0 = none)
--   loyalty_boost  retention only: score multiplier for customers with 5+ years of tenure
--   active       false = paused; the engine never makes it a candidate
--
-- The order below is the catalogue order: when two offers score exactly the same, the one listed first wins.

local ALL = { "email", "push", "sms", "in_app" }
local DIGITAL = { "email", "push", "in_app" }
local APP_ONLY = { "push", "in_app" }

local offers = {
  -- Cards -------------------------------------------------------------------------------------
  { id = "card_premium", name = "Premium Credit Card", category = "card",
    value = 420, min_age = 21, min_score = 720, min_income = 80000,
    channels = DIGITAL, priority = 1, lever = 1.2, affinity = 0 },
  { id = "card_cashback", name = "Cashback Credit Card", category = "card",
    value = 260, min_age = 18, min_score = 660, min_income = 25000,
    channels = ALL, priority = 2, lever = 1.0, affinity = 0.2 },
  { id = "card_student", name = "Student Credit Card", category = "card",
    value = 90, min_age = 18, max_age = 25,
    channels = DIGITAL, priority = 4, lever = 1.0, affinity = 0.8 },
  { id = "card_secured", name = "Credit Builder Card", category = "card",
    value = 70, min_age = 18, max_score = 619,
    channels = ALL, priority = 5, lever = 0.8, affinity = 0.5 },
  { id = "card_travel", name = "Travel Rewards Card", category = "card",
    value = 340, min_age = 21, min_score = 700, min_income = 50000,
    channels = DIGITAL, priority = 3, lever = 1.0, affinity = 0,
    active = false },  -- paused while the partner airline contract is renegotiated

  -- Loans -------------------------------------------------------------------------------------
  { id = "loan_personal", name = "Personal Loan", category = "loan",
    value = 380, min_age = 21, max_age = 70, min_score = 640, min_income = 20000,
    channels = ALL, priority = 2, lever = 1.1, affinity = 0 },
  { id = "loan_auto", name = "Car Loan", category = "loan",
    value = 300, min_age = 21, max_age = 75, min_score = 620, min_income = 25000,
    channels = ALL, priority = 3, lever = 1.0, affinity = -0.2 },
  { id = "loan_mortgage", name = "Home Mortgage", category = "loan",
    value = 1200, min_age = 25, max_age = 60, min_score = 700, min_income = 60000,
    channels = { "email" }, priority = 1, lever = 1.0, affinity = -1.6 },

  -- Savings -----------------------------------------------------------------------------------
  { id = "savings_account", name = "Savings Account", category = "savings",
    value = 45, min_age = 18,
    channels = ALL, priority = 3, lever = 1.0, affinity = 0.6 },
  { id = "savings_fixed", name = "Fixed-Term Deposit", category = "savings",
    value = 110, min_age = 18, min_balance = 5000,
    channels = DIGITAL, priority = 2, lever = 1.0, affinity = 0 },
  { id = "savings_goal", name = "Goal Saver", category = "savings",
    value = 35, min_age = 18, max_age = 40,
    channels = APP_ONLY, priority = 4, lever = 1.0, affinity = 0.4 },

  -- Insurance ---------------------------------------------------------------------------------
  { id = "ins_travel", name = "Travel Insurance", category = "insurance",
    value = 60, min_age = 18, max_age = 80,
    channels = ALL, priority = 3, lever = 1.0, affinity = 0.5 },
  { id = "ins_home", name = "Home Insurance", category = "insurance",
    value = 150, min_age = 21, min_income = 30000,
    channels = DIGITAL, priority = 2, lever = 1.0, affinity = 0 },
  { id = "ins_life", name = "Life Insurance", category = "insurance",
    value = 240, min_age = 25, max_age = 65, min_income = 25000,
    channels = { "email", "sms" }, priority = 1, lever = 1.1, affinity = -0.3 },

  -- Investing ---------------------------------------------------------------------------------
  { id = "invest_fund", name = "Investment Fund Account", category = "investing",
    value = 200, min_age = 18, min_income = 40000, min_balance = 2000,
    channels = DIGITAL, priority = 2, lever = 1.0, affinity = 0 },
  { id = "invest_robo", name = "Robo-Advisor Portfolio", category = "investing",
    value = 150, min_age = 18, min_balance = 1000,
    channels = APP_ONLY, priority = 3, lever = 1.2, affinity = 0.3 },
  { id = "invest_pension", name = "Retirement Plan", category = "investing",
    value = 320, min_age = 30, max_age = 60, min_income = 35000,
    channels = { "email" }, priority = 1, lever = 1.0, affinity = -0.4 },

  -- Retention ---------------------------------------------------------------------------------
  { id = "ret_rate_cut", name = "Loan Rate Reduction", category = "retention",
    value = 140, requires = "has_loan",
    channels = ALL, priority = 1, lever = 1.0, affinity = 0 },
  { id = "ret_bonus_rate", name = "Bonus Rate Savings (+1%)", category = "retention",
    value = 110, min_balance = 1000,
    channels = ALL, priority = 2, lever = 1.0, affinity = 0 },
  { id = "ret_cashback", name = "Loyalty Cashback (2%)", category = "retention",
    value = 95, requires = "has_credit_card", loyalty_boost = 1.3,
    channels = ALL, priority = 3, lever = 1.0, affinity = 0 },
  { id = "ret_fee_waiver", name = "12-Month Fee Waiver", category = "retention",
    value = 80,
    channels = ALL, priority = 4, lever = 1.0, affinity = 0 },
}

-- Offers of the given categories, in catalogue order. Call it once, when a flow loads, never inside a stage.
--   catalog.select { card = true, loan = true }
local function select(categories)
  local picked = {}
  for _, offer in ipairs(offers) do
    if categories[offer.category] then picked[#picked + 1] = offer end
  end
  return picked
end

return { offers = offers, select = select }
