# The two quick-start commands: `make compare` (the main job) and `make test`.
.PHONY: venv compare headline-figure structure-figure readme-numbers dashboard test test-slow test-all lint format bench docs site evaluation clean

venv:
	@bash scripts/bootstrap.sh

compare: venv
	.venv/bin/itlead headline

headline-figure: venv
	.venv/bin/itlead headline --force --figure docs/figures/headline.png

# Every shipped structure drawn from its file (docs/figures/structures.png; the dashboard draws
# the same pictures).
structure-figure: venv
	.venv/bin/python scripts/structure_figure.py

# Every number and figure the README states, from the shipped experiments (about 20 minutes on
# two cores): the headline figure and the crossover claim (tests/test_headline_figure.py and
# tests/test_claims.py fail when they drift from the code).
readme-numbers: headline-figure
	.venv/bin/python scripts/crossover.py --force

dashboard: venv
	.venv/bin/python -m pip install --quiet -e '.[dev,dashboard]'
	.venv/bin/itlead dashboard

# `make test` leaves out the tests marked slow (each over about 10 s: the calibration patterns
# over 50 seeds, the longest ablations, the memory check) and the browser tests, so it stays under
# five minutes on two cores; `make test-slow` runs the slow ones and CI runs both (.ci/run).
test: venv
	.venv/bin/python -m pytest -q -n 2 --dist loadfile -m "not slow and not browser"

test-slow: venv
	.venv/bin/python -m pytest -q -n 2 --dist loadfile -m "slow and not browser"

# Everything, the browser and EMA Workbench tests included (their scripts install the extras).
test-all: test test-slow
	bash scripts/browser-tests.sh
	bash scripts/ema-tests.sh

lint: venv
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format: venv
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

bench: venv
	.venv/bin/python benchmarks/bench_run.py
	.venv/bin/python benchmarks/bench_batch.py

docs: venv
	.venv/bin/itlead docs --out docs
	.venv/bin/python scripts/validation.py

# The documentation site (mkdocs.yml) in build/site: installs the 'docs' extra, then builds with
# --strict, so a broken link or a docstring mkdocstrings cannot read fails the build (CI runs it).
# NO_MKDOCS_2_WARNING silences mkdocs-material's banner about its successor, not build warnings.
site: venv
	.venv/bin/python -m pip install --quiet -e '.[dev,docs]'
	NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict --site-dir build/site

# The evaluation documents docs/TRACE.md relies on: the warm-up analysis, the calibration
# procedure and the patterns per seed (tests/test_steady_state.py and tests/test_calibration.py
# fail when they drift from the code).
evaluation: venv
	.venv/bin/python scripts/steady_state.py
	.venv/bin/python scripts/calibration.py
	.venv/bin/python scripts/validation.py

clean:
	rm -rf .venv .pytest_cache .ruff_cache .hypothesis
