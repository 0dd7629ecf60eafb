#!/usr/bin/env bash
# Time from launch to ready of `./llm-router serve` with the shipped config (simulated providers, the learned
# classifier), as a newcomer starts it: the launcher is run, /health on the management socket is polled every
# 10 ms until it says ready, and the resident set is read then. Each mode (with the launcher's startup cache,
# and without it: LLM_ROUTER_STARTUP_CACHE=off) is started once unmeasured (which records the cache after a
# build), then the modes alternate for RUNS rounds. Prints every run and each mode's median (reports, never
# asserts).
# Usage: bench/startup.sh [RUNS]   (default 5)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-5}"
PORT=18290; MANAGEMENT=18291
command -v curl >/dev/null || { echo "bench/startup.sh needs curl: apt-get install curl" >&2; exit 2; }
"$ROOT/llm-router" --version >/dev/null

start_once() { # start_once on|off: prints "MILLISECONDS RSS_KB"
  local began pid ready rss
  began=$(date +%s%N)
  LLM_ROUTER_STARTUP_CACHE=$1 "$ROOT/llm-router" serve --port $PORT --management-port $MANAGEMENT >/dev/null 2>&1 &
  pid=$!
  until curl -s -m 1 "http://127.0.0.1:$MANAGEMENT/health" 2>/dev/null | grep -q '"ready":true'; do
    kill -0 $pid 2>/dev/null || { echo "bench/startup.sh: the router exited before it was ready" >&2; exit 1; }
    sleep 0.01
  done
  ready=$(date +%s%N)
  rss=$(ps -o rss= -p $pid | tr -d ' ')
  kill $pid; wait $pid 2>/dev/null || true
  echo "$(( (ready - began) / 1000000 )) $rss"
}

declare -A TIMES=([on]="" [off]="")
start_once on >/dev/null; start_once off >/dev/null
for ((i = 1; i <= RUNS; i++)); do
  for mode in on off; do
    read -r ms rss < <(start_once $mode)
    TIMES[$mode]+="$ms "
    printf 'round %d  startup cache %-3s  ready after %5d ms  resident %4d MB\n' $i $mode "$ms" $((rss / 1024))
  done
done
for mode in on off; do
  printf 'startup cache %-3s  median %d ms over %d runs\n' $mode \
    "$(tr ' ' '\n' <<< "${TIMES[$mode]}" | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" "$RUNS"
done
