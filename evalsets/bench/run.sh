#!/usr/bin/env bash
# Replays the real labelled sets through the router and prints docs/results.md's results table.
# Usage: evalsets/bench/run.sh [EVALSETS_DIR] [OUT_DIR]   (defaults: ../shared/evalsets, /tmp/llm-router-bench)
# Extra arguments for every run go in $EVAL_ARGS: EVAL_ARGS="--classifier heuristic" gives the heuristic
# table of docs/results.md, EVAL_ARGS="--split test" the learned one (models/default never saw the test sides).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA="${1:-$ROOT/../shared/evalsets}"
OUT="${2:-/tmp/llm-router-bench}"
[ -d "$DATA" ] || { echo "no evalsets at $DATA: pass their folder as the first argument" >&2; exit 2; }
MIXTRAL=mixtral-8x7b-instruct
GPT4=gpt-4-1106-preview
run() { # name file cheap strong [extra args]
  local name=$1 file=$2 cheap=$3 strong=$4; shift 4
  "$ROOT/llm-router" eval --data "$DATA/$file" --cheap "$cheap" --strong "$strong" --out "$OUT/$name" \
    ${EVAL_ARGS:-} "$@" > "$OUT/$name.log"
  echo "$name done" >&2
}
mkdir -p "$OUT"
run routellm-mmlu routellm-mmlu.jsonl $MIXTRAL $GPT4
run routellm-gsm8k routellm-gsm8k.jsonl $MIXTRAL $GPT4
run routellm-mtbench routellm-mtbench.jsonl $MIXTRAL $GPT4
# MMLU-Pro has no costs: list prices of the two models (Mixtral 8x7B on Together; gpt-4o at its 2024-05 launch).
run mmlu-pro mmlu-pro.jsonl Mixtral-8x7B-Instruct-v0.1 gpt-4o-2024-05-13 \
  --price Mixtral-8x7B-Instruct-v0.1=0.6,0.6 --price gpt-4o-2024-05-13=5,15
run routerbench-subset routerbench-subset.jsonl mistralai/mixtral-8x7b-chat $GPT4
run llmrouter llmrouter.jsonl mistral-7b-instruct-v0.3 llama-3.1-nemotron-51b-instruct --prices "$DATA/llmrouter-prices.json"

python3 - "$OUT" <<'PY'
import json, sys, os
out = sys.argv[1]
def f(v): return "n/a" if v is None else f"{v:.3f}"
print("| set | records | cheap → strong | router APGR | random | length | kNN | best single | oracle | router CPT(50%) | CPT(80%) | AUC | replay |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for name in ["routellm-mmlu", "routellm-gsm8k", "routellm-mtbench", "mmlu-pro", "routerbench-subset", "llmrouter"]:
    path = os.path.join(out, name, "report.json")
    if not os.path.exists(path): continue
    r = json.load(open(path)); m = r["meta"]; R = r["routers"]
    print(f"| {name} | {m['records']} | {m['cheap']} → {m['strong']} | {f(R['router']['apgr'])} | {f(R['random']['apgr'])}"
          f" | {f(R['length']['apgr'])} | {f(R['knn']['apgr'])} | {f(R.get('best_single', {}).get('apgr'))} | {f(R['oracle']['apgr'])} | {f(R['router']['cpt']['50'])} | {f(R['router']['cpt']['80'])}"
          f" | {f(R['router']['auc'])} | {m['routes']:,} decisions, {m['replay_seconds']:.1f} s |")
PY
