-- Tests for flows/cross_sell.lua. Run with:  decide flows test cross_sell
--
-- Expected values worked through by hand from models.lua (p = propensity, EV = value x p):
--   "affluent app user": card z = -1.2 + 0.5*1.30 + 0.4*ln(120000/50000) - 0.015*(35-40) = -0.125,
--     engagement = 0.6*(1 - 10/180) + 0.002*60 - 1.2*(0.1 - 0.3) = 0.927, so p = 1/(1+e^-0.802) = 0.690
--     and card_premium EV = 420 * 0.690 = 290. Mortgage (EV 274, email only) beats the personal loan (226).
--   "student": card_student z = -1.2 + 0 + 0.4*ln(0.36) + 0.015*21 + engagement 0.544 + affinity 0.8 = 0.050,
--     EV = 90 * 0.513 = 46; card_secured EV = 70 * 0.439 = 31; savings_account EV = 45 * 0.518 = 23 < 25 (dropped).
return {
  {
    name = "affluent app user without a card gets the premium card first",
    customer = { id = "t1", age = 35, income = 120000, credit_score = 780, balance = 30000, tenure_months = 60,
                 has_credit_card = false, has_loan = false, email_opt_in = true, sms_opt_in = false,
                 app_user = true, churn_risk = 0.1, last_purchase_days = 10 },
    expect = { "card_premium", "loan_mortgage", "loan_personal" },
    expect_channels = { "push", "email", "push" },   -- the mortgage may only go by email
    expect_not = { "card_student", "card_secured" },
  },
  {
    name = "young customer with no credit file gets the student and credit-builder cards",
    customer = { id = "t2", age = 19, income = 18000, balance = 300, tenure_months = 12,
                 has_credit_card = false, has_loan = false, email_opt_in = false, sms_opt_in = false,
                 app_user = true, churn_risk = 0.2, last_purchase_days = 60 },     -- credit_score missing
    expect = { "card_student", "card_secured" },
    expect_channels = { "push", "push" },
    expect_not = { "card_premium", "card_cashback", "loan_personal" },
  },
  {
    name = "card holder gets no card offers, and email beats sms",
    customer = { id = "t3", age = 45, income = 65000, credit_score = 700, balance = 8000, tenure_months = 120,
                 has_credit_card = true, has_loan = false, email_opt_in = true, sms_opt_in = true,
                 app_user = false, churn_risk = 0.2, last_purchase_days = 30 },
    expect = { "loan_personal", "loan_mortgage", "loan_auto" },
    expect_channels = { "email", "email", "email" },
    expect_not = { "card_premium", "card_cashback", "card_secured", "invest_robo" },
  },
  {
    name = "missing credit score and income: only offers without those rules, by sms",
    customer = { id = "t4", age = 50, balance = 1500, tenure_months = 36, has_credit_card = false,
                 email_opt_in = false, sms_opt_in = true, app_user = false,
                 churn_risk = 0.25, last_purchase_days = 20 },   -- income, credit_score, has_loan missing
    expect = { "card_secured", "savings_account" },
    expect_channels = { "sms", "sms" },
    expect_not = { "loan_personal", "ins_home", "invest_robo" },   -- invest_robo is app-only
  },
  {
    name = "unknown age: every offer has an age rule, so nothing",
    customer = { id = "t5", income = 90000, credit_score = 760, balance = 20000, tenure_months = 48,
                 has_credit_card = false, has_loan = false, email_opt_in = true, sms_opt_in = true,
                 app_user = true, churn_risk = 0.1, last_purchase_days = 5 },
    expect = {},
  },
  {
    name = "low-value customer: nothing worth a message",
    customer = { id = "t6", age = 88, income = 15000, credit_score = 400, balance = 0, tenure_months = 2,
                 has_credit_card = true, has_loan = true, email_opt_in = true, sms_opt_in = true,
                 app_user = true, churn_risk = 0.9, last_purchase_days = 365 },
    expect = {},   -- only savings_account is eligible, and its expected value (10.8) is below 25
  },
  {
    name = "no consent on any channel: nothing, however good the profile",
    customer = { id = "t7", age = 35, income = 120000, credit_score = 780, balance = 30000, tenure_months = 60,
                 has_credit_card = false, has_loan = false, email_opt_in = false, sms_opt_in = false,
                 churn_risk = 0.1, last_purchase_days = 10 },   -- app_user missing counts as "no"
    expect = {},
    expect_not = { "card_premium" },
  },
}
