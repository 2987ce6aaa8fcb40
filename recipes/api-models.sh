#!/usr/bin/env bash
# The same experiment against hosted models: an OpenAI and an Anthropic model
# next to the classical baselines on the same prompts, then score, compare
# and report. It needs OPENAI_API_KEY and/or ANTHROPIC_API_KEY in the
# environment (never in a file here). With neither set, it prints which keys
# are missing and exits 2.
# With only one set, it runs that provider alone.
#
# Before any request it prints a dry run: requests, estimated tokens and
# dollars from the packaged, dated price table. A re-run finds every artifact
# and every stored response in the store and sends no request again; an
# interrupted run continues where it stopped.
#
# Settings (environment variables): DATASET (unsw, nsl-kdd or phishing-email),
# PER_CLASS, TEMPLATE, SEED, OPENAI_MODEL, ANTHROPIC_MODEL, OPENAI_BASE_URL
# (any OpenAI-compatible server; the key is then optional), CONCURRENCY, RPM
# (requests per minute per provider), BASELINES, OUT, CYBENCH.
set -euo pipefail

CYBENCH=${CYBENCH:-.venv/bin/cybench}
DATASET=${DATASET:-unsw}
PER_CLASS=${PER_CLASS:-5}
TEMPLATE=${TEMPLATE:-zero-shot}
SEED=${SEED:-0}
OPENAI_MODEL=${OPENAI_MODEL:-openai:gpt-4o-mini}
ANTHROPIC_MODEL=${ANTHROPIC_MODEL:-anthropic:claude-3-5-haiku-latest}
CONCURRENCY=${CONCURRENCY:-8}
RPM=${RPM:-60}
BASELINES=${BASELINES:-baseline:random-forest baseline:logistic-regression}
OUT=${OUT:-store/reports}

step() { printf '== %s\n' "$*" >&2; }

models=()
openai_args=()
if [[ -n ${OPENAI_BASE_URL:-} ]]; then
    openai_args=(--base-url "$OPENAI_BASE_URL")
fi
if [[ -n ${OPENAI_API_KEY:-} || -n ${OPENAI_BASE_URL:-} ]]; then
    models+=("$OPENAI_MODEL")
else
    step "OPENAI_API_KEY is not set: skipping $OPENAI_MODEL"
fi
if [[ -n ${ANTHROPIC_API_KEY:-} ]]; then
    models+=("$ANTHROPIC_MODEL")
else
    step "ANTHROPIC_API_KEY is not set: skipping $ANTHROPIC_MODEL"
fi
if [[ ${#models[@]} -eq 0 ]]; then
    echo "api-models.sh needs OPENAI_API_KEY (or OPENAI_BASE_URL) and/or" \
        "ANTHROPIC_API_KEY in the environment; neither is set, so nothing ran." >&2
    exit 2
fi

step "prep $DATASET: $PER_CLASS per class, $TEMPLATE prompts"
prompts=$("$CYBENCH" prep "$DATASET" --template "$TEMPLATE" --per-class "$PER_CLASS" \
    --seed "$SEED" | tail -n 1)

runs=()
for model in "${models[@]}"; do
    extra=()
    [[ $model == openai:* ]] && extra=("${openai_args[@]}")
    step "dry run $model"
    "$CYBENCH" infer --model "$model" --prep "$prompts" "${extra[@]}" --dry-run >&2
    step "infer $model"
    runs+=("$("$CYBENCH" infer --model "$model" --prep "$prompts" "${extra[@]}" \
        --concurrency "$CONCURRENCY" --rpm "$RPM" | tail -n 1)")
done
for baseline in $BASELINES; do
    step "infer $baseline"
    runs+=("$("$CYBENCH" infer --model "$baseline" --prep "$prompts" | tail -n 1)")
done

step "score and compare"
"$CYBENCH" score "${runs[@]}" >/dev/null
"$CYBENCH" compare "${runs[@]}"

step "report"
id=$(printf '%s\n' "${runs[@]}" | sort | sha256sum | cut -c1-12)
mkdir -p "$OUT"
for pair in html:html md:md latex:tex; do
    fmt=${pair%%:*}
    path="$OUT/api-models-$DATASET-$id.${pair##*:}"
    [[ -e $path ]] || "$CYBENCH" report "${runs[@]}" "--$fmt" -o "$path"
    printf '%s\n' "$path"
done
