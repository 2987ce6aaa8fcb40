"""The `cybench score` command."""

from __future__ import annotations

from typing import Annotated

import typer

from cybench.cli.output import print_json, say, warn
from cybench.cli.state import JsonFlag, state, wants_json

RunsArgument = Annotated[
    list[str] | None,
    typer.Argument(
        help="Key prefixes of responses artifacts (runs) to score.", show_default=False
    ),
]
# Rubric criteria of the judge column: faithfulness, reasoning, usefulness.
JUDGE_CRITERIA = ("faithfulness", "reasoning", "usefulness")
# Manifest meta entries left out of --json output: curve points, kept for reports.
BULKY_META = ("curves", "reliability")
DatasetOption = Annotated[
    str | None,
    typer.Option("--dataset", help="Score every run of this dataset's newest prompts."),
]


def score(
    ctx: typer.Context,
    runs: RunsArgument = None,
    dataset: DatasetOption = None,
    events_per_day: Annotated[
        float,
        typer.Option(
            "--events-per-day",
            min=0,
            help="Events a day in the deployment (> 0), for alerts per day.",
        ),
    ] = 1_000_000,
    prevalence: Annotated[
        float,
        typer.Option(
            "--prevalence",
            min=0,
            max=1,
            help="Share of positive events in the deployment (0-1), for precision "
            "at that prevalence and alerts per day.",
        ),
    ] = 0.01,
    bootstrap: Annotated[
        int,
        typer.Option(
            "--bootstrap",
            min=0,
            help="Bootstrap resamples for 95% intervals; 0 disables.",
        ),
    ] = 1000,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Seed of the bootstrap resamples.")
    ] = 0,
    judge: Annotated[
        str | None,
        typer.Option(
            "--judge",
            help="Add the rubric means of this judge model's newest judgments "
            "of each run (from `cybench judge`).",
        ),
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Compute detection metrics with confidence intervals for one or more runs.

    Writes one scores artifact per run (reused when one exists for the same
    run and parameters) and prints a summary table on stdout.
    """
    from cybench.cli.settings import build_settings
    from cybench.scoring import ScoreSettings, ensure_scores, resolve_runs
    from cybench.scoring.step import judgments_of

    values = {
        "events_per_day": events_per_day,
        "prevalence": prevalence,
        "bootstrap": bootstrap,
        "seed": seed,
    }
    settings = build_settings(ScoreSettings, "score", values)

    store = state(ctx).store()
    responses = resolve_runs(store, runs or [], dataset)
    results = []
    for index, run in enumerate(responses, start=1):
        say(f"scoring run {run.short_key} ({index}/{len(responses)})")
        judgments = judgments_of(store, run, judge) if judge else None
        manifest, fresh = ensure_scores(store, run, settings, judgments)
        for message in manifest.meta.get("warnings", []):
            warn(f"{run.short_key} {message}")
        say(f"{'wrote' if fresh else 'reused'} scores {manifest.key}")
        results.append((run, manifest))

    if wants_json(ctx, json_output):
        print_json([_json_entry(m) for _, m in results])
        return
    _print_table(results)


def _json_entry(manifest) -> dict:
    """Return the manifest without its curve points, plus the headline metrics."""
    data = manifest.model_dump(mode="json")
    data["meta"] = {k: v for k, v in data["meta"].items() if k not in BULKY_META}
    return {"manifest": data, "headline": manifest.meta.get("headline", {})}


def _print_table(results) -> None:
    from cybench.cli.output import print_rows

    columns = [
        "scores",
        "model",
        "n",
        "parse",
        "F1 [95% CI]",
        "recall",
        "FPR",
        "ROC-AUC",
    ]
    rows = []
    for run, manifest in results:
        head = manifest.meta.get("headline", {})
        rows.append(
            [
                manifest.short_key,
                str(manifest.meta.get("model") or run.params.get("model", "?")),
                run.rows,
                _number(head.get("parse_rate")),
                _number(head.get("f1"), interval=True),
                _number(head.get("recall")),
                _number(head.get("fpr")),
                _number(head.get("roc_auc")),
            ]
        )
    judged = any("judge_reasoning" in m.meta.get("headline", {}) for _, m in results)
    if judged:
        columns.append("judge F/R/U")
        for row, (_, manifest) in zip(rows, results, strict=True):
            head = manifest.meta.get("headline", {})
            means = [head.get(f"judge_{c}") for c in JUDGE_CRITERIA]
            row.append("/".join(_number(m, digits=1) for m in means))
    print_rows(
        columns, rows, "table", title="policy all: parse failures count as wrong"
    )


def _number(entry: dict | None, *, interval: bool = False, digits: int = 3) -> str:
    if not entry or entry.get("value") is None:
        return "n/a"
    text = f"{entry['value']:.{digits}f}"
    if interval and entry.get("ci_low") is not None:
        text += f" [{entry['ci_low']:.3f}, {entry['ci_high']:.3f}]"
    return text


def register(app: typer.Typer) -> None:
    app.command("score")(score)
