"""The self-contained HTML report: one file, inline CSS and SVG, no script.

Dataset text (phishing emails carry HTML and scripts) and model replies are
escaped by jinja2's autoescape; the SVG charts escape their own text. A
Content-Security-Policy meta tag allows only the one stylesheet (by its hash)
and `data:` images, so even markup that slipped through escaping could not
run a script, load a resource or submit a form.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from importlib import resources

from cybench import __version__
from cybench.report import svg
from cybench.report.model import ReportData, Run
from cybench.report.tables import (
    Table,
    format_cell,
    format_value,
    quality_table,
    report_tables,
)

CONFUSION_METRICS = ("tn", "fp", "fn", "tp")
# Fewest plotted runs for each trade-off chart to be drawn.
MIN_POINTS = {"latency": 1, "cost": 2}


def _stylesheet() -> str:
    return (
        resources.files("cybench.report").joinpath("templates/report.css").read_text()
    )


def content_security_policy(css: str) -> str:
    """Return the CSP that allows only this stylesheet and data: images."""
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return (
        "default-src 'none'; "
        f"style-src 'sha256-{digest}'; "
        "img-src data:; "
        "script-src 'none'; "
        "base-uri 'none'; "
        "form-action 'none'"
    )


def _environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("cybench.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = format_value
    return env


def render_html(data: ReportData, *, policy: str = "all") -> str:
    """Render the report as one HTML document."""
    from markupsafe import Markup

    css = _stylesheet()
    charts = {name: Markup(chart) for name, chart in build_charts(data, policy).items()}
    template = _environment().get_template("report.html.j2")
    return template.render(
        data=data,
        policy=policy,
        css=Markup(css),
        csp=content_security_policy(css),
        tables=_tables(data, policy),
        charts=charts,
        confusion=[(run, Markup(_confusion(run, data, policy))) for run in data.runs],
        judge_table=_judge_rows(data),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
        table_cell=_cell_text,
    )


def _tables(data: ReportData, policy: str) -> list[Table]:
    """Return the shared tables plus the quality table under the other policy."""
    tables = report_tables(data, policy)
    other = "parsed" if policy == "all" else "all"
    tables.insert(1, quality_table(data, other))
    return tables


def _cell_text(table: Table, row_index: int, column_index: int) -> tuple[str, str]:
    """Return a cell's value and its interval (empty when it has none) as text."""
    column = table.columns[column_index]
    cell = table.rows[row_index].cells[column_index]
    text = format_cell(column, cell.value) + cell.footnote
    if cell.ci_low is None or cell.ci_high is None:
        return text, ""
    low = format_value(cell.ci_low, column.digits)
    high = format_value(cell.ci_high, column.digits)
    return text, f"[{low}, {high}]"


def build_charts(data: ReportData, policy: str = "all") -> dict[str, str]:
    """Return the report's charts as SVG strings, keyed by chart name."""
    charts = _curve_charts(data)
    categories = data.categories()
    if categories:
        charts["categories"] = svg.bar_chart(
            "Detection rate by attack category",
            categories,
            [
                (
                    r.label,
                    [r.value("recall", policy, f"category:{c}") for c in categories],
                )
                for r in data.runs
            ],
            value_label="detection rate (recall)",
        )
    charts.update(_tradeoff_charts(data, policy))
    charts["parse"] = svg.bar_chart(
        "Parse and refusal rates",
        [r.label for r in data.runs],
        [
            ("parse rate", [r.value("parse_rate") for r in data.runs]),
            ("refusal rate", [r.value("refusal_rate") for r in data.runs]),
        ],
        value_label="share of replies",
    )
    judge = _judge_chart(data)
    if judge:
        charts["judge"] = judge
    return charts


def _curve_charts(data: ReportData) -> dict[str, str]:
    charts: dict[str, str] = {}
    roc = [svg.Series(r.label, r.roc.xs, r.roc.ys) for r in data.runs if r.roc]
    if roc:
        charts["roc"] = svg.line_chart(
            "ROC curve",
            roc,
            svg.Axis("false-positive rate"),
            svg.Axis("true-positive rate (detection rate)"),
            diagonal=True,
        )
    pr = [svg.Series(r.label, r.pr.xs, r.pr.ys) for r in data.runs if r.pr]
    if pr:
        charts["pr"] = svg.line_chart(
            "Precision-recall curve",
            pr,
            svg.Axis("recall"),
            svg.Axis("precision"),
        )
    calibration = [
        svg.Series(r.label, r.reliability.xs, r.reliability.ys)
        for r in data.runs
        if r.reliability
    ]
    if calibration:
        charts["reliability"] = svg.line_chart(
            "Reliability diagram",
            calibration,
            svg.Axis("stated probability of the positive class (bin mean)"),
            svg.Axis("observed share of positives"),
            diagonal=True,
        )
    return charts


def _tradeoff_charts(data: ReportData, policy: str) -> dict[str, str]:
    charts = {}
    specs = (
        ("latency", "latency_p50_s", "median latency per event (s, log scale)", True),
        ("cost", "cost_per_1k_usd", "cost per 1,000 events (USD)", False),
    )
    for name, metric, label, log in specs:
        # Unknown costs are None and left out; a cost axis needs two known costs
        # to say anything, so with fewer the report prints a note instead.
        points = []
        for run in data.runs:
            f1 = run.metric("f1", policy)
            x = run.value(metric)
            if f1 is None or f1.value is None or x is None or (log and x <= 0):
                continue
            points.append(svg.Point(run.label, x, f1.value, f1.ci_low, f1.ci_high))
        if len(points) < MIN_POINTS[name]:
            continue
        low, high = svg.nice_range([p.x for p in points], log=log)
        charts[name] = svg.scatter_chart(
            f"F1 versus {name}",
            points,
            svg.Axis(label, low, high, log=log),
            svg.Axis("F1"),
        )
    return charts


def _confusion(run: Run, data: ReportData, policy: str) -> str:
    counts = [run.value(name, policy) for name in CONFUSION_METRICS]
    if any(c is None for c in counts):
        return ""
    tn, fp, fn, tp = (int(c) for c in counts)
    return svg.confusion_matrix(
        run.label, tn, fp, fn, tp, (data.negative_label, data.positive_label)
    )


def _judge_criteria(data: ReportData) -> list[str]:
    return sorted({c for run in data.runs for c in run.judge})


def _judge_rows(data: ReportData) -> tuple[list[str], list[tuple[Run, list[str]]]]:
    criteria = _judge_criteria(data)
    rows = []
    for run in data.runs:
        cells = []
        for criterion in criteria:
            found = run.judge.get(criterion)
            if found is None:
                cells.append("n/a")
                continue
            text = format_value(found.value, 2)
            if found.ci_low is not None and found.ci_high is not None:
                low, high = (
                    format_value(found.ci_low, 2),
                    format_value(found.ci_high, 2),
                )
                text += f" [{low}, {high}]"
            rated = "" if found.n is None else f" (n={found.n})"
            cells.append(text + rated)
        rows.append((run, cells))
    return criteria, rows


def _judge_chart(data: ReportData) -> str | None:
    criteria = _judge_criteria(data)
    if not criteria:
        return None
    series = []
    for run in data.runs:
        values = [run.judge[c].value if c in run.judge else None for c in criteria]
        series.append((run.label, values))
    return svg.bar_chart(
        "Judge scores (mean rating, 1-5)",
        criteria,
        series,
        value_label="mean rating",
        maximum=5.0,
    )
