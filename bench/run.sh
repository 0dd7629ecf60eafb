#!/usr/bin/env bash
# Runs the JMH benchmarks of the decision path and prints JMH's table (p50/p99 in microseconds).
# Usage: bench/run.sh [JMH options, e.g. -p classifier=onnx]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export JAVA_HOME OPT_OUT_TRACKING=true
(cd "$ROOT" && mvn -q -B -Dstyle.color=never -DskipTests -Dspotless.check.skip=true package -pl bench -am >&2)
exec "$JAVA_HOME/bin/java" -Dllmrouter.home="$ROOT" -Dai.djl.offline=true --enable-native-access=ALL-UNNAMED \
  -cp "$ROOT/bench/target/bench-0.1.0-SNAPSHOT.jar:$ROOT/bench/target/lib/*" org.openjdk.jmh.Main \
  -jvmArgsAppend "-Dllmrouter.home=$ROOT" "$@"
