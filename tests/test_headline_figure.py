"""The README's headline figure comes out of the model again, number for number.

``make headline-figure`` runs ``experiments/structure_comparison_quick.toml`` and copies the
report's comparison figure to ``docs/figures/headline.png`` with the numbers it plots
(``headline.csv``) and its caption (``headline.txt``). This test re-runs the experiment and
draws the figure again: the data and the caption must be the stored ones, byte for byte.
Regenerate with ``make headline-figure`` when the model changes.
"""

from pathlib import Path

import pandas as pd
import pytest

from sim.analysis import plot
from sim.experiments.batch import run_batch

FIGURES = Path(__file__).resolve().parent.parent / "docs" / "figures"


@pytest.mark.slow
def test_the_headline_figure_comes_out_of_the_model_again(tmp_path):
    batch = run_batch("structure_comparison_quick", out=tmp_path / "batch", workers=2)
    paths = plot.comparison(batch, "single_cio", tmp_path / "figures", "double")
    fresh = {p.suffix: p for p in paths}
    assert fresh[".csv"].read_bytes() == (FIGURES / "headline.csv").read_bytes()
    # The caption names the batch folder it was drawn from; the stored one, results/<experiment>.
    caption = fresh[".txt"].read_text().replace(str(batch.folder), "results/" + batch.folder.name)
    assert (
        caption.replace("/batch.", "/structure_comparison_quick.")
        == (FIGURES / "headline.txt").read_text()
    )


def test_the_headline_data_is_the_paired_comparison_of_its_runs_in_percent():
    """Each stored point is the verdict-rule comparison in percent of the reference mean."""
    data = pd.read_csv(FIGURES / "headline.csv", keep_default_na=False)
    assert set(data["reference"]) == {"single_cio"}
    assert set(data["other"]) == {"cio_cto_split", "single_cio_with_deputy"}
    assert (data["n_pairs"] >= 10).all()  # the quick experiment has the rule's minimum
    assert (data["pct_ci_low"].astype(float) > -100.0).all()  # never an impossible interval
    # A filled dot is a verdict, nothing else.
    assert (data["filled_dot"].astype(str) == "True").tolist() == (data["favours"] != "").tolist()
    # Outcomes that cannot be negative are drawn as the ratio of the means.
    ratio = data[data["pct_scale"] == "ratio"]
    assert len(ratio) > 0
    for column, source in (("pct_difference", "ratio"), ("pct_ci_low", "ratio_low")):
        expected = 100.0 * (ratio[source].astype(float) - 1.0)
        assert ratio[column].astype(float).tolist() == pytest.approx(expected.tolist())
