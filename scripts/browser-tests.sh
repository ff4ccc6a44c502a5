#!/usr/bin/env bash
# Browser tests of the dashboard (tests/browser, marker `browser`) in Debian's chromium.
# Installs what they need: Debian's chromium (as root, if missing) and the `dashboard` extra into
# .venv. Never runs `playwright install`: Playwright drives /usr/bin/chromium (see
# tests/browser/conftest.py), so no browser is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "browser-tests: /usr/bin/chromium is missing; install it: sudo apt-get install -y chromium" >&2
    exit 1
  fi
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
fi
.venv/bin/python -m pip install --quiet -e '.[dev,dashboard]'
# Playwright must never fetch a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
# The SolaraViz test of docs/mesa.md needs the same extra, not a browser: it runs here too.
exec .venv/bin/python -m pytest -q tests/browser tests/test_mesa_conventions.py -m browser "$@"
