#!/usr/bin/env bash
# Regenerates docs/run-page.png: a demo store of 20,000 customers, `decide serve` on a free port, the cross-sell
# flow run over the segment 'engaged', and headless Chromium's screenshot of the completed run's page.
set -euo pipefail
decide="$1"
out="${2:-docs/run-page.png}"
work="$(mktemp -d)"
export DECIDE_DB="$work/demo.sqlite"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$decide" customers generate --count 20000 --seed 42 --replace >/dev/null
"$decide" segments create engaged --filter 'age >= 25 and (app_user or email_opt_in)' \
    --description 'Reachable adults' --replace >/dev/null
port="${SCREENSHOT_PORT:-18080}"
"$decide" serve --port "$port" >"$work/serve.log" 2>&1 &
server=$!
base="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done

id="$(curl -fs "$base/api/v1/runs" -H 'Content-Type: application/json' \
    -d '{"flow": "cross_sell", "segment": "engaged", "name": "Cross-sell, engaged adults", "seed": 42}' \
    | sed -E 's/.*"id":"([^"]+)".*/\1/')"
for _ in $(seq 600); do
    curl -fs "$base/api/v1/runs/$id" | grep -q '"status":"\(completed\|failed\|cancelled\)"' && break
    sleep 0.1
done
chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/profile" \
    --virtual-time-budget=5000 --window-size=1280,1600 --screenshot="$out" "$base/#/runs/$id" 2>/dev/null
echo "Wrote $out (run $id)"
