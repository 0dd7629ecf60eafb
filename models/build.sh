#!/usr/bin/env bash
# Builds the shipped classifier bundle models/default from the labelled sets (default ../shared/evalsets).
# Difficulty (tier 2 = mixtral-8x7b-instruct, tier 3 = gpt-4-1106-preview, see config/tiers.yaml) is learned
# from the RouteLLM sets; the intent model also learns from the intent and other outcome sets. Only the train
# side of the leak-free split (seed 42, 25% held out) is trained on.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
E="${1:-$ROOT/../shared/evalsets}"
[ -d "$E" ] || { echo "no evalsets at $E: pass their folder as the first argument" >&2; exit 2; }
rm -rf "$ROOT/models/default"
"$ROOT/llm-router" train --seed 42 --out "$ROOT/models/default" \
  --data "$E/routellm-mmlu.jsonl" "$E/routellm-gsm8k.jsonl" "$E/routellm-mtbench.jsonl" \
  --intent-data "$E/mmlu-pro.jsonl" "$E/routerbench-subset.jsonl" "$E/llmrouter.jsonl" \
  "$E/clinc150-intents.jsonl" "$E/banking77-intents.jsonl" "$E/arena-hard-v2-intents.jsonl"
