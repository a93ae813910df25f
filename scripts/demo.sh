#!/usr/bin/env bash
# The demo: a 100,000-customer synthetic audience in the embedded SQLite store, a saved segment, and the
# cross-sell example flow run over it with its progress, summary and breakdowns. Safe to run again.
set -euo pipefail
decide="$1"
export DECIDE_DB="${DECIDE_DB:-demo.sqlite}"

echo "== Generating a 100,000-customer demo audience into $DECIDE_DB"
"$decide" customers generate --count 100000 --seed 42 --replace
echo
echo "== Saving the segment 'engaged' (app users or email subscribers, 25 and over)"
"$decide" segments create engaged --filter 'age >= 25 and (app_user or email_opt_in)' \
    --description 'Reachable adults' --replace
echo
echo "== Checking and testing the example flows"
"$decide" flows check
"$decide" flows test | tail -1
echo
echo "== Running cross_sell over the segment"
"$decide" run cross_sell --segment engaged
echo
echo "Next: decide runs list; decide runs results ID --limit 5; decide flows explain cross_sell --customer C000000001"
