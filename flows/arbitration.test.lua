-- Tests for flows/arbitration.lua. Run with:  decide flows test arbitration
--
-- priority = propensity x context weight x value x lever, where
--   context weight = recency (1.2 if last purchase <= 30 days, 1.0 if <= 90, 0.8 older, 0.9 unknown)
--                  x churn term (sales: 1.2 - churn; retention: 4 x churn^2; churn unknown = 0.3)
--                  x channel (push 1.1, in_app 1.0, email 0.9, sms 0.7)
-- and at most one offer per category survives, then the top two.
--
-- "affluent app user": card_premium p = 0.690 (see cross_sell.test.lua), context 1.2 x 1.1 x 1.1 = 1.452,
--   priority = 0.690 x 1.452 x 420 x 1.2 = 505. loan_personal = 0.595 x 1.452 x 380 x 1.1 = 361.
--   The mortgage (0.229 x 1.188 x 1200 = 326) beats the retirement plan (226) but is the second loan, so it goes.
-- "at-risk borrower": retention z = -1.0 + 2.5 x 0.3 + 0.004 x 80 = 0.07, p = 0.517; context 0.8 x 2.56 x 0.9
--   = 1.843; ret_rate_cut = 0.517 x 1.843 x 140 = 133.5. Only one retention offer may stay, so the runner-up is
--   the best sales offer, life insurance (7.7), just ahead of the personal loan (7.1).
return {
  {
    name = "affluent app user: premium card and personal loan, one loan only",
    customer = { id = "a1", age = 35, income = 120000, credit_score = 780, balance = 30000, tenure_months = 60,
                 has_credit_card = false, has_loan = false, email_opt_in = true, sms_opt_in = false,
                 app_user = true, churn_risk = 0.1, last_purchase_days = 10 },
    expect = { "card_premium", "loan_personal" },
    expect_channels = { "push", "push" },
    expect_not = { "loan_mortgage", "ret_bonus_rate" },
  },
  {
    name = "at-risk borrower: the rate cut first, then one sales offer",
    customer = { id = "a2", age = 45, income = 55000, credit_score = 690, balance = 3000, tenure_months = 80,
                 has_credit_card = true, has_loan = true, email_opt_in = true, sms_opt_in = true,
                 app_user = false, churn_risk = 0.8, last_purchase_days = 250 },
    expect = { "ret_rate_cut", "ins_life" },
    expect_channels = { "email", "email" },
    expect_not = { "ret_bonus_rate", "ret_cashback", "ret_fee_waiver" },
  },
  {
    name = "settled card holder: loan and retirement plan, no second loan",
    customer = { id = "a3", age = 45, income = 65000, credit_score = 700, balance = 8000, tenure_months = 120,
                 has_credit_card = true, has_loan = false, email_opt_in = true, sms_opt_in = true,
                 app_user = false, churn_risk = 0.2, last_purchase_days = 30 },
    expect = { "loan_personal", "invest_pension" },
    expect_channels = { "email", "email" },
    expect_not = { "loan_mortgage", "loan_auto", "card_cashback" },
  },
  {
    name = "missing tenure, churn, recency and consents: typical values are assumed, app user reached by push",
    customer = { id = "a4", age = 24, income = 40000, credit_score = 680, balance = 2500,
                 has_credit_card = false, app_user = true },
    expect = { "card_cashback", "loan_personal" },
    expect_channels = { "push", "push" },
  },
  {
    name = "unknown age: only retention offers (no age rule) qualify, and only one of them",
    customer = { id = "a5", churn_risk = 0.7, has_credit_card = true, email_opt_in = true, balance = 500 },
    expect = { "ret_cashback" },
    expect_channels = { "email" },
    expect_not = { "ret_fee_waiver" },
  },
  {
    name = "no consent on any channel: nothing",
    customer = { id = "a6", age = 35, income = 120000, credit_score = 780, balance = 30000, tenure_months = 60,
                 has_credit_card = false, has_loan = false, email_opt_in = false, sms_opt_in = false,
                 app_user = false, churn_risk = 0.1, last_purchase_days = 10 },
    expect = {},
  },
}
