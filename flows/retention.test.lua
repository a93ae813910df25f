-- Tests for flows/retention.lua. Run with:  decide flows test retention
--
-- Every retention offer uses the same propensity for a given customer (models.lua, retention category:
-- z = -1.0 + 2.5*(churn - 0.5) + 0.004*min(tenure, 240)), so the ranking is decided by value, boosted
-- x1.3 for the loyalty cashback when tenure is 60 months or more:
--   rate cut 140 > bonus rate 110 > cashback 95 (123.5 when loyal) > fee waiver 80.
-- "borrower": z = -1.0 + 0.625 + 0.12 = -0.255, p = 0.437, rate cut = 140 * 0.437 = 61.1.
-- "loyal card holder": z = -1.0 + 0.5 + 0.384 = -0.116, p = 0.471: bonus rate 51.8, cashback 44.7 * 1.3 = 58.2.
return {
  {
    name = "low churn risk: no retention offer",
    customer = { id = "r1", age = 40, churn_risk = 0.2, has_loan = true, has_credit_card = true,
                 balance = 5000, tenure_months = 30, app_user = true, email_opt_in = true },
    expect = {},
  },
  {
    name = "unknown churn risk: no retention offer",
    customer = { id = "r2", age = 40, has_loan = true, balance = 5000, tenure_months = 30, app_user = true },
    expect = {},
  },
  {
    name = "at-risk borrower gets the loan rate cut, by push",
    customer = { id = "r3", age = 40, has_loan = true, has_credit_card = true, balance = 5000, tenure_months = 30,
                 churn_risk = 0.75, email_opt_in = true, app_user = true, last_purchase_days = 200 },
    expect = { "ret_rate_cut" },
    expect_channels = { "push" },
    expect_not = { "ret_fee_waiver" },
  },
  {
    name = "loyal card holder: the boosted cashback beats the bonus rate",
    customer = { id = "r4", age = 52, has_loan = false, has_credit_card = true, balance = 5000, tenure_months = 96,
                 churn_risk = 0.7, email_opt_in = true, app_user = false, last_purchase_days = 240 },
    expect = { "ret_cashback" },
    expect_channels = { "email" },
    expect_not = { "ret_bonus_rate", "ret_rate_cut" },
  },
  {
    name = "newer card holder: no loyalty boost, the bonus rate wins",
    customer = { id = "r5", age = 30, has_loan = false, has_credit_card = true, balance = 5000, tenure_months = 24,
                 churn_risk = 0.7, email_opt_in = true, app_user = false, last_purchase_days = 240 },
    expect = { "ret_bonus_rate" },
    expect_channels = { "email" },
    expect_not = { "ret_cashback" },
  },
  {
    name = "at risk with no products and a small balance: fee waiver by sms",
    customer = { id = "r6", age = 23, has_loan = false, has_credit_card = false, balance = 200, tenure_months = 10,
                 churn_risk = 0.6, sms_opt_in = true, email_opt_in = false, app_user = false },
    expect = { "ret_fee_waiver" },
    expect_channels = { "sms" },
  },
  {
    name = "at risk with products and balance missing: only the fee waiver qualifies",
    customer = { id = "r7", churn_risk = 0.8, tenure_months = 100, email_opt_in = true },
    expect = { "ret_fee_waiver" },
    expect_channels = { "email" },
    expect_not = { "ret_rate_cut", "ret_cashback", "ret_bonus_rate" },
  },
  {
    name = "at risk but unreachable: nothing",
    customer = { id = "r8", age = 60, has_loan = true, churn_risk = 0.9, balance = 10000,
                 email_opt_in = false, sms_opt_in = false, app_user = false },
    expect = {},
  },
  -- Contact policies: the history a case carries, counted back from its as_of.
  {
    name = "declined the rate cut last month: the bonus rate instead",
    customer = { id = "r9", age = 40, has_loan = true, has_credit_card = true, balance = 5000, tenure_months = 30,
                 churn_risk = 0.75, email_opt_in = true, app_user = true, last_purchase_days = 200 },
    as_of = "2026-11-30",
    history = { { offer = "ret_rate_cut", channel = "push", outcome = "declined", at = "2026-11-02T10:00:00Z" } },
    expect = { "ret_bonus_rate" },
    expect_not = { "ret_rate_cut" },
  },
  {
    name = "declined it four months ago: the rate cut again",
    customer = { id = "r10", age = 40, has_loan = true, has_credit_card = true, balance = 5000, tenure_months = 30,
                 churn_risk = 0.75, email_opt_in = true, app_user = true, last_purchase_days = 200 },
    as_of = "2026-11-30",
    history = { { offer = "ret_rate_cut", outcome = "declined", at = "2026-07-30" } },
    expect = { "ret_rate_cut" },
  },
  {
    name = "two emails this week already: no email offer",
    customer = { id = "r11", age = 30, has_loan = false, has_credit_card = true, balance = 5000, tenure_months = 24,
                 churn_risk = 0.7, email_opt_in = true, app_user = false, last_purchase_days = 240 },
    as_of = "2026-11-30T09:00:00+01:00",
    history = {
      { offer = "newsletter", channel = "email", outcome = "sent", at = "2026-11-24T08:00:00Z" },  -- 6 days ago
      { offer = "ret_cashback", channel = "email", outcome = "sent", at = "2026-11-29" },
    },
    expect = {},
  },
}
