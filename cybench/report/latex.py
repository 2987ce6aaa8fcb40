"""Paper-ready LaTeX tables (booktabs): best values bold, intervals, significance.

The output is a set of `table` environments that need `booktabs` and
`graphicx` (to shrink a table wider than the column); `standalone=True` wraps
them in a minimal `article` that pdflatex compiles.
"""

from __future__ import annotations

import re

from cybench.report.model import ReportData
from cybench.report.tables import Table, format_cell, format_value, report_tables

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    '"': r"\textquotedbl{}",
    "\u2020": r"\dag{}",
}
# Characters past Latin Extended-B have no glyph in pdflatex's default T1 fonts.
LAST_PRINTABLE = 0x024F
# A table wider than the text column is scaled down to fit, and only then.
PREAMBLE_BOX = r"\ifdefined\cybenchbox\else\newsavebox{\cybenchbox}\fi"
_LEGEND = re.compile(r"(\*\*?) p \\textless\{\} ([0-9.]+)")
MARKS = {"*": r"$^{*}$", "**": r"$^{**}$"}


def escape_latex(text: str) -> str:
    """Escape LaTeX special characters; replace characters T1 fonts lack with `?`."""
    out = []
    for char in str(text):
        if char in _SPECIAL:
            out.append(_SPECIAL[char])
        elif ord(char) > LAST_PRINTABLE or (ord(char) < 32 and char not in "\t\n"):
            out.append("?")
        else:
            out.append(char)
    return "".join(out)


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}\\%"


def caption_facts(data: ReportData) -> str:
    """Return the caption's dataset, split, sample size and prevalence, escaped."""
    return (
        f"Dataset {escape_latex(data.dataset)}, {escape_latex(data.split)} split, "
        f"$n = {data.n}$ samples, prevalence of {escape_latex(data.positive_label)} "
        f"{_percent(data.prevalence)}."
    )


def _slug(title: str) -> str:
    return "-".join(title.lower().replace(",", "").split()[:3])


def _value_cell(text: str, best: bool) -> str:
    return f"\\textbf{{{text}}}" if best else text


def _render_table(table: Table, caption: str, label: str) -> str:
    align = "l" + "r" * len(table.columns)
    headers = [escape_latex(table.row_header)]
    for column in table.columns:
        unit = f" ({escape_latex(column.unit)})" if column.unit else ""
        headers.append(escape_latex(column.header) + unit)
    lines = [
        r"\begin{table}[htbp]",
        r"\centering",
        f"\\caption{{{caption}}}",
        f"\\label{{{label}}}",
        r"\small",
        r"\setlength{\tabcolsep}{4pt}",
        r"\sbox{\cybenchbox}{%",
        f"\\begin{{tabular}}{{{align}}}",
        r"\toprule",
        " & ".join(headers) + r" \\",
        r"\midrule",
    ]
    for row in table.rows:
        lines.extend(_render_row(table, row))
    lines += [
        r"\bottomrule",
        r"\end{tabular}}",
        r"\ifdim\wd\cybenchbox>\linewidth",
        r"\resizebox{\linewidth}{!}{\usebox{\cybenchbox}}%",
        r"\else\usebox{\cybenchbox}\fi",
    ]
    if table.notes:
        notes = " ".join(_note(n) for n in table.notes)
        lines += [
            r"\par\smallskip",
            f"\\parbox{{0.95\\linewidth}}{{\\footnotesize {notes}}}",
        ]
    lines.append(r"\end{table}")
    return "\n".join(lines)


def _note(text: str) -> str:
    """Escape a note, then set its significance legend (`* p < 0.05`) as math."""
    escaped = escape_latex(text)
    return _LEGEND.sub(lambda m: f"$^{{{m[1]}}}$~$p<{m[2]}$", escaped)


def _render_row(table: Table, row) -> list[str]:
    name = escape_latex(row.label) + MARKS.get(row.mark, "")
    values = [name]
    intervals = [""]
    for column, cell in zip(table.columns, row.cells, strict=True):
        text = escape_latex(format_cell(column, cell.value))
        values.append(_value_cell(text, cell.best) + escape_latex(cell.footnote))
        if cell.ci_low is None or cell.ci_high is None:
            intervals.append("")
            continue
        low = format_value(cell.ci_low, column.digits)
        high = format_value(cell.ci_high, column.digits)
        intervals.append(f"{{\\scriptsize [{low}, {high}]}}")
    lines = [" & ".join(values) + r" \\"]
    if any(intervals):
        lines.append(" & ".join(intervals) + r" \\[2pt]")
    return lines


def render_latex(
    data: ReportData, *, policy: str = "all", standalone: bool = False
) -> str:
    """Render the report's tables as LaTeX; `standalone` adds a compilable preamble."""
    facts = caption_facts(data)
    parts = [
        _render_table(
            table, f"{table.title}. {facts}", f"tab:cybench-{_slug(table.title)}"
        )
        for table in report_tables(data, policy)
    ]
    body = PREAMBLE_BOX + "\n" + "\n\n".join(parts) + "\n"
    if not standalone:
        return "% Requires \\usepackage{booktabs} and \\usepackage{graphicx}\n" + body
    return (
        "\\documentclass{article}\n"
        "\\usepackage[T1]{fontenc}\n"
        "\\usepackage[utf8]{inputenc}\n"
        "\\usepackage{booktabs}\n"
        "\\usepackage{graphicx}\n"
        "\\begin{document}\n" + body + "\\end{document}\n"
    )
