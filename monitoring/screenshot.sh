#!/usr/bin/env bash
# Makes docs/dashboard.png: the router with the shipped config (simulated providers) under MINUTES minutes of
# traffic (default 6; mixed prompts, feedback on some answers), its policy replaced through the admin API
# halfway (the gate threshold of every route lowered to 0.3: escalations drop, a marker appears), then the
# built-in dashboard over the last 15 minutes in headless Chromium.
# Usage: monitoring/screenshot.sh [MINUTES]   (needs curl and chromium: apt-get install curl chromium)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MINUTES="${1:-6}"
PORT=18390; MANAGEMENT=18391
WORK="$(mktemp -d)"
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
# the shipped settings, but the replaced policy is not kept (no state/ left behind) and the log goes to WORK
sed -e 's#^\( *policy_store:\).*#\1 ""#' "$ROOT/config/server.yaml" > "$WORK/server.yaml"
LLM_ROUTER_TRACE_DIR="$WORK/traces" "$ROOT/llm-router" serve --config "$WORK/server.yaml" --port $PORT \
  --management-port $MANAGEMENT >"$WORK/serve.log" 2>&1 &
SERVER=$!
until curl -s "http://127.0.0.1:$MANAGEMENT/health" | grep -q '"ready":true'; do sleep 0.2; done
PROMPTS=("Fix this bug in my Python function: def add(a, b): return a - b"
  "Write a SQL query that returns the ten most recent orders per customer."
  "What is the capital of Australia?" "Summarise the plot of Hamlet in three sentences."
  "Prove that the square root of 2 is irrational." "Translate good morning into Spanish.")
end=$(( $(date +%s) + MINUTES * 60 )); half=$(( $(date +%s) + MINUTES * 30 )); i=0; changed=0
while [ "$(date +%s)" -lt "$end" ]; do
  i=$((i + 1))
  id=$(curl -s -D - -o /dev/null "http://127.0.0.1:$PORT/v1/chat/completions" -H 'Content-Type: application/json' \
    -d "{\"model\": \"router\", \"messages\": [{\"role\": \"user\", \"content\": \"${PROMPTS[$((i % 6))]} ($i)\"}]}" \
    | tr -d '\r' | sed -n 's/^x-router-trace-id: //p')
  if [ $((i % 5)) -eq 0 ] && [ -n "$id" ]; then
    curl -s -o /dev/null "http://127.0.0.1:$PORT/v1/feedback" -H 'Content-Type: application/json' \
      -d "{\"trace_id\": \"$id\", \"score\": 0.$(( (i * 7) % 10 ))}"
  fi
  if [ $changed = 0 ] && [ "$(date +%s)" -ge "$half" ]; then
    sed -e 's/^version: 1/version: 2/' -e 's/gate_threshold: [0-9.]*/gate_threshold: 0.3/g' "$ROOT/config/policy.yaml" \
      | curl -s -o /dev/null -X PUT "http://127.0.0.1:$MANAGEMENT/admin/policy" -H 'Content-Type: application/yaml' --data-binary @-
    changed=1
  fi
  sleep 0.05
done
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1400,1250 --virtual-time-budget=5000 \
  --screenshot="$ROOT/docs/dashboard.png" "http://127.0.0.1:$MANAGEMENT/dashboard?window=15m" 2>/dev/null
echo "wrote docs/dashboard.png after $i requests"
