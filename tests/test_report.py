"""The strategist's report: renders, is self-contained, and says what `compare` says."""

import re

import numpy as np
import pytest
from click.testing import CliRunner

from sim.analysis.answer import answers, compact_table, comparisons
from sim.analysis.answer import flips as answer_flips
from sim.analysis.stats import paired_comparison
from sim.analysis.tables import render
from sim.cli import main
from sim.experiments.batch import load_batch, run_batch
from tests.conftest import write_early


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    exp = root / "exp.toml"
    write_early("incident_storm", root)  # the storm early enough for 330 ticks
    exp.write_text(
        'scenarios = ["baseline", "incident_storm.toml"]\n'
        'structures = ["single_cio", "cio_cto_split"]\n'
        "replications = 3\nmaster_seed = 11\nsteps = 330\n[constants]\nwarmup = 20\n"
    )
    run_batch(exp, out=root / "batch", workers=1)
    result = CliRunner().invoke(main, ["report", str(root / "batch")])
    assert result.exit_code == 0, result.output
    return root / "batch"


def test_report_is_self_contained_html(folder):
    page = (folder / "report.html").read_text()
    assert page.startswith("<!doctype html>")
    assert "data:image/png;base64," in page
    assert not re.search(r'src="(?!data:)', page)  # nothing fetched from elsewhere
    assert "Assumptions and caveats" in page


def _by_hand(runs, reference, other, scenario, outcome):
    """Pairs by seed (scenario, point, replication) -> (n, mean reference, mean difference)."""
    here = runs[(runs["scenario"] == scenario) & (runs["status"] == "ok")]
    wide = here.pivot_table(
        index=["point", "replication"], columns="structure", values=outcome, aggfunc="first"
    )[[reference, other]].dropna()
    a, b = wide[reference].to_numpy(), wide[other].to_numpy()
    return len(a), float(np.mean(a)), float(np.mean(b - a))


def test_report_numbers_match_compare(folder):
    md = (folder / "report.md").read_text()
    runs = load_batch(folder).runs
    table = paired_comparison(runs, "single_cio")
    assert render(table, "markdown") in md  # the full table, folded in the HTML
    result = CliRunner().invoke(main, ["compare", str(folder), "--format", "markdown"])
    assert result.output == render(table, "markdown")
    # Every row's numbers recomputed from the runs' summaries, pair by pair.
    assert len(table) > 10
    for _, row in table.iterrows():
        n, mean_ref, diff = _by_hand(
            runs, "single_cio", row["other"], row["scenario"], row["outcome"]
        )
        assert (row["n_pairs"], row["mean_reference"]) == (n, pytest.approx(mean_ref, rel=1e-12))
        assert row["mean_difference"] == pytest.approx(diff, rel=1e-9, abs=1e-12), row["outcome"]
    assert set(table["n_pairs"]) == {3}  # replications = 3, every run ok


def test_the_answer_comes_first_and_says_three_pairs_are_too_few(folder):
    md = (folder / "report.md").read_text()
    table = paired_comparison(load_batch(folder).runs, "single_cio")
    found = answers(table)
    assert md.index("## The answer") < md.index("## By scenario") < md.index("## Full comparison")
    for a in found:
        assert a.indicative and f"- {a.headline}" in md
        assert "3 paired runs are too few for a verdict" in a.headline
    assert "Indicative only" in md
    assert set(table["favours"]) == {""}  # the rule gives no verdict below 10 pairs


def test_the_compact_table_restates_the_comparison_in_words(folder):
    md = (folder / "report.md").read_text()
    runs = load_batch(folder).runs
    table = paired_comparison(runs, "single_cio")
    for rows in comparisons(table):
        compact = compact_table(rows)
        assert render(compact, "markdown") in md
        value = compact[compact["outcome"].str.startswith("business value delivered")].iloc[0]
        _, mean_ref, diff = _by_hand(
            runs, "single_cio", "cio_cto_split", rows["scenario"].iloc[0], "value_delivered"
        )
        assert value["single CIO"] == f"{mean_ref:.4g}"
        # A non-negative outcome: the ratio of the means, as a percentage.
        assert value["CIO/CTO split vs single CIO"].startswith(f"{100 * diff / mean_ref:+.1f}% ")
        assert value["verdict"].startswith("too few pairs (3; at least 10)")


def test_report_refuses_a_single_structure_batch(tmp_path):
    exp = tmp_path / "one.toml"
    exp.write_text(
        'scenarios = ["baseline"]\nstructures = ["single_cio"]\nreplications = 1\n'
        "master_seed = 1\nsteps = 60\n[constants]\nwarmup = 10\n"
    )
    run_batch(exp, out=tmp_path / "b")
    result = CliRunner().invoke(main, ["report", str(tmp_path / "b")])
    assert result.exit_code == 2


def _report(tmp_path, experiment: str) -> str:
    """Run ``experiment`` (TOML text) into ``tmp_path / "b"``, report it; the Markdown."""
    exp = tmp_path / "exp.toml"
    exp.write_text(experiment)
    run_batch(exp, out=tmp_path / "b", workers=1)
    result = CliRunner().invoke(main, ["report", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    return (tmp_path / "b" / "report.md").read_text()


def test_the_split_is_also_read_against_its_capacity_control(tmp_path):
    md = _report(
        tmp_path,
        'scenarios = ["baseline"]\n'
        'structures = ["single_cio", "cio_cto_split", "single_cio_with_deputy"]\n'
        "replications = 2\nmaster_seed = 5\nsteps = 150\n[constants]\nwarmup = 20\n",
    )
    heading = "## Capacity or division of rights: CIO/CTO split against single CIO with deputy"
    assert heading in md
    against = paired_comparison(
        load_batch(tmp_path / "b").runs, "single_cio_with_deputy", others=["cio_cto_split"]
    )
    (found,) = answers(against)
    assert found.headline in md.split(heading)[1]
    assert all(line in md.split(heading)[1] for line in found.groups)


def test_a_sweep_is_reported_point_by_point_never_pooled(tmp_path):
    md = _report(
        tmp_path,
        'scenarios = ["baseline"]\nstructures = ["single_cio", "cio_cto_split"]\n'
        "replications = 2\nmaster_seed = 4\nsteps = 150\n[constants]\nwarmup = 20\n"
        "[uncertainties.coordination_multiplier]\nvalues = [0.0, 5.0]\n"
        '[design]\nkind = "full_factorial"\n',
    )
    runs = load_batch(tmp_path / "b").runs
    table = paired_comparison(runs, "single_cio")
    assert sorted(set(table["param.coordination_multiplier"])) == [0.0, 5.0]
    assert set(table["n_pairs"]) == {2}  # per point, not the 4 a pooled table would have
    for lever in (0, 5):
        assert f"- Steady load at coordination_multiplier = {lever}: 2 paired runs" in md
    assert not list((tmp_path / "b" / "figures").glob("comparison_vs_*"))
    # Where the verdict changes side, the report says at which lever values.
    flipped = answer_flips(table)
    assert all(sentence in md for sentence in flipped)
    sides = table.groupby("outcome")["favours"].agg(
        lambda f: {"single_cio", "cio_cto_split"} <= set(f)
    )
    assert len(flipped) == int(sides.sum())
    refused = CliRunner().invoke(main, ["plot", str(tmp_path / "b"), "--kind", "comparison"])
    assert refused.exit_code != 0 and "sweeps coordination_multiplier" in refused.output
