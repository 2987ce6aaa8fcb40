#!/usr/bin/env bash
# Phishing email: one local model against the classical baselines on the same
# messages: fetch, prep, infer, score, compare, report.
#
# The default sources pair the Nazario phishing mbox files with the
# SpamAssassin ham (the corpus folder layout `cybench fetch` recognises);
# set SOURCES to other `--path PATH[:LABEL]` values to use your own mail.
# A re-run finds every artifact in the store and calls no model. The report
# files are named after the runs they show, so they are written only when
# missing.
#
# Settings (environment variables): MODEL, PER_CLASS (messages per class),
# TEMPLATE (zero-shot or few-shot), SEED, BASELINES (space-separated),
# DATA (folder with the phishing-email corpus), SOURCES, OUT, CYBENCH.
set -euo pipefail

CYBENCH=${CYBENCH:-.venv/bin/cybench}
MODEL=${MODEL:-llamacpp:qwen2.5-coder-0.5b}
PER_CLASS=${PER_CLASS:-6}
TEMPLATE=${TEMPLATE:-zero-shot}
SEED=${SEED:-0}
BASELINES=${BASELINES:-baseline:random-forest baseline:logistic-regression baseline:majority}
DATA=${DATA:-${CYBENCH_DATA:-../shared/data}/phishing-email}
SOURCES=${SOURCES:-$DATA}
OUT=${OUT:-store/reports}

step() { printf '== %s\n' "$*" >&2; }

step "fetch phishing email from $SOURCES"
fetch_args=()
for source in $SOURCES; do
    fetch_args+=(--path "$source")
done
raw=$("$CYBENCH" fetch phishing-email "${fetch_args[@]}" | tail -n 1)

step "prep: $PER_CLASS messages per class, $TEMPLATE prompts"
prompts=$("$CYBENCH" prep phishing-email --raw "$raw" --template "$TEMPLATE" \
    --per-class "$PER_CLASS" --seed "$SEED" | tail -n 1)

runs=()
for model in "$MODEL" $BASELINES; do
    step "infer $model"
    runs+=("$("$CYBENCH" infer --model "$model" --prep "$prompts" | tail -n 1)")
done

step "score and compare"
"$CYBENCH" score "${runs[@]}" >/dev/null
"$CYBENCH" compare "${runs[@]}"

step "report"
id=$(printf '%s\n' "${runs[@]}" | sort | sha256sum | cut -c1-12)
mkdir -p "$OUT"
for pair in html:html md:md latex:tex; do
    fmt=${pair%%:*}
    path="$OUT/phishing-local-vs-baseline-$id.${pair##*:}"
    [[ -e $path ]] || "$CYBENCH" report "${runs[@]}" "--$fmt" -o "$path"
    printf '%s\n' "$path"
done
