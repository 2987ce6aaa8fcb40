#!/usr/bin/env bash
# Install everything the tests use (scripts/setup.sh, plus headless Chromium
# and a TeX engine where apt-get is available as root), then run the suite.
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/setup-test-tools.sh

exec .venv/bin/python -m pytest "$@"
