#!/usr/bin/env bash
# The HTTP overhead of the router, measured with wrk on loopback (reports, never asserts):
#  1. the simulated upstream called directly (./llm-router simulate-upstream),
#  2. the router in front of that same upstream over HTTP (providers: real, a catalog whose providers all
#     point at it), the learned classifier and the shipped policy,
#  3. the router with the in-process simulated provider (no HTTP hop behind it).
# Every answer is complete, so each request makes one upstream call.
# Prints wrk's latency distribution and requests/second for each. Usage: bench/wrk.sh [SECONDS] [CONNECTIONS]
# (WARMUP=N sets the seconds of load each server gets before it is measured; default 30)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_RUN="${1:-20}"
CONNECTIONS="${2:-32}"
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 2; }
WORK="$(mktemp -d)"
UP=19090
ROUTER=18080
INPROC=18081
cleanup() { kill "${PIDS[@]}" 2>/dev/null || true; rm -rf "$WORK"; }
PIDS=()
trap cleanup EXIT
sed -E -e "s#base_url: .*#base_url: http://127.0.0.1:$UP/v1#" -e "s#kind: anthropic#kind: openai#" "$ROOT/config/catalog.yaml" > "$WORK/catalog.yaml"
cat > "$WORK/server.yaml" <<YAML
server: {host: 127.0.0.1, port: $ROUTER}
router:
  catalog: $WORK/catalog.yaml
  policy: $ROOT/config/policy.yaml
  classifier: models/default
  providers: real
  trace: {dir: "$WORK/traces", prompts: hash}
YAML
cat > "$WORK/inproc.yaml" <<YAML
server: {host: 127.0.0.1, port: $INPROC}
router:
  catalog: $ROOT/config/catalog.yaml
  policy: $ROOT/config/policy.yaml
  classifier: models/default
  providers: simulated
  trace: {dir: "$WORK/traces-inproc", prompts: hash}
  simulated: {latency_ms: 0, error_rate: 0, quality: {1: 1, 2: 1, 3: 1}}
YAML
cat > "$WORK/body.json" <<'JSON'
{"model": "router", "messages": [{"role": "user", "content": "What is the capital of France?"}], "max_tokens": 64}
JSON
cat > "$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench"
wrk.body = io.open("$WORK/body.json"):read("*a")
LUA
"$ROOT/llm-router" --version >/dev/null  # builds once before the servers start
"$ROOT/llm-router" simulate-upstream --port $UP 2>"$WORK/upstream.log" & PIDS+=($!)
OPENAI_API_KEY=x ANTHROPIC_API_KEY=x GEMINI_API_KEY=x MISTRAL_API_KEY=x TOGETHER_API_KEY=x \
  "$ROOT/llm-router" serve --config "$WORK/server.yaml" 2>"$WORK/router.log" & PIDS+=($!)
"$ROOT/llm-router" serve --config "$WORK/inproc.yaml" 2>"$WORK/inproc.log" & PIDS+=($!)
for port in $UP $ROUTER $INPROC; do
  for _ in $(seq 1 120); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.5; done
done
for port in $ROUTER $INPROC; do  # listening is not ready: wait for the models
  for _ in $(seq 1 120); do curl -sf -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.5; done
done
# the JIT needs about half a minute of load before the servers reach their steady speed (measured: 1,000,
# 2,000, 2,700, then 3,200 requests a second over successive 10 s runs through the router)
WARMUP="${WARMUP:-30}"
echo "== warm-up (${WARMUP}s each)"
wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" -s "$WORK/post.lua" "http://127.0.0.1:$UP/v1/chat/completions" >/dev/null
wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" -s "$WORK/post.lua" "http://127.0.0.1:$ROUTER/v1/chat/completions" >/dev/null
wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" -s "$WORK/post.lua" "http://127.0.0.1:$INPROC/v1/chat/completions" >/dev/null
echo "== upstream directly (${SECONDS_RUN}s, $CONNECTIONS connections)"
wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_RUN}s" --latency -s "$WORK/post.lua" "http://127.0.0.1:$UP/v1/chat/completions"
echo "== through the router"
wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_RUN}s" --latency -s "$WORK/post.lua" "http://127.0.0.1:$ROUTER/v1/chat/completions"
echo "== one connection at a time (added latency without queueing)"
wrk -t1 -c1 -d"${SECONDS_RUN}s" --latency -s "$WORK/post.lua" "http://127.0.0.1:$UP/v1/chat/completions" | grep -E "50%|99%|Requests/sec"
wrk -t1 -c1 -d"${SECONDS_RUN}s" --latency -s "$WORK/post.lua" "http://127.0.0.1:$ROUTER/v1/chat/completions" | grep -E "50%|99%|Requests/sec"
wrk -t1 -c1 -d"${SECONDS_RUN}s" --latency -s "$WORK/post.lua" "http://127.0.0.1:$INPROC/v1/chat/completions" | grep -E "50%|99%|Requests/sec"
echo "== the router with the in-process simulated provider (${SECONDS_RUN}s, $CONNECTIONS connections)"
wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_RUN}s" --latency -s "$WORK/post.lua" "http://127.0.0.1:$INPROC/v1/chat/completions"
