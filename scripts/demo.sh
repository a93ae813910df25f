#!/usr/bin/env bash
# The demo: a realistic synthetic audience in the embedded SQLite store, a saved segment, the example flows'
# tests, and the cross-sell flow explained for a handful of its customers. Safe to run again.
set -euo pipefail
decide="$1"
export DECIDE_DB="${DECIDE_DB:-demo.sqlite}"

echo "== Generating a 100,000-customer demo audience into $DECIDE_DB"
"$decide" customers generate --count 100000 --seed 42 --replace
echo
echo "== Saving the segment 'engaged' (app users or email subscribers, 25 and over)"
"$decide" segments create engaged --filter 'age >= 25 and (app_user or email_opt_in)' \
    --description 'Reachable adults' --replace
"$decide" segments list
echo
echo "== The example flows"
"$decide" flows list
"$decide" flows check
echo
echo "== Their tests"
"$decide" flows test
echo
for id in C000000001 C000000002 C000000003; do
    echo "== cross_sell for customer $id"
    "$decide" flows explain cross_sell --customer "$id" | sed -n '/^Recommendations:/,$p;/^No recommendation/p'
    echo
done
