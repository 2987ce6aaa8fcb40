#!/usr/bin/env bash
# End-to-end demo on real data with a real local model: sets up .venv (first
# run: several minutes, it builds llama.cpp and installs the model weights),
# then runs UNSW-NB15 flows and phishing email through prep, infer, score,
# compare and report, with Qwen2.5-Coder-0.5B (llama.cpp) next to the classical
# baselines. A re-run reuses every artifact in the store and calls no model.
#
# Data: the dataset copies in $CYBENCH_DATA, else ../shared/data beside the
# repository. Override the model with CYBENCH_DEMO_MODEL=provider:name and the
# prompt counts with UNSW_PER_CLASS and EMAIL_PER_CLASS.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

CYBENCH=${CYBENCH:-.venv/bin/cybench}
MODEL=${CYBENCH_DEMO_MODEL:-llamacpp:qwen2.5-coder-0.5b}
UNSW_PER_CLASS=${UNSW_PER_CLASS:-2}
EMAIL_PER_CLASS=${EMAIL_PER_CLASS:-10}
MODELS=("$MODEL" baseline:random-forest baseline:logistic-regression baseline:majority)
mkdir -p store/reports

run_dataset() {
    local dataset=$1 per_class=$2 prompts runs=()
    echo "== $dataset: fetch and prep" >&2
    "$CYBENCH" fetch "$dataset" >/dev/null
    prompts=$("$CYBENCH" prep "$dataset" --per-class "$per_class" | tail -n 1)

    for model in "${MODELS[@]}"; do
        echo "== $dataset: infer $model" >&2
        runs+=("$("$CYBENCH" infer --model "$model" --prep "$prompts" | tail -n 1)")
    done

    echo "== $dataset: score and compare" >&2
    "$CYBENCH" score "${runs[@]}" >/dev/null
    "$CYBENCH" compare "${runs[@]}"
    "$CYBENCH" report "${runs[@]}" --html -o "store/reports/$dataset.html"
    "$CYBENCH" report "${runs[@]}" --md -o "store/reports/$dataset.md"
}

run_dataset unsw "$UNSW_PER_CLASS"
run_dataset phishing-email "$EMAIL_PER_CLASS"

echo "reports: store/reports/unsw.html store/reports/phishing-email.html" >&2
