"""Reports of scored runs: a self-contained HTML page, LaTeX tables, Markdown.

`build_report(store, refs, dataset, fmt)` gathers the runs from the store
(`cybench.report.load`) and renders one format. Every format renders the same
`cybench.report.tables` objects, so they show the same numbers and marks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cybench.errors import UsageError

if TYPE_CHECKING:
    from cybench.store.store import Store

FORMATS = ("html", "latex", "md")
SUFFIXES = {".html": "html", ".htm": "html", ".tex": "latex", ".md": "md"}


def format_for_suffix(suffix: str) -> str | None:
    """Return the report format an output file suffix implies, or None."""
    return SUFFIXES.get(suffix.lower())


def build_report(
    store: Store,
    refs: Sequence[str] = (),
    dataset: str | None = None,
    *,
    fmt: str = "html",
    policy: str = "all",
    examples: int = 3,
    standalone: bool = False,
) -> str:
    """Return the report of the named runs in `fmt`: html, latex or md.

    `policy` picks the headline metrics: `all` counts unparsed replies as
    wrong, `parsed` covers parsed replies only. `standalone` applies to LaTeX.
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown report format {fmt!r}", hint="use html, latex or md")
    if policy not in ("all", "parsed"):
        raise UsageError(f"unknown policy {policy!r}", hint="use all or parsed")
    from cybench.report.load import load_report

    shown = examples if fmt == "html" else 0
    data = load_report(store, refs, dataset, examples=shown, policy=policy)
    if fmt == "latex":
        from cybench.report.latex import render_latex

        return render_latex(data, policy=policy, standalone=standalone)
    if fmt == "md":
        from cybench.report.markdown import render_markdown

        return render_markdown(data, policy=policy)
    from cybench.report.html import render_html

    return render_html(data, policy=policy)
