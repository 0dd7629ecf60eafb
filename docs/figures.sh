#!/usr/bin/env bash
# Reruns the figures of docs/results.md that take minutes (the test-side APGR table and the Arena-Hard intent
# confusion table, which README.md shows too) and checks that the documents state them as they come out now:
# every row of the regenerated tables must appear there verbatim (the replay-time column aside, which is the
# machine's).
# Exit 0 when they all do; else the stale rows, each with what it is now, and exit 1.
# Usage: docs/figures.sh [EVALSETS_DIR]   (default ../shared/evalsets; about 2 minutes on 2 cores)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
E="${1:-$ROOT/../shared/evalsets}"
[ -d "$E" ] || { echo "no evalsets at $E: pass their folder as the first argument" >&2; exit 2; }
DOC="$ROOT/docs/results.md"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
stale=0
check() { # check NAME [FILE]: every line of $WORK/NAME must occur in FILE (default docs/results.md)
  local line doc="${2:-$DOC}"
  while IFS= read -r line; do
    if ! grep -qF -- "$line" "$doc"; then
      echo "stale ($1): ${doc#"$ROOT"/} lacks the row, as it comes out now:"
      echo "  $line"
      stale=1
    fi
  done < "$WORK/$1"
}
EVAL_ARGS="--split test" "$ROOT/evalsets/bench/run.sh" "$E" "$WORK/bench" 2>/dev/null \
  | grep '^| [a-z]' | grep -v '^| set ' | sed -E 's/ [0-9,]+ decisions, [0-9.]+ s \|$//' > "$WORK/test-sides"
"$ROOT/llm-router" intents --split test --data "$E/arena-hard-v2-intents.jsonl" 2>/dev/null \
  | awk '/^\| label/ {on=1} on && !/^\|/ {exit} on' > "$WORK/arena-intents"
for name in test-sides arena-intents; do
  [ -s "$WORK/$name" ] || { echo "the $name table came out empty: see the command's output" >&2; exit 2; }
  check "$name"
done
check arena-intents "$ROOT/README.md"
[ "$stale" = 0 ] && echo "docs/results.md (and README.md) state the test-side and Arena-Hard intent tables as they come out at $(git -C "$ROOT" rev-parse --short HEAD)"
exit "$stale"
