"""Find the external programs the browser and TeX tests need.

A missing program skips the test on a developer's machine, but fails it when
CYBENCH_REQUIRE_TOOLS=1 (CI sets it), so CI never passes by skipping.
"""

from __future__ import annotations

import os
import shutil

import pytest

REQUIRE_ENV = "CYBENCH_REQUIRE_TOOLS"


def require_program(*names: str) -> str:
    """Return the path of the first program found among `names`, or skip/fail."""
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    message = f"none of {', '.join(names)} is installed"
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{message}, and {REQUIRE_ENV}=1 requires it")
    pytest.skip(message)
