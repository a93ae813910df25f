#!/usr/bin/env bash
# What a run costs against the flow's own Lua, in one sitting (issue 15), and against what a user would otherwise
# build. Over one generated audience and for each of the twenty-offer flow (bench/flows/twenty.lua) and cross_sell:
#   - the interpreter's own speed: bench/plain_loop.lua, a straightforward unsandboxed engine in Debian's lua5.4,
#     customers preloaded, the decision loop alone; once on one core, then two copies side by side (one per core),
#     and once more on one core with read-only proxies on the customers and the offers, as a sandbox shows them;
#   - Decide's engine alone: its sandboxed state deciding the audience handed to it as Lua tables a batch of 1,000
#     at a time, the decision loop alone timed (decide-bench engine-ceiling), on one core;
#   - decide run --workers 1 and --workers 2, end to end (unpinned), against one loop and two loops;
#   - a Python host embedding Lua 5.4 (lupa) running the same straightforward engine end to end with SQLite,
#     against decide run --workers 1, both pinned to one core, and against Decide's engine alone on that core: what
#     the comparison would give if Decide's store cost nothing;
# then, with a one-offer flow, the run pipeline alone against the run store's own commit rate; and cross_sell as a
# GoRules JDM graph evaluated by zen-engine from Python, on one core. Every figure but zen's is the median of three
# rounds.
set -euo pipefail
decide="$1"
bench="$2"
customers="${3:-300000}"
root=$(cd "$(dirname "$0")/.." && pwd)
scripts/install-deps.sh lua5.4 >/dev/null
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -c "import lupa, zen" 2>/dev/null || .venv/bin/pip install -q lupa zen-engine==2.1.3
python=.venv/bin/python
last=$(( $(nproc) - 1 ))
pin=(taskset -c "$last")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/flows"
cp "$root"/flows/*.lua "$root/bench/flows/twenty.lua" "$dir/flows/"
cat > "$dir/flows/one.lua" <<'EOF'
return flow { name = "One offer", offers = { { id = "only", name = "Only", channel = "email" } }, stages = { limit(1) } }
EOF
"$decide" customers generate --count "$customers" --seed 1 --db "$dir/audience.sqlite" >/dev/null
python3 bench/dump_customers.py "$dir/audience.sqlite" "$dir/customers.lua"

figure() { printf '%-64s  %s\n' "$1" "$2"; }
ratio() { python3 -c "print(round($1 / $2, 2))"; }
median() { python3 -c 'import statistics, sys; print(round(statistics.median(float(x) for x in sys.argv[1:])))' "$@"; }
# decide run's rate (customers / execution time) and recommendations: run_rate FLOW WORKERS [PIN...]. Every run
# starts from a fresh copy of the audience, as the Python host stores into a fresh file: no run's results slow the
# next one's commits.
run_rate() {
    local flow=$1 workers=$2
    shift 2
    rm -f "$dir"/run.sqlite*
    cp "$dir/audience.sqlite" "$dir/run.sqlite"
    "$@" "$decide" run "$flow" --segment all --workers "$workers" --quiet --json --db "$dir/run.sqlite" \
        --flows "$dir/flows" | python3 -c 'import json,sys; s=json.load(sys.stdin)["summary"]; print(round(s["totalCustomers"] / (s["executionTimeMs"] / 1000)), s["totalRecommendations"])'
}

# Each figure is the median of three rounds, the rounds of every figure taken in turn, so that a busy moment on
# the machine moves one round of each rather than all rounds of one.
for flow in twenty cross_sell; do
    plains=() pairs=() proxied_rates=() engines=() ones=() twos=() python_rates=() pinned_rates=()
    for _ in 1 2 3; do
        read -r rate _ plain_recommendations < <("${pin[@]}" lua5.4 bench/plain_loop.lua "$dir/flows" "$flow" "$dir/customers.lua")
        plains+=("$rate")
        # Two loops at once, one per core: the machine's own baseline for two workers.
        taskset -c 0 lua5.4 bench/plain_loop.lua "$dir/flows" "$flow" "$dir/customers.lua" > "$dir/pair0" &
        taskset -c "$last" lua5.4 bench/plain_loop.lua "$dir/flows" "$flow" "$dir/customers.lua" > "$dir/pair1"
        wait
        pairs+=("$(( $(cut -d' ' -f1 "$dir/pair0") + $(cut -d' ' -f1 "$dir/pair1") ))")
        read -r rate _ < <("${pin[@]}" lua5.4 bench/plain_loop.lua "$dir/flows" "$flow" "$dir/customers.lua" proxies)
        proxied_rates+=("$rate")
        engines+=("$("${pin[@]}" "$bench" engine-ceiling "$dir/audience.sqlite" "$dir/flows" "$flow")")
        read -r rate one_recommendations < <(run_rate "$flow" 1)
        ones+=("$rate")
        read -r rate _ < <(run_rate "$flow" 2)
        twos+=("$rate")
        read -r rate _ python_recommendations < <("${pin[@]}" "$python" bench/python_lua_host.py "$dir/audience.sqlite" "$dir/flows" "$flow")
        python_rates+=("$rate")
        read -r rate _ < <(run_rate "$flow" 1 "${pin[@]}")
        pinned_rates+=("$rate")
        if [ "$plain_recommendations" != "$one_recommendations" ] || [ "$plain_recommendations" != "$python_recommendations" ]; then
            echo "engine $flow: the plain loop, decide run and the Python host disagree ($plain_recommendations, $one_recommendations and $python_recommendations recommendations)" >&2
            exit 1
        fi
    done
    plain=$(median "${plains[@]}") pair=$(median "${pairs[@]}") proxied=$(median "${proxied_rates[@]}")
    engine=$(median "${engines[@]}") one=$(median "${ones[@]}") two=$(median "${twos[@]}")
    python_rate=$(median "${python_rates[@]}") pinned=$(median "${pinned_rates[@]}")
    figure "engine $flow: plain lua5.4 loop, 1 core ($plain_recommendations recommendations; of ${plains[*]})" "$plain customers/s"
    figure "engine $flow: 2 plain loops at once (of ${pairs[*]})" "$pair customers/s"
    figure "engine $flow: plain loop with read-only proxies, 1 core (of ${proxied_rates[*]})" "$proxied customers/s"
    figure "engine $flow: Decide's sandboxed engine alone, 1 core (of ${engines[*]})" "$engine customers/s"
    figure "engine $flow: decide run --workers 1 (of ${ones[*]})" "$one customers/s"
    figure "engine $flow: decide run --workers 2 (of ${twos[*]})" "$two customers/s"
    figure "engine $flow: engine alone / plain loop" "$(ratio "$engine" "$plain") x"
    figure "engine $flow: --workers 1 / plain loop (target >= 0.85)" "$(ratio "$one" "$plain") x"
    figure "engine $flow: --workers 2 / 2 plain loops (target >= 0.85)" "$(ratio "$two" "$pair") x"
    figure "compare $flow: Python host + lupa, plain engine, 1 core (of ${python_rates[*]})" "$python_rate customers/s"
    figure "compare $flow: decide run --workers 1, 1 core (of ${pinned_rates[*]})" "$pinned customers/s"
    figure "compare $flow: decide / Python host, per core (target >= 1.5)" "$(ratio "$pinned" "$python_rate") x"
    figure "compare $flow: Decide's engine alone / Python host (a store costing nothing)" "$(ratio "$engine" "$python_rate") x"
done

# The pipeline alone (store read, marshalling, commit) with a one-offer flow, against the store's own commit rate.
pipelines=() commits=()
for _ in 1 2 3; do
    read -r rate _ < <(run_rate one 1)
    pipelines+=("$rate")
    commits+=("$("$bench" run-store --customers "$customers" | awk '/customers. results in batches/ { print $(NF - 1) }')")
done
pipeline=$(median "${pipelines[@]}") commit=$(median "${commits[@]}")
figure "pipeline: decide run --workers 1, one-offer flow (of ${pipelines[*]})" "$pipeline customers/s"
figure "pipeline: run store's own commit rate (of ${commits[*]})" "$commit customers/s"
figure "pipeline: one-offer run / commit rate (target >= 0.8)" "$(ratio "$pipeline" "$commit") x"

read -r zen_rate _ zen_recommendations < <("${pin[@]}" "$python" bench/zen_host.py "$dir/audience.sqlite" "$dir/flows")
figure "compare cross_sell: Python host + GoRules zen, 1 core ($zen_recommendations recommendations)" "$zen_rate customers/s"
