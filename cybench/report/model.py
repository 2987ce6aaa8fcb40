"""The report's content, gathered from the store before any format renders it.

The renderers (HTML, LaTeX, Markdown) read only these objects, so a format
never queries the store and every format shows the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

OVERALL = "overall"
CATEGORY_PREFIX = "category:"
POLICIES = ("all", "parsed")
BASELINE_PREFIX = "baseline:"


@dataclass(frozen=True)
class MetricValue:
    """One metric with its 95% interval; any part is None when undefined."""

    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int | None = None


@dataclass
class Example:
    """One prompt and the model's reply, shown verbatim (escaped) in the HTML."""

    sample_id: str
    y_true: int
    y_pred: int | None
    parse_status: str
    system: str
    user: str
    raw_text: str | None
    explanation: str | None


@dataclass
class Curve:
    """Points of a ROC or precision-recall curve, from the run's p_positive."""

    xs: list[float]
    ys: list[float]
    n: int


@dataclass
class Run:
    """One scored run: a responses artifact and the scores computed from it."""

    key: str
    scores_key: str
    model: str
    model_id: str
    template: str
    metrics: dict[tuple[str, str, str], MetricValue]
    roc: Curve | None = None
    pr: Curve | None = None
    reliability: Curve | None = None
    examples: list[Example] = field(default_factory=list)
    judge: dict[str, MetricValue] = field(default_factory=dict)
    judge_agreement: list[dict] = field(default_factory=list)
    """Per pair of judges and criterion: judges, n, weighted kappa or a note."""

    @property
    def short_key(self) -> str:
        return self.key.split(":", 1)[-1][:12]

    @property
    def label(self) -> str:
        """Name of the run in tables and legends: the model, plus its template.

        Baselines read the sample's features, never the prompt, so their label
        leaves the template out.
        """
        if not self.template or self.model.startswith(BASELINE_PREFIX):
            return self.model
        return f"{self.model} ({self.template})"

    @property
    def template_label(self) -> str:
        """Template shown in run lists: "—" for a baseline, which reads no prompt."""
        if self.is_baseline or not self.template:
            return "—"
        return self.template

    @property
    def is_baseline(self) -> bool:
        return self.model.startswith(BASELINE_PREFIX)

    def metric(
        self, name: str, policy: str = "all", slice_name: str = OVERALL
    ) -> MetricValue | None:
        return self.metrics.get((slice_name, policy, name))

    def value(
        self, name: str, policy: str = "all", slice_name: str = OVERALL
    ) -> float | None:
        found = self.metric(name, policy, slice_name)
        return None if found is None else found.value

    def categories(self) -> list[str]:
        """Return the attack categories this run has per-category scores for."""
        names = {
            s.removeprefix(CATEGORY_PREFIX)
            for s, _, _ in self.metrics
            if s.startswith(CATEGORY_PREFIX)
        }
        return sorted(names)


@dataclass(frozen=True)
class Significance:
    """A paired test of one run against the best run on the same samples."""

    p_value: float | None
    p_adjusted: float | None


@dataclass
class Comparison:
    """Paired tests of every run against the reference (best) run.

    `rows` maps a run key to the compare step's row for that run (see
    `cybench.comparison.Comparison`): McNemar counts and p-values, paired
    bootstrap differences of F1 and ROC-AUC with intervals.
    """

    reference_key: str
    metric: str
    test: str
    correction: str
    by_run: dict[str, Significance] = field(default_factory=dict)
    rows: dict[str, dict] = field(default_factory=dict)


@dataclass
class ReportData:
    """Everything a report shows: runs on one dataset split and their comparison."""

    dataset: str
    split: str
    n: int
    prevalence: float | None
    positive_label: str
    negative_label: str
    runs: list[Run]
    comparison: Comparison | None = None
    warnings: list[str] = field(default_factory=list)

    def categories(self) -> list[str]:
        """Return every category any run has scores for, sorted."""
        return sorted({c for run in self.runs for c in run.categories()})
