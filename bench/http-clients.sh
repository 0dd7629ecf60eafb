#!/usr/bin/env bash
# The router's own HTTP/1.1 client (Http1Client) against OkHttp 5.5.1, Apache HttpClient 5.6.5 (classic),
# Helidon's WebClient 4.5.0 and the JDK's HttpClient, each calling the simulated upstream
# (./llm-router simulate-upstream) with the same chat-completions POST over kept-alive connections
# (HttpClientBenchmark): one caller (JMH sample mode: p50/p99 per call) and 32 callers sharing one client
# (throughput, calls per millisecond); 3 x 2 s of warm-up, 5 x 2 s measured. Reports, never asserts.
# Usage: bench/http-clients.sh [more JMH options, e.g. -p client=http1,okhttp]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
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
echo "== one caller: milliseconds a call"
jmh -t 1 -bm sample -tu ms "$@" | grep -E "^Benchmark|call:p0.50|call:p0.99"
echo "== 32 callers sharing one client: calls a millisecond"
jmh -t 32 -bm thrpt -tu ms "$@" | grep -E "^Benchmark|call +"
