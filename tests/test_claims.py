"""The README's claim about where the split pays off comes from a shipped experiment.

``scripts/crossover.py`` runs ``experiments/coordination_crossover.toml``, stores its cells in
``docs/data/`` and writes ``docs/crossover.md`` and the README's claim from them. These tests
fail when the page or the README no longer say what the stored cells say, when a stored verdict
does not follow the verdict rule, when the stored file no longer reads back bit for bit, and
when a stored cell no longer comes out of the model (re-run here with the batch's own seeds).
"""

import math
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np
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
    readme = crossover.README.read_text()
    assert crossover.readme_block(stored) in readme
    # The counts in the README's sentences, counted here from the stored verdicts.
    assert len(stored) == 36 * len(crossover.OUTCOMES)
    for outcome, (words, _, _) in crossover.OUTCOMES.items():
        part = stored[stored["outcome"] == outcome]
        split = int((part["favours"] == "cio_cto_split").sum())
        single = int((part["favours"] == "single_cio").sum())
        assert (
            f"On {words}, the CIO/CTO split does better in {split} of 36 cells and the single"
            f" CIO in {single} by the verdict rule (`docs/crossover.md`; 20 paired replications"
            " per cell)" in readme
        )


def test_every_stored_verdict_follows_the_rule(crossover):
    """Holm over the cell's outcomes, at least 10 pairs, 5%, interval clear of zero, BCa from 20."""
    stored = crossover.read_cells()
    assert (stored["n_pairs"] == 20).all()
    assert (stored["ci_method"] == "bca").all()  # 20 pairs: the BCa bootstrap, not the t
    assert np.allclose(
        stored["mean_difference"], stored["mean_other"] - stored["mean_reference"], atol=1e-9
    )
    for _, cell in stored.groupby([crossover.X, crossover.Y]):
        assert sorted(cell["outcome"]) == sorted(crossover.OUTCOMES)
        # Holm for two tests: the smaller p doubled, the larger kept but never below the first.
        p = cell["p_value"].to_numpy()
        small, large = np.argsort(p, kind="stable")
        expected = np.empty(2)
        expected[small] = min(1.0, 2.0 * p[small])
        expected[large] = max(expected[small], min(1.0, p[large]))
        assert cell["p_holm"].tolist() == expected.tolist()
        for _, row in cell.iterrows():
            higher = crossover.OUTCOMES[row["outcome"]][2] == "higher"
            clear = row["ci_low"] > 0 or row["ci_high"] < 0
            wins = row["n_pairs"] >= 10 and row["p_holm"] < 0.05 and clear
            split_higher = row["ci_low"] > 0
            want = ("cio_cto_split" if split_higher == higher else "single_cio") if wins else ""
            assert row["favours"] == want, row.to_dict()
            if want:
                assert row["verdict"] == f"{want} does better"
                continue
            assert row["verdict"].startswith("not distinguishable with 20 pairs")
            needed = row["pairs_needed"]
            assert needed >= 10
            if math.isinf(needed):
                assert row["verdict"].endswith("more than 10,000 pairs would be needed")
            elif needed > 20:
                assert row["verdict"].endswith(f"about {int(needed)} pairs for a reliable answer")
    # Both structures win somewhere and most cells have no winner: the checks above have bite.
    assert set(stored["favours"]) == {"", "cio_cto_split", "single_cio"}


def test_the_stored_cells_read_back_bit_for_bit(crossover, tmp_path):
    """%.17g out, the C parser in: the same doubles, inf and NaN included, texts untouched."""
    table = crossover.read_cells().head(4).copy()
    table["pairs_needed"] = [math.inf, math.nan, 31.0, 10.0]
    table["mean_difference"] = [0.1 + 0.2, -0.0, 5e-324, 1.7976931348623157e308]
    table["favours"] = ["", "single_cio", "", "cio_cto_split"]
    path = tmp_path / "cells.csv"
    crossover.write_cells(table, path)
    back = crossover.read_cells(path)
    for column in crossover.FLOATS:
        assert back[column].dtype == np.float64, column
        # Bits, not ==: -0.0 and the NaN must come back as they went (and NaN != NaN).
        assert back[column].to_numpy().view(np.uint64).tolist() == (
            table[column].to_numpy(dtype=float).view(np.uint64).tolist()
        ), column
    assert back["favours"].tolist() == ["", "single_cio", "", "cio_cto_split"]
    others = [*crossover.TEXTS, "n_pairs"]
    assert back[others].equals(table[others])


@pytest.mark.slow
def test_a_stored_cell_comes_out_of_the_model_again(crossover):
    """The far corner (highest coordination cost and goal incongruence), with all its pairs.

    One cell, not two: its two outcomes already give both kinds of verdict (a winner and none),
    and the rule needs every pair of the cell, so the replications cannot be cut.
    """
    specs = plan_runs(load_experiment(crossover.EXPERIMENT))
    last = max(s.point for s in specs)
    picked = [s for s in specs if s.point == last]
    assert len(picked) == 2 * 20
    spawn = multiprocessing.get_context("spawn")  # forking a threaded pytest can deadlock
    with ProcessPoolExecutor(2, mp_context=spawn) as pool:
        runs = pd.concat([out["runs"] for out in pool.map(execute_run, picked)])
    fresh = crossover.cells(runs)
    key = [crossover.X, crossover.Y, "outcome"]
    stored = crossover.read_cells().merge(fresh[key], on=key)
    assert len(stored) == len(fresh) == len(crossover.OUTCOMES)
    assert fresh[[crossover.X, crossover.Y]].drop_duplicates().values.tolist() == [[5.0, 5.0]]
    # The means, recomputed here from the fresh runs.
    ok = runs[runs["status"] == "ok"]
    for _, row in stored.iterrows():
        by = ok.groupby("structure")[row["outcome"]].mean()
        assert row["mean_reference"] == pytest.approx(by["single_cio"], rel=1e-12)
        assert row["mean_other"] == pytest.approx(by["cio_cto_split"], rel=1e-12)
    pd.testing.assert_frame_equal(
        fresh.sort_values(key).reset_index(drop=True),
        stored.sort_values(key).reset_index(drop=True),
        check_exact=True,
    )
