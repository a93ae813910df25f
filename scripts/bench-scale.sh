#!/usr/bin/env bash
# Scale-out figures, measured in one sitting against a throwaway PostgreSQL cluster (run under
# scripts/with-postgres.sh, which sets DECIDE_TEST_POSTGRES): import and a 1-process run on SQLite and on PostgreSQL,
# 2 worker processes x 1 thread on PostgreSQL, and the machine baseline B (two bare Lua loops at once over one), each
# reported with its ratio and the issue's target.
set -euo pipefail
decide="$1"
customers="${2:-200000}"
base="${DECIDE_TEST_POSTGRES:?run under scripts/with-postgres.sh}"
command -v lua5.4 >/dev/null || scripts/install-deps.sh lua5.4
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
socket=${base#*host=}
"$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/createdb" -h "$socket" -U postgres bench_scale
pg="${base%%/decide_test*}/bench_scale?host=$socket"
export DECIDE_FLOWS=flows

now() { date +%s.%N; }
seconds() { python3 -c "print($2 - $1)"; }
report() { printf '%-64s  %s\n' "scale: $1" "$2"; }

start=$(now); "$decide" customers generate --count "$customers" --seed 1 --db "$dir/s.sqlite" >/dev/null; sqlite_import=$(seconds "$start" "$(now)")
start=$(now); "$decide" customers generate --count "$customers" --seed 1 --db "$pg" >/dev/null; pg_import=$(seconds "$start" "$(now)")
report "import $customers customers, SQLite" "$(python3 -c "print(round($customers / $sqlite_import))") rows/s"
report "import $customers customers, PostgreSQL" "$(python3 -c "print(round($customers / $pg_import))") rows/s"
report "import PostgreSQL / SQLite (target >= 0.5)" "$(python3 -c "print(round($sqlite_import / $pg_import, 2))") x"

run_one() { # db -> seconds of a 1-worker run, end to end
    local start; start=$(now)
    "$decide" run cross_sell --segment all --workers 1 --quiet --db "$1" >/dev/null
    seconds "$start" "$(now)"
}
sqlite_run=$(run_one "$dir/s.sqlite")
pg_run=$(run_one "$pg")
report "run cross_sell, 1 process x 1 thread, SQLite" "$(python3 -c "print(round($customers / $sqlite_run))") customers/s"
report "run cross_sell, 1 process x 1 thread, PostgreSQL" "$(python3 -c "print(round($customers / $pg_run))") customers/s"
report "PostgreSQL / SQLite, 1 process (target >= 0.7)" "$(python3 -c "print(round($sqlite_run / $pg_run, 2))") x"

id=$("$decide" run cross_sell --segment all --workers 1 --detach --db "$pg")
start=$(now)
"$decide" worker --workers 1 --name bench-1 --db "$pg" 2>/dev/null & one=$!
"$decide" worker --workers 1 --name bench-2 --db "$pg" 2>/dev/null & two=$!
"$decide" runs wait "$id" --timeout 3600 --db "$pg" >/dev/null
pg_two=$(seconds "$start" "$(now)")
kill -TERM "$one" "$two"; wait "$one" "$two" || true
report "run cross_sell, 2 worker processes x 1 thread, PostgreSQL" "$(python3 -c "print(round($customers / $pg_two))") customers/s"

loop='local s = 0 for i = 1, 200000000 do s = s + i % 7 end'
start=$(now); lua5.4 -e "$loop"; single=$(seconds "$start" "$(now)")
start=$(now); lua5.4 -e "$loop" & lua5.4 -e "$loop"; wait; double=$(seconds "$start" "$(now)")
b=$(python3 -c "print(round(2 * $single / $double, 2))")
report "machine baseline B: two bare Lua loops at once over one" "$b x"
report "2 processes / (B x 1 process), PostgreSQL (target >= 0.85)" "$(python3 -c "print(round(($pg_run / $pg_two) / $b, 2))") x"
