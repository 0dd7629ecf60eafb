#!/usr/bin/env bash
# The HTTP overhead of the router, measured with wrk on loopback (reports, never asserts):
#  1. the simulated upstream called directly (./llm-router simulate-upstream),
#  2. the router in front of that same upstream over HTTP (providers: real, a catalog whose providers all
#     point at it), the learned classifier and the shipped policy,
#  3. the router with the in-process simulated provider (no HTTP hop behind it).
# Every answer is complete; a request still makes two upstream calls where the answer gate escalates it (each
# measure prints the trace log's model calls a request).
# Prints wrk's latency distribution and requests/second for each. Usage: bench/wrk.sh [SECONDS] [CONNECTIONS]
# WARMUP=N: seconds of load each server gets before it is measured (default 30).
# BEFORE=REF: also builds git REF (e.g. BEFORE=HEAD~3) in a scratch worktree and measures its router the same
# way in the same run, alternating with this tree's (before, after, before, after: a machine that slows down
# over the run favours neither), so a change's cost is read off one run on one machine. Besides wrk's figures,
# each router's CPU time per request (user + system, from /proc) is printed: the steadiest of them on a
# shared machine.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_RUN="${1:-20}"
CONNECTIONS="${2:-32}"
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 2; }
WORK="$(mktemp -d)"
UP=19090
PIDS=()
cleanup() {
  kill "${PIDS[@]}" 2>/dev/null || true
  if [ -d "$WORK/before" ]; then git -C "$ROOT" worktree remove --force "$WORK/before" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
cat > "$WORK/body.json" <<'JSON'
{"model": "router", "messages": [{"role": "user", "content": "What is the capital of France?"}], "max_tokens": 64}
JSON
cat > "$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench"
wrk.body = io.open("$WORK/body.json"):read("*a")
LUA

# config NAME HOME API_PORT MANAGEMENT_PORT PROVIDERS: a server config; a build without a management socket
# (before issue 10) is given none, and serves health on its API port
config() {
  local name=$1 home=$2 port=$3 management=$4 providers=$5 server catalog simulated=""
  if grep -q "management:" "$home/config/server.yaml"; then
    server="{host: 127.0.0.1, port: $port, management: {port: $management}}"
  else
    server="{host: 127.0.0.1, port: $port}"
  fi
  if [ "$providers" = real ]; then
    # each build's own catalog (its fields may differ), every provider pointed at the simulated upstream
    catalog="$WORK/catalog-$name.yaml"
    sed -E -e "s#base_url: .*#base_url: http://127.0.0.1:$UP/v1#" -e "s#kind: anthropic#kind: openai#" \
      "$home/config/catalog.yaml" > "$catalog"
  else
    catalog="$home/config/catalog.yaml"
    simulated="  simulated: {latency_ms: 0, error_rate: 0, quality: {1: 1, 2: 1, 3: 1}}"
  fi
  cat > "$WORK/$name.yaml" <<YAML
server: $server
router:
  catalog: $catalog
  policy: $home/config/policy.yaml
  classifier: models/default
  providers: $providers
  trace: {dir: "$WORK/traces-$name", prompts: hash}
$simulated
YAML
}

# cpu PID: the process's user + system time so far, in clock ticks
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# start HOME NAME API_PORT MANAGEMENT_PORT PROVIDERS: starts a router and waits until it is ready
start() {
  local home=$1 name=$2 port=$3 management=$4 providers=$5 health
  config "$name" "$home" "$port" "$management" "$providers"
  OPENAI_API_KEY=x ANTHROPIC_API_KEY=x GEMINI_API_KEY=x MISTRAL_API_KEY=x TOGETHER_API_KEY=x \
    "$home/llm-router" serve --config "$WORK/$name.yaml" 2>"$WORK/$name.log" & PIDS+=($!)
  health=$port
  grep -q "management:" "$home/config/server.yaml" && health=$management
  for _ in $(seq 1 240); do curl -sf -o /dev/null "http://127.0.0.1:$health/health" && return; sleep 0.5; done
  echo "$name did not become ready; its log:" >&2; cat "$WORK/$name.log" >&2; exit 1
}

WARMUP="${WARMUP:-30}"
load() { wrk -t2 -c"$CONNECTIONS" -d"$1" "${@:3}" -s "$WORK/post.lua" "http://127.0.0.1:$2/v1/chat/completions"; }
one() { wrk -t1 -c1 -d"${SECONDS_RUN}s" --latency -s "$WORK/post.lua" "http://127.0.0.1:$1/v1/chat/completions" | grep -E "50%|99%|Requests/sec"; }

# calls DIR: the mean number of model calls (attempts) a request made, from the trace log in DIR
calls() {
  cat "$1"/*.jsonl 2>/dev/null | awk '/"type":"trace"/ {n++; c += gsub(/"role":"/, "")} END {if (n) printf "%.2f\n", c / n; else print "no traces"}'
}

# measure ID LABEL HOME PORT_BASE: both routers of one build, warmed up, then measured
measure() {
  local id=$1 label=$2 home=$3 base=$4
  start "$home" "$id-http" "$base" $((base + 100)) real
  start "$home" "$id-inproc" $((base + 1)) $((base + 101)) simulated
  # the JIT needs about half a minute of load before a server reaches its steady speed (measured: 1,000,
  # 2,000, 2,700, then 3,200 requests a second over successive 10 s runs through the router)
  echo "== $label: warm-up (${WARMUP}s each)"
  load "${WARMUP}s" "$base" >/dev/null
  load "${WARMUP}s" $((base + 1)) >/dev/null
  echo "== $label: through the router (${SECONDS_RUN}s, $CONNECTIONS connections)"
  local router=${PIDS[-2]} before out
  before=$(cpu "$router")
  out=$(load "${SECONDS_RUN}s" "$base" --latency)
  echo "$out"
  echo "router CPU per request: $(python3 -c "print(round(($(cpu "$router") - $before) * 1e6 / $(getconf CLK_TCK) / $(echo "$out" | awk '/requests in/ {print $1}')))") us"
  # a request whose answer the gate rejects escalates and calls a second model: requests/s then fall by half
  echo "model calls a request (its trace log): $(calls "$WORK/traces-$id-http")"
  echo "== $label: one connection at a time (added latency without queueing): through the router, in-process"
  one "$base"
  one $((base + 1))
  echo "== $label: the router with the in-process simulated provider (${SECONDS_RUN}s, $CONNECTIONS connections)"
  load "${SECONDS_RUN}s" $((base + 1)) --latency
  kill "${PIDS[@]:1}" 2>/dev/null || true
  PIDS=("${PIDS[0]}")
  sleep 1
}

"$ROOT/llm-router" --version >/dev/null  # builds once before the servers start
if [ -n "${BEFORE:-}" ]; then
  git -C "$ROOT" worktree add --detach "$WORK/before" "$BEFORE" >/dev/null
  echo "== building $BEFORE ($(git -C "$ROOT" rev-parse --short "$BEFORE")) in a scratch worktree"
  "$WORK/before/llm-router" --version >/dev/null
fi
"$ROOT/llm-router" simulate-upstream --port $UP 2>"$WORK/upstream.log" & PIDS+=($!)
for _ in $(seq 1 120); do curl -s -o /dev/null "http://127.0.0.1:$UP/" && break; sleep 0.5; done
echo "== upstream directly: warm-up (${WARMUP}s), then ${SECONDS_RUN}s with $CONNECTIONS connections, then one at a time"
load "${WARMUP}s" $UP >/dev/null
load "${SECONDS_RUN}s" $UP --latency
one $UP
if [ -n "${BEFORE:-}" ]; then
  for round in 1 2; do
    measure before "before ($BEFORE), round $round" "$WORK/before" 18280
    measure after "this tree, round $round" "$ROOT" 18080
  done
else
  measure after "this tree" "$ROOT" 18080
fi
