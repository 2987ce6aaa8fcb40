"""Agreement between two judges on the same responses: Cohen's weighted kappa."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cybench.judge.rubric import SCALE

if TYPE_CHECKING:
    from cybench.store import Manifest, Store


def weighted_kappa(a, b) -> tuple[float | None, str | None]:
    """Cohen's kappa with quadratic weights over the 1-5 scale (scikit-learn).

    Returns (kappa, None), or (None, reason) when it is undefined: no pairs, or
    both judges gave one and the same score to everything (0 / 0).
    """
    import warnings

    import numpy as np
    from sklearn.metrics import cohen_kappa_score

    if len(a) == 0:
        return None, "no response was rated by both judges"
    labels = list(range(SCALE[0], SCALE[1] + 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kappa = cohen_kappa_score(a, b, labels=labels, weights="quadratic")
    if not np.isfinite(kappa):
        return None, "both judges gave every response the same score"
    return float(kappa), None


def agreement(table_a, table_b, criteria: list[str]) -> list[dict[str, Any]]:
    """Per criterion: pairs rated `ok` by both judges and their weighted kappa."""
    rated_a = {
        r["response_row_key"]: r
        for r in table_a.to_pylist()
        if r["parse_status"] == "ok"
    }
    rated_b = {
        r["response_row_key"]: r
        for r in table_b.to_pylist()
        if r["parse_status"] == "ok"
    }
    shared = sorted(set(rated_a) & set(rated_b))
    out = []
    for name in criteria:
        a = [rated_a[k][name] for k in shared]
        b = [rated_b[k][name] for k in shared]
        kappa, reason = weighted_kappa(a, b)
        out.append(
            {"criterion": name, "n": len(shared), "kappa": kappa, "note": reason}
        )
    return out


def judge_pairs(
    store: Store, responses: Manifest, rubric_version: int
) -> list[tuple[Manifest, Manifest]]:
    """Return every pair of judgments artifacts of this run by different judges."""
    found = [
        m
        for m in store.manifests("judgments")
        if m.inputs.get("responses") == responses.key
        and m.params.get("rubric_version") == rubric_version
    ]
    newest: dict[str, Manifest] = {}
    for manifest in found:
        newest[manifest.params["judge_model_id"]] = manifest
    judges = list(newest.values())
    return [(a, b) for i, a in enumerate(judges) for b in judges[i + 1 :]]
