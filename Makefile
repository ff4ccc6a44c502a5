# The two quick-start commands: `make compare` (the main job) and `make test`.
.PHONY: venv compare headline-figure dashboard test lint format bench docs clean

venv:
	@bash scripts/bootstrap.sh

compare: venv
	.venv/bin/itlead headline

headline-figure: venv
	.venv/bin/itlead headline --figure docs/figures/headline.png

dashboard: venv
	.venv/bin/python -m pip install --quiet -e '.[dev,dashboard]'
	.venv/bin/itlead dashboard

test: venv
	.venv/bin/python -m pytest -q -n 2 --dist loadfile

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

clean:
	rm -rf .venv .pytest_cache .ruff_cache .hypothesis
