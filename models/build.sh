#!/usr/bin/env bash
# Builds the shipped classifier bundle models/default from the labelled sets (default ../shared/evalsets).
# Difficulty is one item-response model learned from every outcome set's models at once (a prompt's ease,
# each model's ability; the tier of each model from config/tiers.yaml), plus the intent sets' assistant and
# banking requests as requests every model serves (--easy-data; the assumption is stated in the model card).
# The answer gates (one an intent) learn from the answer texts of RouteLLM's GSM8K and RouterBench; the intent
# model from every set. Only the train side of the leak-free split (seed 42, 25% held out) is trained on.
# Usage: models/build.sh [EVALSETS_DIR] [OUT_DIR] [more train options, e.g. --difficulty tiers]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
E="${1:-$ROOT/../shared/evalsets}"
OUT="${2:-$ROOT/models/default}"
[ -d "$E" ] || { echo "no evalsets at $E: pass their folder as the first argument" >&2; exit 2; }
rm -rf "$OUT"
"$ROOT/llm-router" train --seed 42 --out "$OUT" "${@:3}" \
  --data "$E/routellm-mmlu.jsonl" "$E/routellm-gsm8k.jsonl" "$E/routellm-mtbench.jsonl" "$E/routerbench-subset.jsonl" \
  "$E/mmlu-pro.jsonl" "$E/llmrouter.jsonl" \
  --intent-data "$E/arena-hard-v2-intents.jsonl" \
  --easy-data "$E/clinc150-intents.jsonl" "$E/banking77-intents.jsonl"
