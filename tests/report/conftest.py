from __future__ import annotations

import pytest

from tests.report.builders import scored_runs

CATEGORIES = ["Normal", "Exploits", "DoS", "Back<door>&_%"]


@pytest.fixture
def two_runs(store):
    """Two scored runs of a planted email dataset with attack categories."""
    return scored_runs(
        store,
        models=("llamacpp:qwen<b>_&%", "baseline:random-forest"),
        categories=CATEGORIES,
    )
