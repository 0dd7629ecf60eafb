#!/usr/bin/env bash
# What a shadow candidate costs the router (reports, never asserts): wrk on loopback against the router with the
# in-process simulated provider, the shipped learned classifier and policy, alternating rounds without and with
# a shadow candidate (PUT /admin/candidate: the shipped bundle again, deciding every request, share 1) so a
# machine that slows down over the run favours neither. Prints requests/second, wrk's p50/p99 and the router's
# CPU time a request (user + system, from /proc) for each round.
# Usage: bench/shadow.sh [SECONDS] [CONNECTIONS]   (defaults 15 s, 32); WARMUP=N seconds first (default 20).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_RUN="${1:-15}"
CONNECTIONS="${2:-32}"
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 2; }
WORK="$(mktemp -d)"
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
cat > "$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model": "router", "messages": [{"role": "user", "content": "What is the capital of France?"}], "max_tokens": 64}'
LUA
cat > "$WORK/server.yaml" <<YAML
server: {port: 18380, management: {port: 18381}}
router:
  catalog: $ROOT/config/catalog.yaml
  policy: $ROOT/config/policy.yaml
  classifier: $ROOT/models/default
  providers: simulated
  trace: {dir: "", prompts: none}
  simulated: {latency_ms: 0, error_rate: 0, quality: {1: 1.0, 2: 1.0, 3: 1.0}}
YAML
"$ROOT/llm-router" serve --config "$WORK/server.yaml" > "$WORK/serve.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18381/health >/dev/null && break; sleep 0.2; done
JAVA_PID="$(pgrep -f "llm-router.jar serve --config $WORK/server.yaml" | head -1)"
TICKS="$(getconf CLK_TCK)"
cpu() { awk '{print $14 + $15}' "/proc/$JAVA_PID/stat"; }
wrk -t2 -c"$CONNECTIONS" -d"${WARMUP:-20}"s -s "$WORK/post.lua" http://127.0.0.1:18380/v1/chat/completions > /dev/null
candidate() {
  if [ "$1" = on ]; then
    curl -sf -X PUT http://127.0.0.1:18381/admin/candidate -H 'Content-Type: application/json' \
      -d "{\"bundle\": \"$ROOT/models/default\", \"share\": 1}" > /dev/null
  else
    curl -s -X DELETE http://127.0.0.1:18381/admin/candidate > /dev/null
  fi
}
printf '%-8s %10s %10s %10s %14s\n' shadow req/s p50 p99 "CPU/request"
for mode in off on off on; do
  candidate "$mode"
  before="$(cpu)"
  out="$(wrk -t2 -c"$CONNECTIONS" -d"$SECONDS_RUN"s --latency -s "$WORK/post.lua" http://127.0.0.1:18380/v1/chat/completions)"
  after="$(cpu)"
  rps="$(echo "$out" | awk '/Requests\/sec/ {print $2}')"
  requests="$(echo "$out" | awk '/requests in/ {print $1}')"
  p50="$(echo "$out" | awk '$1 == "50%" {print $2}')"
  p99="$(echo "$out" | awk '$1 == "99%" {print $2}')"
  us="$(awk -v d="$((after - before))" -v t="$TICKS" -v n="$requests" 'BEGIN {printf "%.0f us", d / t / n * 1e6}')"
  printf '%-8s %10s %10s %10s %14s\n' "$mode" "$rps" "$p50" "$p99" "$us"
done
decided="$(curl -s http://127.0.0.1:18381/admin/candidate | grep -o '"decisions":[0-9]*' | head -1)"
echo "the last candidate: $decided"
