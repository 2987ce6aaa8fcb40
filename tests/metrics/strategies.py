"""Hypothesis strategies: random binary labels, predictions and scores."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st


@st.composite
def labelled(draw, min_size: int = 2, max_size: int = 300, both_classes: bool = True):
    """Return (y_true, y_pred, scores) as NumPy arrays.

    Scores are rounded to 1, 2 or 6 decimals, so most draws contain ties.
    """
    n = draw(st.integers(min_size, max_size))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    if both_classes:
        y[0], y[1] = 0, 1
    y_pred = rng.integers(0, 2, n)
    decimals = draw(st.sampled_from([1, 2, 6]))
    scores = np.round(rng.random(n), decimals)
    return y, y_pred, scores
