#!/usr/bin/env bash
# The EMA Workbench tests (tests/test_ema.py) and scenario discovery's PRIM and CART tests
# (tests/test_discovery.py) with the optional `ema` extra installed into .venv: without it they
# skip, so CI installs it here and runs them.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh
.venv/bin/python -m pip install --quiet -e '.[dev,ema]'
exec .venv/bin/python -m pytest -q -p no:cacheprovider tests/test_ema.py tests/test_discovery.py "$@"
