#!/usr/bin/env bash
# Leave-one-set-out: for each outcome set, trains a bundle on the other outcome sets (and the intent sets),
# leaving out every question that also occurs in the held-out set, then evaluates it on all of the held-out
# set with the pair and prices of evalsets/bench/run.sh. Prints one row a set and the mean: how the router
# does on traffic unlike anything it was trained on.
# Usage: evalsets/bench/loso.sh [EVALSETS_DIR] [OUT_DIR]   (defaults: ../shared/evalsets, /tmp/llm-router-loso)
# Extra arguments for every train go in $TRAIN_ARGS (e.g. TRAIN_ARGS="--difficulty tiers"); LOSO_SETS="a b" runs
# those held-out sets only.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA="${1:-$ROOT/../shared/evalsets}"
OUT="${2:-/tmp/llm-router-loso}"
[ -d "$DATA" ] || { echo "no evalsets at $DATA: pass their folder as the first argument" >&2; exit 2; }
ALL=(routellm-mmlu routellm-gsm8k mmlu-pro routerbench-subset llmrouter)
# shellcheck disable=SC2206
SETS=(${LOSO_SETS:-${ALL[*]}})
pair() { # docs/results.md's model pair (and prices) of a set
  case "$1" in
    routellm-*) echo "--cheap mixtral-8x7b-instruct --strong gpt-4-1106-preview" ;;
    mmlu-pro) echo "--cheap Mixtral-8x7B-Instruct-v0.1 --strong gpt-4o-2024-05-13 --price Mixtral-8x7B-Instruct-v0.1=0.6,0.6 --price gpt-4o-2024-05-13=5,15" ;;
    routerbench-subset) echo "--cheap mistralai/mixtral-8x7b-chat --strong gpt-4-1106-preview" ;;
    llmrouter) echo "--cheap mistral-7b-instruct-v0.3 --strong llama-3.1-nemotron-51b-instruct --prices $DATA/llmrouter-prices.json" ;;
  esac
}
mkdir -p "$OUT"
for held in "${SETS[@]}"; do
  train=("$DATA/routellm-mtbench.jsonl")
  for s in "${ALL[@]}"; do [ "$s" = "$held" ] || train+=("$DATA/$s.jsonl"); done
  rm -rf "$OUT/$held-bundle"
  "$ROOT/llm-router" train --seed 42 --out "$OUT/$held-bundle" --data "${train[@]}" \
    --exclude "$DATA/$held.jsonl" --intent-data "$DATA/arena-hard-v2-intents.jsonl" \
    --easy-data "$DATA/clinc150-intents.jsonl" "$DATA/banking77-intents.jsonl" ${TRAIN_ARGS:-} > "$OUT/$held-train.log"
  # shellcheck disable=SC2046
  "$ROOT/llm-router" eval --data "$DATA/$held.jsonl" $(pair "$held") --classifier "$OUT/$held-bundle" \
    --out "$OUT/$held" ${EVAL_ARGS:-} > "$OUT/$held-eval.log"
  echo "$held done" >&2
done
python3 - "$OUT" "${SETS[@]}" <<'PY'
import json, sys, os
out, sets = sys.argv[1], sys.argv[2:]
print("| held-out set | records | router APGR | its 95% interval | random | length | kNN (in-set) | AUC |")
print("|---|---|---|---|---|---|---|---|")
rows = []
for name in sets:
    r = json.load(open(os.path.join(out, name, "report.json"))); R = r["routers"]
    rows.append((R["router"]["apgr"], R["random"]["apgr"], R["length"]["apgr"]))
    low, high = R["router"].get("apgr_interval") or (float("nan"), float("nan"))
    print(f"| {name} | {r['meta']['records']} | {R['router']['apgr']:.3f} | {low:.3f}-{high:.3f} | {R['random']['apgr']:.3f}"
          f" | {R['length']['apgr']:.3f} | {R['knn']['apgr']:.3f} | {R['router']['auc'] or float('nan'):.3f} |")
mean = lambda i: sum(x[i] for x in rows) / len(rows)
print(f"| mean | | {mean(0):.3f} | | {mean(1):.3f} | {mean(2):.3f} | | |")
print(f"| worst | | {min(x[0] for x in rows):.3f} | | | | | |")
PY
