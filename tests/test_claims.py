"""The README's claim about where the split pays off comes from a shipped experiment.

``scripts/crossover.py`` runs ``experiments/coordination_crossover.toml``, stores its cells in
``docs/data/`` and writes ``docs/crossover.md`` and the README's claim from them. These tests
fail when the page or the README no longer say what the stored cells say, and when two of the
stored cells no longer come out of the model (re-run here with the batch's own seeds).
"""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pandas as pd
import pytest

from sim.experiments.batch import execute_run
from sim.experiments.plan import plan_runs
from sim.experiments.spec import load_experiment
from tests.scripts import load_script


@pytest.fixture(scope="module")
def crossover():
    return load_script("crossover")


def test_the_page_and_the_readme_say_what_the_stored_cells_say(crossover):
    """Regenerate with `.venv/bin/python scripts/crossover.py` when the model changes."""
    stored = crossover.read_cells()
    assert crossover.DOC.read_text() == crossover.document(stored)
    assert crossover.readme_block(stored) in crossover.README.read_text()


def test_two_stored_cells_come_out_of_the_model_again(crossover):
    """The corner cells (no coordination cost, and the highest cost and incongruence)."""
    specs = plan_runs(load_experiment(crossover.EXPERIMENT))
    last = max(s.point for s in specs)
    picked = [s for s in specs if s.point in (0, last)]
    spawn = multiprocessing.get_context("spawn")  # forking a threaded pytest can deadlock
    with ProcessPoolExecutor(2, mp_context=spawn) as pool:
        runs = pd.concat([out["runs"] for out in pool.map(execute_run, picked)])
    fresh = crossover.cells(runs)
    key = [crossover.X, crossover.Y, "outcome"]
    stored = crossover.read_cells().merge(fresh[key], on=key)
    assert len(stored) == len(fresh) == 2 * len(crossover.OUTCOMES)
    pd.testing.assert_frame_equal(
        fresh.sort_values(key).reset_index(drop=True),
        stored.sort_values(key).reset_index(drop=True),
        check_exact=True,
        check_dtype=False,
    )
