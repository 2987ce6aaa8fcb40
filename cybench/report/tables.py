"""Format-neutral tables: which metrics, which value is best, which marks to show.

LaTeX, Markdown and HTML render the same `Table` objects, so the best value
and the significance marks agree across formats.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from cybench.report.model import CATEGORY_PREFIX, ReportData, Run

SIGNIFICANCE_LEVELS = ((0.01, "**"), (0.05, "*"))
NO_ALERTS_MARK = "†"
NO_ALERTS_NOTE = (
    f"{NO_ALERTS_MARK} The run made no positive prediction (it never raised an "
    "alert), so its FPR and false alerts are 0 by construction and are not "
    "marked best."
)


@dataclass(frozen=True)
class Column:
    """One metric column: its scores name, header, direction and number format."""

    metric: str
    header: str
    higher_is_better: bool | None = True
    digits: int = 3
    with_ci: bool = True
    unit: str = ""
    policy: str | None = None  # read under this policy whatever the table's is
    p_value: bool = False  # printed as "<0.0001" below the smallest shown value
    # Low is best only among runs that raised alerts: a run with no positive
    # prediction has FPR 0 by construction, so it is not marked best here.
    needs_alerts: bool = False


QUALITY_COLUMNS = (
    Column("f1", "F1"),
    Column("precision", "Precision"),
    Column("recall", "Recall"),
    Column("fpr", "FPR", higher_is_better=False, needs_alerts=True),
    Column("mcc", "MCC"),
    Column("roc_auc", "ROC-AUC"),
    Column("pr_auc", "PR-AUC"),
    Column("parse_rate", "Parse rate", with_ci=False, policy="all"),
)
ALERT_COLUMNS = (
    Column(
        "false_alerts_per_10k",
        "False alerts / 10k benign",
        False,
        1,
        needs_alerts=True,
    ),
    Column("recall_at_fpr_1pct", "Recall at 1% FPR"),
    Column("recall_at_fpr_0_1pct", "Recall at 0.1% FPR"),
    Column("ece", "ECE", False),
    Column("brier", "Brier", False),
)
OPERATIONS_COLUMNS = (
    Column("latency_p50_s", "Latency p50", False, 3, False, "s"),
    Column("latency_p95_s", "Latency p95", False, 3, False, "s"),
    Column("throughput_per_s", "Throughput", True, 2, False, "/s"),
    Column("tokens_in_per_1k", "Tokens in per 1,000 events", None, 0, False),
    Column("tokens_out_per_1k", "Tokens out per 1,000 events", None, 0, False),
    Column("cost_per_1k_usd", "Cost / 1k events", False, 4, False, "USD"),
    Column("parse_rate", "Parse rate", True, 3, False, policy="all"),
    Column("refusal_rate", "Refusal rate", False, 3, False, policy="all"),
)


@dataclass
class Cell:
    """One value with its interval; `best` marks the best value of its column."""

    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    best: bool = False
    footnote: str = ""  # a mark such as NO_ALERTS_MARK, printed after the value


@dataclass
class Row:
    """One row's cells, with the significance mark against the reference run.

    `run` is None for a row that is not a run (a category row, where the
    columns are runs).
    """

    label: str
    cells: list[Cell]
    run: Run | None = None
    mark: str = ""
    is_reference: bool = False


@dataclass
class Table:
    """A titled table of runs by columns, plus notes to print under it."""

    title: str
    columns: list[Column]
    rows: list[Row]
    notes: list[str] = field(default_factory=list)
    policy: str | None = None
    row_header: str = "Model"


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _mark_best_in_rows(rows: list[Row], higher_is_better: bool = True) -> None:
    for row in rows:
        values = [c.value for c in row.cells if _finite(c.value)]
        if len(values) < 2:
            continue
        best = max(values) if higher_is_better else min(values)
        for cell in row.cells:
            cell.best = _finite(cell.value) and math.isclose(
                cell.value, best, rel_tol=1e-12, abs_tol=1e-12
            )


def raised_no_alert(run: Run | None, policy: str) -> bool:
    """Return True when the run's scores show no positive prediction (tp + fp = 0)."""
    if run is None:
        return False
    tp, fp = run.value("tp", policy), run.value("fp", policy)
    return tp is not None and fp is not None and tp + fp == 0


def _mark_best(
    rows: list[Row], columns: list[Column], policy: str = "all"
) -> list[str]:
    """Mark each column's best cell; return notes for the footnote marks set."""
    silent = [raised_no_alert(r.run, policy) for r in rows]
    flagged = False
    for index, column in enumerate(columns):
        if column.higher_is_better is None:
            continue
        ranked = [
            row
            for row, quiet in zip(rows, silent, strict=True)
            if not (column.needs_alerts and quiet)
        ]
        if column.needs_alerts:
            for row, quiet in zip(rows, silent, strict=True):
                if quiet and _finite(row.cells[index].value):
                    row.cells[index].footnote = NO_ALERTS_MARK
                    flagged = True
        values = [r.cells[index].value for r in ranked if _finite(r.cells[index].value)]
        if len(values) < 2:
            continue
        best = max(values) if column.higher_is_better else min(values)
        for row in ranked:
            cell = row.cells[index]
            cell.best = _finite(cell.value) and math.isclose(
                cell.value, best, rel_tol=1e-12, abs_tol=1e-12
            )
    return [NO_ALERTS_NOTE] if flagged else []


def significance_mark(p_adjusted: float | None) -> str:
    """Return `**` below 0.01, `*` below 0.05, else an empty string."""
    if p_adjusted is None or not math.isfinite(p_adjusted):
        return ""
    for level, mark in SIGNIFICANCE_LEVELS:
        if p_adjusted < level:
            return mark
    return ""


def _rows(
    data: ReportData, columns: list[Column], policy: str, slice_name: str
) -> list[Row]:
    rows = []
    for run in data.runs:
        cells = []
        for column in columns:
            found = run.metric(column.metric, column.policy or policy, slice_name)
            if found is None:
                cells.append(Cell(None))
                continue
            low, high = (
                (found.ci_low, found.ci_high) if column.with_ci else (None, None)
            )
            cells.append(Cell(found.value, low, high))
        rows.append(Row(run.label, cells, run))
    return rows


def _add_significance(data: ReportData, rows: list[Row], table: Table) -> None:
    comparison = data.comparison
    if comparison is None or len(rows) < 2:
        return
    for row in rows:
        if row.run is None:
            continue
        row.is_reference = row.run.key == comparison.reference_key
        found = comparison.by_run.get(row.run.key)
        if found is not None and not row.is_reference:
            row.mark = significance_mark(found.p_adjusted)
    reference = next((r.label for r in rows if r.is_reference), "the best run")
    table.notes.append(
        significance_note(comparison.test, comparison.correction, reference)
    )


def significance_note(test: str, correction: str, reference: str) -> str:
    """Return the footnote that names the paired test, correction and reference."""
    return (
        f"* p < 0.05, ** p < 0.01: {test} against {reference} on the same samples, "
        f"p-values adjusted with {correction} across the other runs."
    )


def prevalence_note(prevalence: float | None) -> str:
    """Return the sentence that sets PR-AUC against the positive-class prevalence."""
    if prevalence is None:
        return "PR-AUC of a random ranking equals the prevalence (unknown here)."
    return (
        "PR-AUC of a random ranking equals the prevalence of the positive class, "
        f"here {prevalence:.2f}."
    )


def policy_note(policy: str) -> str:
    if policy == "all":
        return (
            "Replies that could not be parsed count as wrong predictions (policy: all)."
        )
    return "Metrics cover parsed replies only (policy: parsed); see the parse rate."


def quality_table(data: ReportData, policy: str = "all") -> Table:
    """Build the detection quality table: one row per run, intervals included."""
    columns = list(QUALITY_COLUMNS)
    rows = _rows(data, columns, policy, "overall")
    flags = _mark_best(rows, columns, policy)
    table = Table("Detection quality", columns, rows, [policy_note(policy)], policy)
    table.notes.append(
        "Bold: best value in the column. Brackets: 95% bootstrap interval."
    )
    table.notes.append(prevalence_note(data.prevalence))
    table.notes.extend(flags)
    _add_significance(data, rows, table)
    return table


def alert_table(data: ReportData, policy: str = "all") -> Table:
    """Build the alert-load and calibration table: what a SOC would live with."""
    columns = list(ALERT_COLUMNS)
    rows = _rows(data, columns, policy, "overall")
    flags = _mark_best(rows, columns, policy)
    note = (
        "False alerts per 10,000 benign events = FPR x 10,000. Recall at a fixed "
        "FPR is read off the ROC curve of the stated confidences."
    )
    return Table("Alert load and calibration", columns, rows, [note, *flags], policy)


def operations_table(data: ReportData, policy: str = "all") -> Table:
    """Build the cost, speed and reliability table (no intervals)."""
    columns = list(OPERATIONS_COLUMNS)
    rows = _rows(data, columns, policy, "overall")
    _mark_best(rows, columns, policy)
    note = (
        "Latency per request, retries included (a batched local model's reply "
        "waits for its whole batch); throughput = requests per second of the infer "
        "step's wall time; tokens and cost are per 1,000 events, n/a where unknown."
    )
    return Table("Cost, speed and parse reliability", columns, rows, [note])


def category_table(data: ReportData, policy: str = "all") -> Table | None:
    """Build per-category detection rates: one row per category, one column per run.

    Categories are rows because a dataset has many of them (UNSW-NB15 has ten)
    and a paper column fits few runs more easily than ten categories.
    """
    categories = data.categories()
    if not categories:
        return None
    columns = [Column("recall", run.label) for run in data.runs]
    rows = []
    for name in categories:
        cells = []
        for run in data.runs:
            found = run.metric("recall", policy, CATEGORY_PREFIX + name)
            if found is None:
                cells.append(Cell(None))
                continue
            cells.append(Cell(found.value, found.ci_low, found.ci_high))
        rows.append(Row(name, cells))
    _mark_best_in_rows(rows)
    note = (
        "Detection rate (recall) on the samples of each true category; n/a where "
        "the category has no positive samples. Bold: best run in the row."
    )
    return Table(
        "Detection rate by attack category", columns, rows, [note], policy, "Category"
    )


def format_cell(column: Column, value: float | None) -> str:
    """Format a cell's value as its column asks; a tiny p-value reads `<0.0001`."""
    smallest = 10.0**-column.digits
    if column.p_value and value is not None and 0 <= value < smallest:
        return f"<{smallest:.{column.digits}f}"
    return format_value(value, column.digits)


def format_value(value: float | None, digits: int) -> str:
    """Format a number for a table cell; undefined values read `n/a`."""
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value:.{digits}f}"


PAIRED_COLUMNS = (
    Column("mcnemar_only_this", "Only this right", None, 0, False),
    Column("mcnemar_only_best", "Only best right", None, 0, False),
    Column("mcnemar_p", "McNemar p", None, 4, False, p_value=True),
    Column("mcnemar_p_holm", "p (Holm)", None, 4, False, p_value=True),
    Column("f1_diff", "F1 diff.", None, 3, True),
    Column("roc_auc_diff", "ROC-AUC diff.", None, 3, True),
)


def paired_table(data: ReportData) -> Table | None:
    """Build the paired tests of each run against the reference run."""
    comparison = data.comparison
    if comparison is None:
        return None
    rows = []
    for run in data.runs:
        found = comparison.rows.get(run.key)
        if found is None or run.key == comparison.reference_key:
            continue
        cells = []
        for column in PAIRED_COLUMNS:
            low = found.get(f"{column.metric}_ci_low") if column.with_ci else None
            high = found.get(f"{column.metric}_ci_high") if column.with_ci else None
            cells.append(Cell(found.get(column.metric), low, high))
        rows.append(
            Row(run.label, cells, run, significance_mark(found.get("mcnemar_p_holm")))
        )
    if not rows:
        return None
    reference = next(r.label for r in data.runs if r.key == comparison.reference_key)
    notes = [
        f"Each run against {reference}, the best run by {comparison.metric}, on the "
        "same samples (unparsed replies count as wrong). Only this / only best "
        "right: discordant samples of McNemar's exact test. Differences are this "
        "run minus the best, with 95% paired bootstrap intervals.",
        significance_note(comparison.test, comparison.correction, reference),
    ]
    return Table("Paired tests against the best run", list(PAIRED_COLUMNS), rows, notes)


def report_tables(data: ReportData, policy: str = "all") -> list[Table]:
    """Return the tables every format shows, in order."""
    tables = [
        quality_table(data, policy),
        alert_table(data, policy),
        operations_table(data, policy),
    ]
    tables.extend(t for t in (paired_table(data), category_table(data, policy)) if t)
    return tables
