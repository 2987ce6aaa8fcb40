#!/usr/bin/env bash
# Install the system tools the report tests drive: Debian's headless Chromium
# and texlive's pdflatex with booktabs. Needs root and apt-get. Without them it
# prints what is missing, and those tests skip unless CYBENCH_REQUIRE_TOOLS=1.
set -euo pipefail

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v pdflatex >/dev/null || need+=(texlive-latex-base texlive-latex-recommended)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "setup: missing ${need[*]}; install them to run the browser and TeX tests" >&2
    exit 0
fi
echo "setup: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
