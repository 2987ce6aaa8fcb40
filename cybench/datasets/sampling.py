"""Seeded choice of the prompt set and of the few-shot examples, in DuckDB.

Both read only the `sample_id`, `split`, `label` and `category` columns of the
samples Parquet file. Order within a class is md5(sample_id, seed, purpose),
so the choice depends on the seed and the content only, never on file order.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cybench.datasets.prep import PrepConfig


def _ranked_sql(path: Path, split: str, seed: int, purpose: str) -> str:
    file = str(path).replace("'", "''")
    return f"""
        SELECT sample_id, coalesce(category, label) AS cls, label,
               row_number() OVER (
                   PARTITION BY coalesce(category, label)
                   ORDER BY md5(sample_id || ':{int(seed)}:{purpose}'), sample_id
               ) - 1 AS r
        FROM read_parquet('{file}') WHERE split = '{split}'
    """


def _query(sql: str) -> list[tuple]:

    from cybench.datasets.duck import connect

    con = connect()
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def natural_quotas(sizes: dict[str, int], n: int) -> dict[str, int]:
    """Split `n` over classes in proportion to `sizes`, at least one per class.

    Largest-remainder rounding; the total exceeds `n` only when there are
    more classes than `n`, because every class keeps one record.
    """
    total = sum(sizes.values())
    exact = {c: n * size / total for c, size in sizes.items()}
    quotas = {c: max(1, math.floor(v)) for c, v in exact.items()}
    spare = n - sum(quotas.values())
    by_remainder = sorted(
        exact, key=lambda c: (exact[c] - math.floor(exact[c]), c), reverse=True
    )
    for cls in by_remainder[: max(spare, 0)]:
        quotas[cls] += 1
    return {c: min(q, sizes[c]) for c, q in quotas.items()}


def sample_ids(path: Path, config: PrepConfig) -> list[str]:
    """Return the sample_ids of the prompt set, interleaved across classes.

    Balanced: the first `per_class` of every class (all of a smaller class).
    Natural: `natural_quotas` of `n`. The list alternates classes (rank 0 of
    each class, then rank 1, ...), so `limit` keeps a spread of classes.
    """
    file = str(path).replace("'", "''")
    split = config.split.replace("'", "''")
    sizes = dict(
        _query(
            "SELECT coalesce(category, label), count(*) FROM "
            f"read_parquet('{file}') WHERE split = '{split}' GROUP BY ALL"
        )
    )
    if not sizes:
        return []
    if config.prevalence == "natural":
        quotas = natural_quotas(sizes, config.n or 1)
    else:
        quotas = {cls: config.per_class or 1 for cls in sizes}
    ranked = _ranked_sql(path, config.split, config.seed, "eval")
    rows = _query(
        f"SELECT sample_id, cls, r FROM ({ranked}) WHERE r < {max(quotas.values())}"
    )
    picked = sorted((r, cls, sid) for sid, cls, r in rows if r < quotas[cls])
    ids = [sid for _, _, sid in picked]
    return ids[: config.limit] if config.limit else ids


def few_shot_ids(path: Path, config: PrepConfig) -> list[str]:
    """Return `k` train-split sample_ids for few-shot examples, both labels present.

    Examples alternate positive and negative labels and spread over classes,
    and the same examples serve every prompt of the set.
    """
    rows = _query(
        "SELECT sample_id, cls, label, r "
        f"FROM ({_ranked_sql(path, 'train', config.seed, 'shot')}) "
        f"WHERE r < {int(config.k)}"
    )
    by_label: dict[str, list[tuple[int, str, str]]] = {}
    for sid, cls, label, r in rows:
        by_label.setdefault(label, []).append((r, cls, sid))
    queues = [sorted(items) for _, items in sorted(by_label.items())]
    chosen: list[str] = []
    while len(chosen) < config.k and any(queues):
        for queue in queues:
            if queue and len(chosen) < config.k:
                chosen.append(queue.pop(0)[2])
    return chosen
