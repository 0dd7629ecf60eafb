#!/usr/bin/env bash
# The router's own HTTP/1.1 client (Http1Client) against OkHttp 5.5.1, Apache HttpClient 5.6.5 (classic),
# Helidon's WebClient 4.5.0 and the JDK's HttpClient, each calling the simulated upstream
# (./llm-router simulate-upstream) with the same chat-completions POST over kept-alive connections
# (HttpClientBenchmark): one caller (JMH sample mode: p50/p99 per call) and 32 callers sharing one client
# (throughput, calls per millisecond); 3 x 2 s of warm-up, 5 x 2 s measured. Then through the router: the
# router in front of the same upstream with each of http1, okhttp and apache as its HTTP engine
# (-Dllmrouter.http.engine, the bench jar on the class path), alternating over ROUNDS rounds (default 2), each
# warmed up WARMUP seconds (default 20), then wrk at 32 connections for 15 s (requests/s, the router's CPU a
# request) and one connection for 10 s (p50). Reports, never asserts.
# Usage: bench/http-clients.sh [more JMH options, e.g. -p client=http1,okhttp]   (ROUTER_ONLY=1 skips JMH)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/bench/router-config.sh"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export JAVA_HOME
UP=19290
(cd "$ROOT" && mvn -q -B -Dstyle.color=never -DskipTests -Dspotless.check.skip=true package -pl bench -am >&2)
"$ROOT/llm-router" simulate-upstream --port $UP >/dev/null 2>&1 &
UPSTREAM=$!
trap 'kill $UPSTREAM 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -s -o /dev/null "http://127.0.0.1:$UP/" && break; sleep 0.5; done
jmh() {
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
    -cp "$ROOT/bench/target/bench-0.1.0-SNAPSHOT.jar:$ROOT/bench/target/lib/*" org.openjdk.jmh.Main HttpClientBenchmark \
    -p url="http://127.0.0.1:$UP/v1/chat/completions" -wi 3 -w 2 -i 5 -r 2 "$@"
}
if [ -z "${ROUTER_ONLY:-}" ]; then
  echo "== one caller: milliseconds a call"
  jmh -t 1 -bm sample -tu ms "$@" | grep -E "^Benchmark|call:p0.50|call:p0.99"
  echo "== 32 callers sharing one client: calls a millisecond"
  jmh -t 32 -bm thrpt -tu ms "$@" | grep -E "^Benchmark|call +"
fi

command -v wrk >/dev/null || { echo "the router part needs wrk: apt-get install wrk" >&2; exit 2; }
"$ROOT/llm-router" --version >/dev/null  # builds the command line's jar
WORK="$(mktemp -d)"
trap 'kill $UPSTREAM ${ROUTER:-} 2>/dev/null || true; rm -rf "$WORK"' EXIT
router_config "$ROOT" "$WORK" $UP 18690 18691
cat > "$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model": "router", "messages": [{"role": "user", "content": "What is the capital of France?"}], "max_tokens": 64}'
LUA
URL=http://127.0.0.1:18690/v1/chat/completions
echo "== through the router (32 connections: requests/s and CPU a request; one connection: p50)"
for round in $(seq 1 "${ROUNDS:-2}"); do
  for engine in http1 okhttp apache; do
    OPT_OUT_TRACKING=true OPENAI_API_KEY=x ANTHROPIC_API_KEY=x GEMINI_API_KEY=x MISTRAL_API_KEY=x TOGETHER_API_KEY=x \
      "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
      -XX:+UseSerialGC -Xmn64m -Xms96m -Dai.djl.offline=true -Dllmrouter.home="$ROOT" -Dllmrouter.http.engine=$engine \
      -cp "$ROOT/cli/target/llm-router.jar:$ROOT/cli/target/lib/*:$ROOT/bench/target/bench-0.1.0-SNAPSHOT.jar:$ROOT/bench/target/lib/*" \
      dev.llmrouter.cli.Main serve --config "$WORK/server.yaml" >"$WORK/router.log" 2>&1 &
    ROUTER=$!
    for _ in $(seq 1 240); do curl -sf -o /dev/null http://127.0.0.1:18691/health && break; sleep 0.5; done
    curl -sf -o /dev/null "$URL" -H 'Content-Type: application/json' \
      -d '{"model": "router", "messages": [{"role": "user", "content": "hi"}]}' \
      || { echo "$engine: the router does not answer; its log:" >&2; cat "$WORK/router.log" >&2; exit 1; }
    wrk -t2 -c32 -d"${WARMUP:-20}s" -s "$WORK/post.lua" "$URL" >/dev/null
    before=$(awk '{print $14 + $15}' "/proc/$ROUTER/stat")
    out=$(wrk -t2 -c32 -d15s -s "$WORK/post.lua" "$URL")
    rps=$(echo "$out" | awk '/Requests\/sec/ {printf "%d", $2}')
    per=$(python3 -c "print(round(($(awk '{print $14 + $15}' "/proc/$ROUTER/stat") - $before) * 1e6 / $(getconf CLK_TCK) / $(echo "$out" | awk '/requests in/ {print $1}')))")
    p50=$(wrk -t1 -c1 -d10s --latency -s "$WORK/post.lua" "$URL" | awk '$1 == "50%" {print $2}')
    echo "round $round, $engine: $rps requests/s, $per us CPU a request, p50 $p50 on one connection"
    kill $ROUTER; wait $ROUTER 2>/dev/null || true
  done
done
