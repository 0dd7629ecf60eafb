#!/usr/bin/env bash
# Distils the static encoder's table (the words+static features) from the transformer's jar into the router
# module's resources: every word piece of MiniLM's vocabulary through MiniLM once, then the vectors' leading
# principal axes, a byte a value; and the vocabulary of its rows, a piece a line. Half a minute; StaticEncoderTest
# checks the shipped table and vocabulary against the transformer's.
# Usage: models/static-table.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export JAVA_HOME OPT_OUT_TRACKING=true
(cd "$ROOT" && mvn -q -B -DskipTests -Dspotless.check.skip=true package -pl cli -am >&2)
exec "$JAVA_HOME/bin/java" -Dai.djl.offline=true --enable-native-access=ALL-UNNAMED \
  -cp "$ROOT/cli/target/llm-router.jar:$ROOT/cli/target/lib/*" dev.llmrouter.classify.onnx.StaticEncoder \
  "$ROOT/router/src/main/resources"
