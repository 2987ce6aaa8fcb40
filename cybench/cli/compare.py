"""The `cybench compare` command."""

from __future__ import annotations

from typing import Annotated

import typer

from cybench.cli.output import say
from cybench.cli.state import JsonFlag, state, wants_json

# Columns written by --json and --csv, in order.
DATA_COLUMNS = (
    "name", "model", "n", "best_metrics",
    "f1", "f1_ci_low", "f1_ci_high",
    "recall", "recall_ci_low", "recall_ci_high",
    "precision", "precision_ci_low", "precision_ci_high",
    "fpr", "fpr_ci_low", "fpr_ci_high",
    "roc_auc", "roc_auc_ci_low", "roc_auc_ci_high",
    "pr_auc", "pr_auc_ci_low", "pr_auc_ci_high",
    "mcc", "mcc_ci_low", "mcc_ci_high",
    "parse_rate", "latency_p50_s", "cost_per_1k_usd",
    "mcnemar_only_this", "mcnemar_only_best", "mcnemar_p", "mcnemar_p_holm",
    "f1_diff", "f1_diff_ci_low", "f1_diff_ci_high", "f1_diff_p", "f1_diff_p_holm",
    "roc_auc_diff", "roc_auc_diff_ci_low", "roc_auc_diff_ci_high",
    "roc_auc_diff_p", "roc_auc_diff_p_holm",
)  # fmt: skip


def compare(
    ctx: typer.Context,
    runs: Annotated[
        list[str] | None,
        typer.Argument(
            help="Key prefixes of responses or scores artifacts.", show_default=False
        ),
    ] = None,
    dataset: Annotated[
        str | None,
        typer.Option(
            "--dataset", help="Compare every run of this dataset's newest prompts."
        ),
    ] = None,
    metric: Annotated[
        str,
        typer.Option("--metric", help="Metric that picks the best run (policy all)."),
    ] = "f1",
    bootstrap: Annotated[
        int,
        typer.Option(
            "--bootstrap",
            min=0,
            help="Bootstrap resamples for intervals; 0 disables.",
        ),
    ] = 1000,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Seed of the bootstrap resamples.")
    ] = 0,
    csv_output: Annotated[
        bool, typer.Option("--csv", help="Write the table as CSV to stdout.")
    ] = False,
    json_output: JsonFlag = False,
) -> None:
    """Compare scored runs on the same samples with paired significance tests.

    Each run is tested against the best run by --metric: McNemar's exact test on
    per-sample correctness, paired bootstrap intervals of the F1 and ROC-AUC
    differences, Holm's correction across runs. Runs evaluated on different
    samples are rejected.
    """
    from cybench.cli.output import print_rows
    from cybench.cli.settings import build_settings
    from cybench.comparison import CompareSettings, comparison_rows, ensure_comparison
    from cybench.scoring import resolve_runs

    values = {
        "primary": metric,
        "bootstrap": bootstrap,
        "seed": seed,
        "score": {"bootstrap": bootstrap, "seed": seed},
    }
    settings = build_settings(
        CompareSettings, "compare", values, options={"primary": "--metric"}
    )
    store = state(ctx).store()
    manifests = resolve_runs(store, runs or [], dataset)
    manifest, fresh = ensure_comparison(store, manifests, settings)
    say(f"{'wrote' if fresh else 'reused'} comparison {manifest.key}")
    rows = fresh.rows if fresh else comparison_rows(store.read_table(manifest))

    if wants_json(ctx, json_output) or csv_output:
        fmt = "csv" if csv_output else "json"
        data = [[_cell(row.get(c), fmt) for c in DATA_COLUMNS] for row in rows]
        print_rows(DATA_COLUMNS, data, fmt)
        return
    _print_rich(rows, manifest.meta.get("primary", metric))


def _cell(value, fmt: str):
    if isinstance(value, list):
        return ";".join(value)
    return value


def _print_rich(rows, primary: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    from cybench.cli.output import out_console

    table = Table(
        title=f"best by {primary} (policy all); differences: this run minus the best",
        caption="▲ best value. p: McNemar exact test vs the best run, Holm-adjusted.",
    )
    for column in (
        "model",
        "run",
        "n",
        "parse",
        "F1 [95% CI]",
        "recall",
        "FPR",
        "ROC-AUC [95% CI]",
        "ΔF1 [95% CI]",
        "ΔROC-AUC [95% CI]",
        "p (Holm)",
    ):
        table.add_column(column, overflow="fold")
    for row in rows:
        best = set(row.get("best_metrics") or [])
        table.add_row(
            escape(str(row["model"])),
            row["name"],
            str(row["n"]),
            _mark(row, "parse_rate", best),
            _mark(row, "f1", best, interval=True),
            _mark(row, "recall", best),
            _mark(row, "fpr", best),
            _mark(row, "roc_auc", best, interval=True),
            _diff(row, "f1_diff"),
            _diff(row, "roc_auc_diff"),
            _p(row.get("mcnemar_p_holm"), row),
        )
    out_console().print(table)


def _mark(row, metric: str, best: set[str], *, interval: bool = False) -> str:
    value = row.get(metric)
    if value is None:
        return "n/a"
    text = f"{value:.3f}"
    if interval and row.get(f"{metric}_ci_low") is not None:
        text += f" [{row[f'{metric}_ci_low']:.3f}, {row[f'{metric}_ci_high']:.3f}]"
    return f"[bold]{text}▲[/bold]" if metric in best else text


def _diff(row, name: str) -> str:
    if name not in row or "mcnemar_p" not in row or row.get("mcnemar_p") is None:
        return "(best)"
    value = row.get(name)
    if value is None:
        return "n/a"
    text = f"{value:+.3f}"
    if row.get(f"{name}_ci_low") is not None:
        text += f" [{row[f'{name}_ci_low']:+.3f}, {row[f'{name}_ci_high']:+.3f}]"
    return text


def _p(value, row) -> str:
    if row.get("mcnemar_p") is None:
        return "-"
    if value is None:
        return "n/a"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def register(app: typer.Typer) -> None:
    app.command("compare")(compare)
