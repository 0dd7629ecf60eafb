#!/usr/bin/env bash
# The router against the gateway users would pick instead, on the same simulated upstream (reports, never
# asserts): Portkey's open-source gateway (@portkey-ai/gateway 1.15.2 from npm) and this router (learned
# classifier, shipped policy, every provider pointed at the upstream), each warmed up, then measured in
# alternating rounds. For each: requests/s at CONNECTIONS connections and CPU time per request (from /proc),
# p50/p99 added over the upstream on one connection, resident memory after the load, and the time to the
# first streamed byte (median of 30 streaming requests, added over the upstream's own).
# Usage: bench/peers.sh [SECONDS] [CONNECTIONS]   (WARMUP=N seconds of load first, default 30; ROUNDS=2)
# Portkey 1.15.2 streams only with @hono/node-server 1.13.8: 1.14 and later (what npm resolves today) answer
# every stream with 500 "TypeError: immutable", so the install pins it with an npm override.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/bench/router-config.sh"
SECONDS_RUN="${1:-15}"
CONNECTIONS="${2:-32}"
WARMUP="${WARMUP:-30}"
ROUNDS="${ROUNDS:-2}"
for tool in wrk npm node curl; do
  command -v $tool >/dev/null || { echo "bench/peers.sh needs $tool: apt-get install wrk nodejs npm curl" >&2; exit 2; }
done
UP=19190; ROUTER=18190; MANAGEMENT=18191; PORTKEY=18787
PORTKEY_DIR="$ROOT/bench/target/peers/portkey"
WORK="$(mktemp -d)"
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

if [ ! -x "$PORTKEY_DIR/node_modules/.bin/patch-package" ] || [ ! -f "$PORTKEY_DIR/node_modules/@portkey-ai/gateway/build/start-server.js" ]; then
  echo "== installing @portkey-ai/gateway 1.15.2 into $PORTKEY_DIR"
  mkdir -p "$PORTKEY_DIR"
  cat > "$PORTKEY_DIR/package.json" <<'JSON'
{"name": "peers", "private": true, "dependencies": {"@portkey-ai/gateway": "1.15.2"},
 "overrides": {"@hono/node-server": "1.13.8"}}
JSON
  (cd "$PORTKEY_DIR" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi

body() { # body STREAM: the request both get
  printf '{"model": "%s", "stream": %s, "messages": [{"role": "user", "content": "What is the capital of France?"}], "max_tokens": 64}' "$2" "$1"
}
body false router > "$WORK/router.json"; body true router > "$WORK/router-stream.json"
body false gpt-4o-mini > "$WORK/portkey.json"; body true gpt-4o-mini > "$WORK/portkey-stream.json"
cp "$WORK/portkey.json" "$WORK/upstream.json"; cp "$WORK/portkey-stream.json" "$WORK/upstream-stream.json"
for name in router portkey upstream; do
  {
    echo 'wrk.method = "POST"'
    echo 'wrk.headers["Content-Type"] = "application/json"'
    echo 'wrk.headers["Authorization"] = "Bearer bench"'
    if [ $name = portkey ]; then
      echo 'wrk.headers["x-portkey-provider"] = "openai"'
      echo "wrk.headers[\"x-portkey-custom-host\"] = \"http://127.0.0.1:$UP/v1\""
    fi
    echo "wrk.body = io.open(\"$WORK/$name.json\"):read(\"*a\")"
  } > "$WORK/$name.lua"
done
declare -A URL=([router]="http://127.0.0.1:$ROUTER/v1/chat/completions"
  [portkey]="http://127.0.0.1:$PORTKEY/v1/chat/completions" [upstream]="http://127.0.0.1:$UP/v1/chat/completions")

"$ROOT/llm-router" --version >/dev/null
"$ROOT/llm-router" simulate-upstream --port $UP 2>"$WORK/upstream.log" & PIDS+=($!)
router_config "$ROOT" "$WORK" $UP $ROUTER $MANAGEMENT
OPENAI_API_KEY=x ANTHROPIC_API_KEY=x GEMINI_API_KEY=x MISTRAL_API_KEY=x TOGETHER_API_KEY=x \
  "$ROOT/llm-router" serve --config "$WORK/server.yaml" 2>"$WORK/router.log" & PIDS+=($!)
(cd "$PORTKEY_DIR" && exec node node_modules/@portkey-ai/gateway/build/start-server.js --port=$PORTKEY --headless \
  >"$WORK/portkey.log" 2>&1) & PIDS+=($!)
for _ in $(seq 1 240); do
  curl -sf -o /dev/null "http://127.0.0.1:$MANAGEMENT/health" && curl -s -o /dev/null "http://127.0.0.1:$PORTKEY/" \
    && curl -s -o /dev/null "http://127.0.0.1:$UP/" && break
  sleep 0.5
done
pid_of() { # the process serving NAME
  case $1 in
    router) pgrep -f "llm-router.jar serve --config $WORK/server.yaml" | head -1 ;;
    portkey) pgrep -f "start-server.js --port=$PORTKEY" | head -1 ;;
  esac
}
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
load() { wrk -t2 -c"$CONNECTIONS" -d"$2" --latency -s "$WORK/$1.lua" "${URL[$1]}"; }
p() { # p NAME PERCENTILE: one connection, milliseconds
  wrk -t1 -c1 -d"${SECONDS_RUN}s" --latency -s "$WORK/$1.lua" "${URL[$1]}" \
    | awk -v q="$2%" '$1 == q {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}'
}
first_byte() { # median seconds to the first streamed byte of 30 requests, in ms
  local name=$1 headers=() i
  [ "$name" = portkey ] && headers=(-H "x-portkey-provider: openai" -H "x-portkey-custom-host: http://127.0.0.1:$UP/v1")
  for i in $(seq 1 30); do
    curl -s -o /dev/null -w '%{time_starttransfer}\n' "${URL[$name]}" -H 'Content-Type: application/json' \
      -H 'Authorization: Bearer bench' "${headers[@]}" --data-binary @"$WORK/$name-stream.json"
  done | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)] * 1000}'
}
streams_ok() { # the stream ends with [DONE] and carries text
  local name=$1 headers=()
  [ "$name" = portkey ] && headers=(-H "x-portkey-provider: openai" -H "x-portkey-custom-host: http://127.0.0.1:$UP/v1")
  curl -sN "${URL[$name]}" -H 'Content-Type: application/json' -H 'Authorization: Bearer bench' "${headers[@]}" \
    --data-binary @"$WORK/$name-stream.json" | grep -q 'data: \[DONE\]'
}
for name in router portkey; do
  streams_ok $name || { echo "$name does not stream: see $WORK/$name.log" >&2; cat "$WORK/$name.log" >&2; exit 1; }
done

echo "== warm-up: ${WARMUP}s of load on the upstream, the router and Portkey"
for name in upstream router portkey; do load $name "${WARMUP}s" >/dev/null; done
up50=$(p upstream 50); up99=$(p upstream 99); upfirst=$(first_byte upstream)
echo "== the upstream directly, one connection: p50 $up50 ms, p99 $up99 ms; first streamed byte $upfirst ms"
echo
echo "| gateway, round | requests/s ($CONNECTIONS connections) | CPU per request | added p50 / p99 (1 connection) | resident after load | first streamed byte, added |"
echo "|---|---|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
  for name in router portkey; do
    pid=$(pid_of $name); before=$(cpu "$pid")
    out=$(load $name "${SECONDS_RUN}s")
    rps=$(echo "$out" | awk '/Requests\/sec/ {printf "%d", $2}')
    requests=$(echo "$out" | awk '/requests in/ {print $1}')
    per=$(python3 -c "print(round(($(cpu "$pid") - $before) * 1e6 / $(getconf CLK_TCK) / $requests))")
    rss=$(( $(ps -o rss= -p "$pid") / 1024 ))
    p50=$(p $name 50); p99=$(p $name 99); fb=$(first_byte $name)
    printf '| %s, %d | %s | %s µs | %.2f / %.2f ms | %d MB | %.2f ms |\n' "$name" "$round" "$rps" "$per" \
      "$(echo "$p50 - $up50" | bc -l)" "$(echo "$p99 - $up99" | bc -l)" "$rss" "$(echo "$fb - $upfirst" | bc -l)"
  done
done
