#!/usr/bin/env bash
# Zero-shot against few-shot prompting of one local model on UNSW-NB15 flows,
# next to the classical baselines: prep, infer, score, compare, report.
#
# Both prompt sets cover the same test samples (same split, seed and sample
# size), so every run is compared on the same flows. The baselines read the
# flow features, not the prompt, so they run once. A re-run finds every
# artifact in the store and calls no model. The report files are named after
# the runs they show, so they are written only when missing.
#
# Settings (environment variables): MODEL, PER_CLASS (prompts per UNSW class,
# 10 classes), SHOTS (few-shot examples from the train split), SEED, BASELINES
# (space-separated), OUT (report folder), CYBENCH (the cybench command).
# Defaults fit a 2-core CPU: 10 flows per template. A flow prompt is about
# 1,000 tokens, so Qwen2.5-Coder-0.5B through llama.cpp takes roughly 20 s a
# prompt there (an estimate), about 7 minutes for both templates.
set -euo pipefail

CYBENCH=${CYBENCH:-.venv/bin/cybench}
MODEL=${MODEL:-llamacpp:qwen2.5-coder-0.5b}
PER_CLASS=${PER_CLASS:-1}
SHOTS=${SHOTS:-2}
SEED=${SEED:-0}
BASELINES=${BASELINES:-baseline:random-forest baseline:logistic-regression}
OUT=${OUT:-store/reports}

step() { printf '== %s\n' "$*" >&2; }

step "prep UNSW-NB15: zero-shot and few-shot prompts ($PER_CLASS per class)"
zero=$("$CYBENCH" prep unsw --template zero-shot --per-class "$PER_CLASS" --seed "$SEED" | tail -n 1)
few=$("$CYBENCH" prep unsw --template few-shot --k "$SHOTS" --per-class "$PER_CLASS" --seed "$SEED" | tail -n 1)

runs=()
step "infer $MODEL, zero-shot"
runs+=("$("$CYBENCH" infer --model "$MODEL" --prep "$zero" | tail -n 1)")
step "infer $MODEL, few-shot"
runs+=("$("$CYBENCH" infer --model "$MODEL" --prep "$few" | tail -n 1)")
for baseline in $BASELINES; do
    step "infer $baseline"
    runs+=("$("$CYBENCH" infer --model "$baseline" --prep "$zero" | tail -n 1)")
done

step "score and compare"
"$CYBENCH" score "${runs[@]}" >/dev/null
"$CYBENCH" compare "${runs[@]}"

step "report"
id=$(printf '%s\n' "${runs[@]}" | sort | sha256sum | cut -c1-12)
mkdir -p "$OUT"
for pair in html:html md:md latex:tex; do
    fmt=${pair%%:*}
    path="$OUT/unsw-zero-vs-few-shot-$id.${pair##*:}"
    [[ -e $path ]] || "$CYBENCH" report "${runs[@]}" "--$fmt" -o "$path"
    printf '%s\n' "$path"
done
