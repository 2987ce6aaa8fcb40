"""The report's tables as GitHub-flavoured Markdown, for READMEs and issues."""

from __future__ import annotations

from cybench.report.model import ReportData
from cybench.report.tables import Table, format_cell, format_value, report_tables

_SPECIAL = set("\\`*_[]<>|~")


def escape_markdown(text: str) -> str:
    """Escape Markdown and table syntax, and HTML, so names render literally."""
    out = []
    for char in str(text).replace("\n", " "):
        if char == "&":
            out.append("&amp;")
        elif char in _SPECIAL:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def _cell(table: Table, row, index: int) -> str:
    column = table.columns[index]
    cell = row.cells[index]
    text = format_cell(column, cell.value)
    if cell.best:
        text = f"**{text}**"
    text += cell.footnote
    if cell.ci_low is not None and cell.ci_high is not None:
        low = format_value(cell.ci_low, column.digits)
        high = format_value(cell.ci_high, column.digits)
        text += f" [{low}, {high}]"
    return text


def render_table(table: Table) -> str:
    """Render one table with a heading, a pipe table and its notes."""
    headers = [escape_markdown(table.row_header)]
    for column in table.columns:
        unit = f" ({column.unit})" if column.unit else ""
        headers.append(escape_markdown(column.header + unit))
    lines = [
        f"### {escape_markdown(table.title)}",
        "",
        "| " + " | ".join(headers) + " |",
        "|" + "---|" + "---:|" * len(table.columns),
    ]
    for row in table.rows:
        mark = "\\" + "\\".join(row.mark) if row.mark else ""
        cells = [escape_markdown(row.label) + mark]
        cells += [_cell(table, row, i) for i in range(len(table.columns))]
        lines.append("| " + " | ".join(cells) + " |")
    if table.notes:
        lines.append("")
        lines.extend(escape_markdown(note) + "  " for note in table.notes)
    return "\n".join(lines).rstrip() + "\n"


def render_markdown(data: ReportData, *, policy: str = "all") -> str:
    """Render every report table under a line of dataset facts."""
    prevalence = "n/a" if data.prevalence is None else f"{100 * data.prevalence:.1f}%"
    header = (
        f"## cybench report: {escape_markdown(data.dataset)}\n\n"
        f"Split {escape_markdown(data.split)}, {data.n} samples, prevalence of "
        f"{escape_markdown(data.positive_label)} {escape_markdown(prevalence)}.\n"
    )
    tables = report_tables(data, policy)
    return header + "\n" + "\n".join(render_table(t) for t in tables)
