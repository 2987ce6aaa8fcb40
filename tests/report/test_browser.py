"""Open the HTML report in headless Chromium: charts render, planted scripts stay inert.

The control tests load the same payloads unescaped and without a CSP, to show
that the DOM checks do see a script or handler that runs.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from cybench.report import build_report
from tests.report.builders import IMG_PAYLOAD, SCRIPT_PAYLOAD, scored_runs
from tests.report.conftest import CATEGORIES
from tests.report.tools import require_program

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "report"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
PWNED_BODY = re.compile(r"<body[^>]*data-pwned")

pytestmark = pytest.mark.browser


def _chromium(folder: Path, page: Path, *extra: str) -> subprocess.CompletedProcess:
    binary = require_program("chromium", "chromium-browser", "google-chrome")
    profile = folder / f"profile-{len(list(folder.iterdir()))}"
    command = [binary, *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def _dump_dom(folder: Path, page: Path) -> str:
    done = _chromium(folder, page, "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def report_page(tmp_path_factory) -> Path:
    from cybench.store import Store

    folder = tmp_path_factory.mktemp("browser")
    store = Store(folder / "store")
    runs = scored_runs(
        store,
        models=("llamacpp:qwen<b>_&%", "baseline:random-forest"),
        categories=CATEGORIES,
    )
    path = folder / "report.html"
    path.write_text(build_report(store, [r.key for r in runs], fmt="html"))
    return path


@pytest.fixture(scope="module")
def dom(report_page) -> str:
    """The report's DOM as Chromium serialises it after loading the page."""
    return _dump_dom(report_page.parent, report_page)


def test_charts_render_as_svg(dom):
    assert len(re.findall(r'<svg[^>]*class="chart ', dom)) >= 8


def test_chart_series_drawn(dom):
    # ROC, precision-recall and reliability curves, two runs each
    assert dom.count('<polyline class="series"') == 6


def test_planted_script_did_not_run(dom):
    assert 'id="pwned"' not in dom


def test_title_unchanged_by_planted_script(dom):
    assert "<title>cybench report: phishing-email</title>" in dom


def test_planted_onerror_did_not_run(dom):
    assert PWNED_BODY.search(dom) is None


def test_dom_has_no_script_element(dom):
    assert "<script" not in dom.lower()


def _control(tmp_path: Path, payload: str) -> str:
    page = tmp_path / "control.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>t</title></head>"
        f"<body>{payload}</body></html>"
    )
    return _dump_dom(tmp_path, page)


def test_control_unescaped_script_runs(tmp_path):
    assert 'id="pwned"' in _control(tmp_path, SCRIPT_PAYLOAD)


def test_control_unescaped_onerror_runs(tmp_path):
    assert PWNED_BODY.search(_control(tmp_path, IMG_PAYLOAD)) is not None


def test_screenshot_kept_as_artifact(report_page, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    done = _chromium(
        tmp_path,
        report_page,
        f"--screenshot={shot}",
        "--window-size=1280,4200",
        "--hide-scrollbars",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
