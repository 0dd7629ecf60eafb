#!/usr/bin/env bash
# Builds the shipped classifier bundle models/default from the labelled sets (default ../shared/evalsets).
# Difficulty (tiers of model names from config/tiers.yaml) is learned from the RouteLLM sets and RouterBench;
# the answer gates (one an intent) from the answer texts of RouteLLM's GSM8K and RouterBench; the intent model
# also learns from the intent and other outcome sets. Only the train side of the leak-free split (seed 42,
# 25% held out) is trained on.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
E="${1:-$ROOT/../shared/evalsets}"
[ -d "$E" ] || { echo "no evalsets at $E: pass their folder as the first argument" >&2; exit 2; }
rm -rf "$ROOT/models/default"
"$ROOT/llm-router" train --seed 42 --out "$ROOT/models/default" \
  --data "$E/routellm-mmlu.jsonl" "$E/routellm-gsm8k.jsonl" "$E/routellm-mtbench.jsonl" "$E/routerbench-subset.jsonl" \
  --intent-data "$E/mmlu-pro.jsonl" "$E/llmrouter.jsonl" \
  "$E/clinc150-intents.jsonl" "$E/banking77-intents.jsonl" "$E/arena-hard-v2-intents.jsonl"
