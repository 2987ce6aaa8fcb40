"""Inline SVG charts drawn in Python, so a report needs no script or network.

Every function returns one `<svg>` element as a string. All text that reaches
the SVG (titles, axis labels, model and category names) goes through
`html.escape`, because model names and categories come from user input.
Colours are set with presentation attributes (`fill=`, `stroke=`), never with
`style=` attributes, so the report's Content-Security-Policy can forbid inline
styles other than its one hashed stylesheet.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)
WIDTH = 440
HEIGHT = 320
MARGIN_LEFT = 56
MARGIN_RIGHT = 16
MARGIN_TOP = 34
MARGIN_BOTTOM = 46
LEGEND_ROW = 14
# Bar charts: plot width right of the group labels, and the label column's
# bounds. A label longer than LABEL_CHARS is cut with "…" and carries its
# full text in an SVG <title>.
BAR_PLOT_WIDTH = 370
LABEL_CHARS = 60
CHAR_WIDTH = 5.6  # approximate advance of a 10px sans-serif character
MIN_LABEL_WIDTH = 150
TITLE_CHAR_WIDTH = 8.0  # approximate advance of a 13px bold character


def colour(index: int) -> str:
    """Return the palette colour of the series at `index`, cycling past the end."""
    return PALETTE[index % len(PALETTE)]


def _text(value: object) -> str:
    return escape(str(value), quote=True)


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass
class Series:
    """One named line: x and y values of equal length."""

    name: str
    xs: Sequence[float]
    ys: Sequence[float]


@dataclass
class Point:
    """One named point with an optional vertical interval."""

    name: str
    x: float
    y: float
    y_low: float | None = None
    y_high: float | None = None


@dataclass
class Axis:
    """Data range and label of one axis; `log` draws a base-10 logarithmic scale."""

    label: str
    low: float = 0.0
    high: float = 1.0
    log: bool = False
    ticks: list[float] = field(default_factory=list)

    def fraction(self, value: float) -> float:
        """Return where `value` sits between low (0.0) and high (1.0)."""
        if self.log:
            low, high = math.log10(self.low), math.log10(self.high)
            value = math.log10(max(value, self.low))
        else:
            low, high = self.low, self.high
        if high == low:
            return 0.5
        return (value - low) / (high - low)

    def tick_values(self) -> list[float]:
        if self.ticks:
            return self.ticks
        if self.log:
            first = math.floor(math.log10(self.low))
            last = math.ceil(math.log10(self.high))
            return [10.0**e for e in range(first, last + 1)]
        step = (self.high - self.low) / 5
        return [self.low + i * step for i in range(6)]


class _Frame:
    """Plot area of one chart: maps data coordinates to SVG pixels."""

    def __init__(self, x: Axis, y: Axis, legend_rows: int = 0):
        self.x, self.y = x, y
        self.legend_height = LEGEND_ROW * legend_rows
        self.width, self.height = WIDTH, HEIGHT + self.legend_height + 4
        self.left = MARGIN_LEFT
        self.right = self.width - MARGIN_RIGHT
        self.top = MARGIN_TOP
        self.bottom = HEIGHT - MARGIN_BOTTOM

    def legend(self, names: Sequence[str]) -> list[str]:
        """Draw the legend under the x-axis label, one row per series."""
        return _legend(names, self.left, HEIGHT + 8)

    def px(self, value: float) -> float:
        return self.left + self.x.fraction(value) * (self.right - self.left)

    def py(self, value: float) -> float:
        return self.bottom - self.y.fraction(value) * (self.bottom - self.top)

    def axes(self) -> list[str]:
        parts = [
            f'<rect x="{self.left}" y="{self.top}" width="{self.right - self.left}" '
            f'height="{self.bottom - self.top}" fill="#ffffff" stroke="#888888"/>'
        ]
        for tick in self.x.tick_values():
            x = self.px(tick)
            parts.append(
                f'<line x1="{x:.1f}" y1="{self.top}" x2="{x:.1f}" y2="{self.bottom}" '
                f'stroke="#e5e5e5"/>'
                f'<text x="{x:.1f}" y="{self.bottom + 14}" text-anchor="middle" '
                f'font-size="10">{_text(_tick_label(tick, self.x))}</text>'
            )
        for tick in self.y.tick_values():
            y = self.py(tick)
            parts.append(
                f'<line x1="{self.left}" y1="{y:.1f}" x2="{self.right}" y2="{y:.1f}" '
                f'stroke="#e5e5e5"/>'
                f'<text x="{self.left - 6}" y="{y + 3:.1f}" text-anchor="end" '
                f'font-size="10">{_text(_tick_label(tick, self.y))}</text>'
            )
        middle_x = (self.left + self.right) / 2
        middle_y = (self.top + self.bottom) / 2
        parts.append(
            f'<text x="{middle_x:.1f}" y="{HEIGHT - 8}" text-anchor="middle" '
            f'font-size="11">{_text(self.x.label)}</text>'
            f'<text x="14" y="{middle_y:.1f}" text-anchor="middle" font-size="11" '
            f'transform="rotate(-90 14 {middle_y:.1f})">{_text(self.y.label)}</text>'
        )
        return parts


def _tick_label(value: float, axis: Axis) -> str:
    """Write a tick as a plain decimal with enough digits to tell ticks apart."""
    if axis.log:
        return _plain(value)
    ticks = axis.tick_values()
    step = min(
        (abs(b - a) for a, b in zip(ticks, ticks[1:], strict=False) if b != a),
        default=1.0,
    )
    digits = max(2, math.ceil(-math.log10(step)) + 1) if step < 1 else 2
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _plain(value: float) -> str:
    """Write a power-of-ten tick as a plain decimal (0.00001, never 1e-05)."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    if abs(value) >= 1:
        return f"{value:,.0f}"
    digits = -math.floor(math.log10(abs(value)))
    return f"{value:.{digits}f}"


def _open(title: str, width: int, height: int, kind: str) -> str:
    """Open an SVG whose heading is cut with "…" to its width; <title> stays whole."""
    heading = _clip(title, max(8, int(width / TITLE_CHAR_WIDTH)))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" '
        f'role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif">'
        f"<title>{_text(title)}</title>"
        f'<text x="{width / 2:.1f}" y="18" text-anchor="middle" font-size="13" '
        f'font-weight="bold">{_text(heading)}</text>'
    )


def _legend(names: Sequence[str], x: float, y: float) -> list[str]:
    parts = []
    for i, name in enumerate(names):
        row_y = y + i * 14
        parts.append(
            f'<rect x="{x:.1f}" y="{row_y - 8:.1f}" width="10" height="10" '
            f'fill="{colour(i)}"/>'
            f'<text x="{x + 14:.1f}" y="{row_y + 1:.1f}" font-size="10">'
            f"{_text(name)}</text>"
        )
    return parts


def line_chart(
    title: str,
    series: Sequence[Series],
    x: Axis,
    y: Axis,
    *,
    diagonal: bool = False,
) -> str:
    """Draw one polyline per series on shared axes (ROC and precision-recall curves).

    `diagonal` adds the dashed chance line y = x.
    """
    frame = _Frame(x, y, legend_rows=len(series))
    parts = [_open(title, frame.width, frame.height, "line"), *frame.axes()]
    if diagonal:
        parts.append(
            f'<line x1="{frame.px(x.low):.1f}" y1="{frame.py(y.low):.1f}" '
            f'x2="{frame.px(x.high):.1f}" y2="{frame.py(y.high):.1f}" '
            f'stroke="#999999" stroke-dasharray="4 3"/>'
        )
    for i, line in enumerate(series):
        coords = " ".join(
            f"{frame.px(a):.1f},{frame.py(b):.1f}"
            for a, b in zip(line.xs, line.ys, strict=True)
        )
        if not coords:
            continue
        parts.append(
            f'<polyline class="series" fill="none" stroke="{colour(i)}" '
            f'stroke-width="2" points="{coords}"><title>{_text(line.name)}</title>'
            f"</polyline>"
        )
    parts.extend(frame.legend([s.name for s in series]))
    parts.append("</svg>")
    return "".join(parts)


def scatter_chart(title: str, points: Sequence[Point], x: Axis, y: Axis) -> str:
    """Draw one labelled dot per point, with a vertical bar for its interval."""
    frame = _Frame(x, y, legend_rows=len(points))
    parts = [_open(title, frame.width, frame.height, "scatter"), *frame.axes()]
    for i, point in enumerate(points):
        cx, cy = frame.px(point.x), frame.py(point.y)
        if point.y_low is not None and point.y_high is not None:
            parts.append(
                f'<line x1="{cx:.1f}" y1="{frame.py(point.y_low):.1f}" x2="{cx:.1f}" '
                f'y2="{frame.py(point.y_high):.1f}" stroke="{colour(i)}" '
                f'stroke-width="1.5"/>'
            )
        parts.append(
            f'<circle class="series" cx="{cx:.1f}" cy="{cy:.1f}" r="5" '
            f'fill="{colour(i)}"><title>{_text(point.name)}</title></circle>'
        )
    parts.extend(frame.legend([p.name for p in points]))
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    title: str,
    groups: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    value_label: str = "rate",
    maximum: float = 1.0,
) -> str:
    """Draw horizontal grouped bars in [0, maximum]: one group per label, one bar
    per series.

    A None value draws no bar and an "n/a" mark, so an undefined rate is never
    shown as zero.
    """
    bar = 10
    gap = 8
    group_height = bar * max(len(series), 1) + gap
    label_width = _label_width(groups)
    width = label_width + BAR_PLOT_WIDTH
    bottom = MARGIN_TOP + group_height * max(len(groups), 1)
    legend_top = bottom + MARGIN_BOTTOM
    height = legend_top + LEGEND_ROW * len(series) + 4
    left, right = label_width, width - MARGIN_RIGHT - 40
    parts = [_open(title, width, height, "bar")]
    for step in range(5):
        tick = maximum * step / 4
        x = left + step / 4 * (right - left)
        parts.append(
            f'<line x1="{x:.1f}" y1="{MARGIN_TOP}" x2="{x:.1f}" y2="{bottom}" '
            f'stroke="#e5e5e5"/><text x="{x:.1f}" y="{bottom + 14}" '
            f'text-anchor="middle" font-size="10">{_num(tick)}</text>'
        )
    for g, group in enumerate(groups):
        top = MARGIN_TOP + g * group_height
        parts.append(
            f'<text x="{left - 6}" y="{top + group_height / 2:.1f}" text-anchor="end" '
            f'font-size="10">{_text(_clip(group, LABEL_CHARS))}'
            f"<title>{_text(group)}</title></text>"
        )
        for s, (name, values) in enumerate(series):
            value = values[g]
            y = top + s * bar
            if value is None or math.isnan(value):
                parts.append(
                    f'<text x="{left + 3}" y="{y + bar - 2:.1f}" font-size="9" '
                    f'fill="#666666">n/a</text>'
                )
                continue
            length = max(0.0, min(1.0, value / maximum)) * (right - left)
            parts.append(
                f'<rect class="series" x="{left}" y="{y:.1f}" width="{length:.1f}" '
                f'height="{bar - 1}" fill="{colour(s)}"><title>{_text(name)}, '
                f"{_text(group)}: {value:.3f}</title></rect>"
                f'<text x="{left + length + 3:.1f}" y="{y + bar - 2:.1f}" '
                f'font-size="9">{value:.2f}</text>'
            )
    parts.append(
        f'<text x="{(left + right) / 2:.1f}" y="{bottom + 30}" text-anchor="middle" '
        f'font-size="11">{_text(value_label)}</text>'
    )
    parts.extend(_legend([name for name, _ in series], 8, legend_top + 4))
    parts.append("</svg>")
    return "".join(parts)


def confusion_matrix(
    title: str, tn: int, fp: int, fn: int, tp: int, labels: tuple[str, str]
) -> str:
    """Draw a 2x2 confusion matrix; cell shade grows with the row-normalised rate.

    `labels` is (negative class name, positive class name). Rows are the true
    class and columns the predicted class.
    """
    size = 70
    left, top = 110, 50
    width, height = left + 2 * size + 20, top + 2 * size + 40
    cells = ((tn, fp), (fn, tp))
    parts = [_open(title, width, height, "confusion")]
    for r in range(2):
        row_total = sum(cells[r]) or 1
        for c in range(2):
            count = cells[r][c]
            rate = count / row_total
            correct = r == c
            shade = _shade(rate, "#1b7837" if correct else "#b2182b")
            x, y = left + c * size, top + r * size
            text_fill = "#ffffff" if rate > 0.55 else "#000000"
            parts.append(
                f'<rect class="cell" x="{x}" y="{y}" width="{size}" height="{size}" '
                f'fill="{shade}" stroke="#ffffff"/>'
                f'<text x="{x + size / 2}" y="{y + size / 2 - 2}" text-anchor="middle" '
                f'font-size="14" fill="{text_fill}">{count}</text>'
                f'<text x="{x + size / 2}" y="{y + size / 2 + 14}" '
                f'text-anchor="middle" font-size="10" fill="{text_fill}">'
                f"{rate:.0%}</text>"
            )
    for i, name in enumerate(labels):
        parts.append(
            f'<text x="{left - 6}" y="{top + i * size + size / 2 + 4}" '
            f'text-anchor="end" font-size="10">true {_text(_clip(name, 12))}</text>'
            f'<text x="{left + i * size + size / 2}" y="{top - 6}" '
            f'text-anchor="middle" font-size="10">{_text(_clip(name, 12))}</text>'
        )
    parts.append(
        f'<text x="{left + size}" y="{top + 2 * size + 16}" text-anchor="middle" '
        f'font-size="10">predicted</text></svg>'
    )
    return "".join(parts)


def _shade(rate: float, full: str) -> str:
    """Blend white towards `full` by `rate` in [0, 1]."""
    rate = max(0.0, min(1.0, rate))
    r, g, b = (int(full[i : i + 2], 16) for i in (1, 3, 5))
    mix = [round(255 + (channel - 255) * rate) for channel in (r, g, b)]
    return "#{:02x}{:02x}{:02x}".format(*mix)


def _label_width(groups: Sequence[str]) -> int:
    """Return the pixels the group labels need, so they are not cut early."""
    longest = max((len(_clip(g, LABEL_CHARS)) for g in groups), default=0)
    return max(MIN_LABEL_WIDTH, math.ceil(longest * CHAR_WIDTH) + 12)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def nice_range(values: Sequence[float], *, log: bool = False) -> tuple[float, float]:
    """Return an axis range that contains `values` with a little padding."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    if log:
        positive = [v for v in finite if v > 0]
        if not positive:
            return 1e-3, 1.0
        low = 10.0 ** math.floor(math.log10(min(positive)))
        high = 10.0 ** math.ceil(math.log10(max(positive)))
        return (low, high) if high > low else (low, low * 10)
    if not finite:
        return 0.0, 1.0
    low, high = min(finite), max(finite)
    pad = (high - low) * 0.1 or abs(high) * 0.1 or 1.0
    return max(0.0, low - pad) if low >= 0 else low - pad, high + pad
