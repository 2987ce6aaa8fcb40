"""Vectorised, seeded bootstrap over cell counts.

Every metric here depends on a resample only through how many times each
*cell* occurs in it. A cell is a combination of row attributes such as
(true class, predicted class) or (score group, true class). Resampling n rows
with replacement gives cell counts with a multinomial(n, cell shares)
distribution. So with few cells (at most n / 8) the resampler draws those
counts directly. With more cells it draws an index matrix of shape
(resamples, n) in chunks and counts cells with one `bincount` per chunk. Both
ways give the same bootstrap distribution as drawing row indices, and the seed
fixes which resamples are drawn.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cybench.metrics.counts import Array

CONFIDENCE_LEVEL = 0.95
# Elements per chunk of count or index matrices: keeps each temporary near 8 MiB.
CHUNK_ELEMENTS = 1 << 20
MULTINOMIAL_MAX_SHARE = 8


@dataclass(frozen=True)
class Cells:
    """One assignment of rows to cells: `ids[i]` in range(size) for row i."""

    ids: NDArray[np.int64]
    size: int


def cells(ids: ArrayLike, size: int) -> Cells:
    return Cells(np.asarray(ids, dtype=np.int64), int(size))


def _joint(assignments: Sequence[Cells]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Return (joint cell of each row, first row of each joint cell)."""
    combined = np.zeros(len(assignments[0].ids), dtype=np.int64)
    span = 1
    for a in assignments:
        span *= a.size
        if span >= 2**62:
            stacked = np.stack([a.ids for a in assignments], axis=1)
            _, first, inverse = np.unique(
                stacked, axis=0, return_index=True, return_inverse=True
            )
            return inverse.reshape(-1), first
        combined = combined * a.size + a.ids
    _, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
    return inverse.reshape(-1), first


class Resampler:
    """Seeded bootstrap resamples of n rows, reported as cell counts per chunk."""

    def __init__(self, n: int, resamples: int, seed: int | Sequence[int]) -> None:
        self.n = n
        self.resamples = resamples
        self.seed = seed

    def counts(self, assignments: Sequence[Cells]) -> Iterator[list[Array]]:
        """Yield, per chunk of resamples, one (chunk, size) count matrix per assignment.

        Every assignment is counted on the same resamples, which is what makes
        paired differences paired.
        """
        if self.n == 0 or self.resamples == 0:
            return
        rng = np.random.default_rng(self.seed)
        joint, first = _joint(assignments)
        if len(first) * MULTINOMIAL_MAX_SHARE <= self.n:
            yield from self._multinomial(rng, joint, first, assignments)
            return
        yield from self._index_matrix(rng, assignments)

    def _chunks(self, width: int) -> Iterator[int]:
        size = max(1, CHUNK_ELEMENTS // max(width, 1))
        done = 0
        while done < self.resamples:
            step = min(size, self.resamples - done)
            yield step
            done += step

    def _multinomial(self, rng, joint, first, assignments) -> Iterator[list[Array]]:
        from scipy.sparse import csr_array

        n_joint = len(first)
        shares = np.bincount(joint, minlength=n_joint) / self.n
        maps = [
            csr_array(
                (np.ones(n_joint), (np.arange(n_joint), a.ids[first])),
                shape=(n_joint, a.size),
            )
            for a in assignments
        ]
        width = max([n_joint] + [a.size for a in assignments])
        for step in self._chunks(width):
            drawn = rng.multinomial(self.n, shares, size=step).astype(np.float64)
            yield [np.asarray((m.T @ drawn.T).T) for m in maps]

    def _index_matrix(self, rng, assignments) -> Iterator[list[Array]]:
        for step in self._chunks(self.n):
            index = rng.integers(0, self.n, size=(step, self.n))
            out = []
            for a in assignments:
                offsets = (np.arange(step, dtype=np.int64) * a.size)[:, None]
                flat = (a.ids[index] + offsets).ravel()
                counted = np.bincount(flat, minlength=step * a.size)
                out.append(counted.reshape(step, a.size).astype(np.float64))
            yield out


def percentile_interval(
    values: ArrayLike, level: float = CONFIDENCE_LEVEL
) -> tuple[float, float]:
    """Percentile interval of resampled values, skipping NaN (resamples where the
    metric is undefined); (NaN, NaN) when every resample is NaN."""
    v = np.asarray(values, dtype=np.float64)
    v = v[~np.isnan(v)]
    if v.size == 0:
        return float("nan"), float("nan")
    tail = (1.0 - level) / 2 * 100
    low, high = np.percentile(v, [tail, 100 - tail])
    return float(low), float(high)
