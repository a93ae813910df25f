#!/usr/bin/env bash
# The per-core comparison with what a user would otherwise build: a Python host embedding Lua 5.4 (lupa) running
# the same cross_sell flow end to end over the same SQLite audience, against `decide run --workers 1`; and the same
# decision as a GoRules JDM graph evaluated by the zen rules engine (zen-engine) from Python, over the same audience.
# Every contender runs pinned to the same single core (taskset), so "per core" means one core for everything:
# decide's store reads and commits share it with its one worker.
set -euo pipefail
decide="$1"
customers="${2:-200000}"
python3 -c "import lupa" 2>/dev/null || pip install -q lupa
python3 -c "import zen" 2>/dev/null || pip install -q zen-engine==2.1.3
pin=(taskset -c "$(( $(nproc) - 1 ))")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$decide" customers generate --count "$customers" --seed 1 --db "$dir/audience.sqlite" >/dev/null
read -r python_rate python_customers python_recommendations < <("${pin[@]}" python3 bench/python_lua_host.py "$dir/audience.sqlite" flows)
document=$("${pin[@]}" "$decide" run cross_sell --segment all --workers 1 --quiet --json --db "$dir/audience.sqlite" --flows flows)
read -r decide_customers decide_recommendations decide_ms < <(python3 -c 'import json,sys; s=json.load(sys.stdin)["summary"]; print(s["totalCustomers"], s["totalRecommendations"], s["executionTimeMs"])' <<<"$document")
decide_rate=$(python3 -c "print(round($decide_customers / ($decide_ms / 1000)))")
printf '%-60s  %s customers/s (%s recommendations)\n' "compare: Python host + lupa (Lua 5.4, unsandboxed), 1 core" "$python_rate" "$python_recommendations"
printf '%-60s  %s customers/s (%s recommendations)\n' "compare: decide run --workers 1 (sandboxed, metered)" "$decide_rate" "$decide_recommendations"
printf '%-60s  %s x\n' "compare: decide / Python host, per core" "$(python3 -c "print(round($decide_rate / $python_rate, 2))")"
read -r zen_rate zen_customers zen_recommendations < <("${pin[@]}" python3 bench/zen_host.py "$dir/audience.sqlite" flows)
printf '%-60s  %s customers/s (%s recommendations)\n' "compare: Python host + GoRules zen, 1 core" "$zen_rate" "$zen_recommendations"
printf '%-60s  %s x\n' "compare: decide / zen host, per core" "$(python3 -c "print(round($decide_rate / $zen_rate, 2))")"
