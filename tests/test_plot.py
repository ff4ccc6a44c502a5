"""Charts of a batch (sim.analysis.plot) and the ``itlead plot`` command, on tiny batches.

Checked for every kind: the four files are written, the PNG is 300 dpi, the PDF embeds TrueType
(no Type 3) fonts, the caption states n, and the CSV holds the plotted columns.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from PIL import Image
from scipy import stats

from sim.analysis import plot
from sim.cli import main
from sim.errors import ConfigError, ParameterError
from sim.experiments.batch import load_batch, run_batch

HEAD = """
description = "tiny"
structures = ["single_cio", "cio_cto_split"]
replications = {reps}
master_seed = 7
steps = {steps}
outcomes = ["value_delivered", "business_trust_mean", "exec_utilisation_max"]

[constants]
warmup = 10
"""
COMPARE = HEAD.format(reps=3, steps=60) + '\nscenarios = ["baseline", "incident_storm"]\n'
CROSS = (
    HEAD.format(reps=1, steps=60)
    + """scenarios = ["baseline"]

[uncertainties.request_rate]
low = 0.6
high = 1.1
levels = 2

[uncertainties.coordination_multiplier]
low = 0.0
high = 6.0
levels = 2

[design]
kind = "full_factorial"
"""
)
MORRIS = """
description = "tiny morris"
scenarios = ["baseline"]
structures = ["single_cio"]
replications = 1
master_seed = 8
steps = 60
outcomes = ["value_delivered"]

[constants]
warmup = 10

[uncertainties.trust_forgetting]
low = 0.95
high = 0.995

[uncertainties.coordination_multiplier]
low = 0.5
high = 3.0

[design]
kind = "morris"
n = 3
morris_levels = 4
"""
STORM = """
description = "An incident storm early enough for a short run."
base = "baseline"

[[shocks]]
kind = "incident_storm"
at = 30
duration = 10
magnitude = 4.0
"""
# scenarios must come before tables in TOML: move the scenarios line to the top.
COMPARE = 'scenarios = ["baseline", "storm.toml"]\n' + HEAD.format(reps=3, steps=60)
CROSS = 'scenarios = ["baseline"]\n' + CROSS.replace('scenarios = ["baseline"]\n', "")


def _batch(tmp: Path, name: str, text: str):
    path = tmp / f"{name}.toml"
    path.write_text(text)
    return run_batch(path, out=tmp / name, workers=1)


@pytest.fixture(scope="module")
def batches(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("plotbatches")
    (tmp / "storm.toml").write_text(STORM)
    return {
        "compare": _batch(tmp, "compare", COMPARE),
        "cross": _batch(tmp, "cross", CROSS),
        "morris": _batch(tmp, "morris", MORRIS),
    }


def _render(kind: str, batches: dict, out: Path) -> list[Path]:
    if kind == "timeseries":
        return plot.timeseries(batches["compare"], "business_trust_mean", "baseline", out)
    if kind == "comparison":
        return plot.comparison(batches["compare"], "single_cio", out, "double")
    if kind == "crossover":
        return plot.crossover(
            batches["cross"],
            "request_rate",
            "coordination_multiplier",
            "value_delivered",
            "single_cio",
            "cio_cto_split",
            out,
        )
    if kind == "sensitivity":
        return plot.sensitivity(batches["morris"], "value_delivered", "single_cio", out)
    return plot.time_allocation(batches["compare"], out, "slides")


PLOTTED = {
    "timeseries": {"structure", "tick", "mean", "ci_low", "ci_high", "n"},
    "comparison": {"scenario", "outcome", "other", "pct_difference", "pct_ci_low", "n_pairs"},
    "crossover": {"request_rate", "coordination_multiplier", "mean_difference", "n_pairs"},
    "sensitivity": {"parameter", "mu_star", "mu_star_conf", "sigma", "above_dummy"},
    "allocation": {"structure", "share_people", "nontechnical_mean", "survey_low", "n"},
}


def _per_structure(runs: pd.DataFrame) -> int:
    """Runs per structure, the same for every structure (else the batch is not paired)."""
    (count,) = set(runs.groupby("structure").size())
    return int(count)


def _caption_n(kind: str, batches: dict) -> tuple[str, int]:
    """The caption's n (a pattern for it) and that count read from the batch folder."""
    runs = {k: b.runs for k, b in batches.items()}
    baseline = runs["compare"][runs["compare"]["scenario"] == "baseline"]
    if kind == "timeseries":
        return r"(\d+) seeded replications", _per_structure(baseline)
    if kind == "allocation":
        return r"n = (\d+) runs per structure", _per_structure(baseline)
    if kind == "comparison":
        return r"n = (\d+) pairs", _per_structure(baseline)
    if kind == "crossover":
        cells = runs["cross"].groupby(["structure", "point"]).size()
        return r"n = (\d+) pairs", int(cells.max())
    morris = runs["morris"]  # trajectories of one point more than the parameters and the dummy
    return r"n = (\d+) trajectories", morris["point"].nunique() // (len(MORRIS_BOUNDS) + 2)


MORRIS_BOUNDS = {"trust_forgetting": (0.95, 0.995), "coordination_multiplier": (0.5, 3.0)}


def _check_numbers(kind: str, batches: dict, data: pd.DataFrame) -> None:
    """The plotted CSV's numbers recomputed from the batch's runs and ticks."""
    if kind == "sensitivity":
        from .test_analysis import _design, _morris_mu_star

        x, y = _design(batches["morris"].folder, MORRIS_BOUNDS)
        expected = _morris_mu_star(x, y)
        shown = data.set_index("parameter").loc[[*MORRIS_BOUNDS, "dummy"], "mu_star"]
        assert shown.to_numpy() == pytest.approx(expected, rel=1e-9)
        return
    if kind == "crossover":
        runs = batches["cross"].runs
        keys = ["param.request_rate", "param.coordination_multiplier"]
        wide = runs.pivot_table(index=keys, columns="structure", values="value_delivered")
        for _, row in data.iterrows():
            cell = wide.loc[(row["request_rate"], row["coordination_multiplier"])]
            expected = cell["cio_cto_split"] - cell["single_cio"]
            assert row["mean_difference"] == pytest.approx(expected, rel=1e-9)
        assert len(data) == len(wide) == 4  # the 2 x 2 grid
        return
    runs = batches["compare"].runs
    baseline = runs[runs["scenario"] == "baseline"]
    if kind == "comparison":
        wide = baseline.pivot(index="replication", columns="structure", values="value_delivered")
        difference = (wide["cio_cto_split"] - wide["single_cio"]).mean()
        row = data[(data["scenario"] == "baseline") & (data["outcome"] == "value_delivered")]
        assert row["mean_difference"].item() == pytest.approx(difference, rel=1e-9, abs=1e-12)
        percent = 100 * difference / wide["single_cio"].mean()
        assert row["pct_difference"].item() == pytest.approx(percent, rel=1e-9, abs=1e-12)
    elif kind == "allocation":
        means = baseline.groupby("structure")[["cio_share_people", "cio_nontechnical_share"]].mean()
        shown = data.set_index("structure").loc[means.index]
        assert shown["share_people"].to_numpy() == pytest.approx(means["cio_share_people"])
        assert shown["nontechnical_mean"].to_numpy() == pytest.approx(
            means["cio_nontechnical_share"]
        )
    else:  # timeseries: each run smoothed by a trailing 20-tick mean, then averaged per tick
        ticks = batches["compare"].ticks.set_index(["run_id", "tick"])["business_trust_mean"]
        tick = 40
        for structure, group in baseline.groupby("structure"):
            smoothed = [ticks.loc[r].to_numpy()[tick - 19 : tick + 1].mean() for r in group.run_id]
            row = data[(data["structure"] == structure) & (data["tick"] == tick)]
            assert row["mean"].item() == pytest.approx(np.mean(smoothed), rel=1e-9)
            assert row["n"].item() == len(smoothed)


@pytest.mark.parametrize("kind", list(plot.KINDS))
def test_every_kind_writes_four_print_ready_files(kind, batches, tmp_path):
    paths = _render(kind, batches, tmp_path)
    assert [p.suffix for p in paths] == [".pdf", ".png", ".csv", ".txt"]
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)
    pdf, png, csv, txt = paths
    with Image.open(png) as image:
        dpi = image.info["dpi"]
    assert dpi == pytest.approx((300, 300), abs=0.5)
    body = pdf.read_bytes()
    assert b"/Type3" not in body and b"/Subtype /Type3" not in body
    assert b"/TrueType" in body or b"/Type0" in body or b"/CIDFontType2" in body
    caption = txt.read_text()
    pattern, n = _caption_n(kind, batches)
    stated = re.search(pattern, caption)
    assert stated and int(stated.group(1)) == n, (caption, n)
    data = pd.read_csv(csv)
    assert PLOTTED[kind] <= set(data.columns), set(data.columns)
    assert len(data) > 0
    _check_numbers(kind, batches, data)


# --- The comparison chart on synthetic paired runs (issue 13: honest relative differences) ---

# Shadow share of the reference (positive) and of the other structure (zero in seven pairs of
# eight): the mean difference's t-interval over the reference mean reaches below -100%.
SHADOW_REF = np.array([0.8, 1.1, 0.9, 1.3, 1.0, 0.7, 1.2, 1.0])
SHADOW_OTHER = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.4])
COST_REF = np.array([80.0, 82.0, 79.0, 81.0, 83.0, 78.0, 80.0, 81.0])
COST_OTHER = COST_REF * np.array([1.03, 1.01, 1.04, 1.02, 1.03, 1.02, 1.05, 1.01])
# Takes negative values: drawn as the mean difference over the reference's absolute mean.
ALIGN_REF = np.array([-0.2, 0.1, 0.3, -0.1, 0.2, 0.0, 0.4, 0.1])
ALIGN_OTHER = ALIGN_REF + 0.01 * np.array([1.0, -1.0, 2.0, 0.0, 1.0, -2.0, 1.0, 0.0])


def _paired_batch(folder: Path, values: dict) -> SimpleNamespace:
    """A batch-like object (folder and runs) from ``{(scenario, structure): {outcome: values}}``.

    Replication ``k`` of every structure in a scenario shares its seed, so the runs pair up as
    in a real batch of one design point.
    """
    rows = []
    for (scenario, structure), outcomes in values.items():
        count = len(next(iter(outcomes.values())))
        for k in range(count):
            rows.append(
                {"run_id": f"{scenario}-{structure}-{k}", "scenario": scenario, "point": 0}
                | {"replication": k, "structure": structure, "seed": 100 + k, "status": "ok"}
                | {outcome: float(v[k]) for outcome, v in outcomes.items()}
            )
    folder.mkdir(parents=True, exist_ok=True)
    return SimpleNamespace(folder=folder, runs=pd.DataFrame(rows))


def _ratio_by_delta_method(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Ratio of means b/a and its 95% interval: t-interval of the log ratio, paired delta method."""
    n = len(a)
    ma, mb = a.mean(), b.mean()
    cov_ab = np.cov(a, b, ddof=1)[0, 1]
    var_log = b.var(ddof=1) / (n * mb**2) + a.var(ddof=1) / (n * ma**2)
    var_log -= 2 * cov_ab / (n * ma * mb)
    half = stats.t.ppf(0.975, n - 1) * np.sqrt(var_log)
    return mb / ma, mb / ma * np.exp(-half), mb / ma * np.exp(half)


def _t_interval(diff: np.ndarray) -> tuple[float, float]:
    half = stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / np.sqrt(len(diff))
    return diff.mean() - half, diff.mean() + half


def _comparison_csv(batch, outcomes: list[str], out: Path) -> tuple[pd.DataFrame, str]:
    paths = plot.comparison(batch, "single_cio", out, "single", outcomes=outcomes)
    return pd.read_csv(paths[2]), paths[3].read_text()


def test_comparison_percent_of_a_non_negative_outcome_never_passes_minus_100(tmp_path):
    outcomes = ["shadow_share", "it_cost", "strategic_alignment"]
    batch = _paired_batch(
        tmp_path / "batch",
        {
            ("baseline", "single_cio"): dict(
                zip(outcomes, (SHADOW_REF, COST_REF, ALIGN_REF), strict=True)
            ),
            ("baseline", "cio_cto_split"): dict(
                zip(outcomes, (SHADOW_OTHER, COST_OTHER, ALIGN_OTHER), strict=True)
            ),
        },
    )
    # The old percent interval (mean difference over the reference mean) passes -100%.
    old_low = 100 * _t_interval(SHADOW_OTHER - SHADOW_REF)[0] / SHADOW_REF.mean()
    assert old_low < -100
    data, _ = _comparison_csv(batch, outcomes, tmp_path / "fig")
    assert {"pct_scale", "filled_dot", "pct_ci_low", "pct_ci_high"} <= set(data.columns)
    assert "excludes_zero" not in data.columns
    assert (data["pct_ci_low"] > -100).all(), data["pct_ci_low"]
    rows = data.set_index("outcome")
    for outcome, a, b in (
        ("shadow_share", SHADOW_REF, SHADOW_OTHER),
        ("it_cost", COST_REF, COST_OTHER),
    ):
        ratio, low, high = _ratio_by_delta_method(a, b)
        row = rows.loc[outcome]
        assert row["pct_scale"] == "ratio"
        assert row["pct_difference"] == pytest.approx(100 * (ratio - 1), rel=1e-9)
        assert row["pct_ci_low"] == pytest.approx(100 * (low - 1), rel=1e-9)
        assert row["pct_ci_high"] == pytest.approx(100 * (high - 1), rel=1e-9)
    diff_low, diff_high = _t_interval(ALIGN_OTHER - ALIGN_REF)
    scale = abs(ALIGN_REF.mean())
    align = rows.loc["strategic_alignment"]
    assert align["pct_scale"] == "difference"
    assert align["pct_difference"] == pytest.approx(
        100 * (ALIGN_OTHER - ALIGN_REF).mean() / scale, rel=1e-9
    )
    assert align["pct_ci_low"] == pytest.approx(100 * diff_low / scale, rel=1e-9)
    assert align["pct_ci_high"] == pytest.approx(100 * diff_high / scale, rel=1e-9)


def test_comparison_cuts_a_zero_other_mean_at_minus_100(tmp_path):
    # Every pair's other value is zero: no ratio interval exists, yet -100% is the floor.
    batch = _paired_batch(
        tmp_path / "batch",
        {
            ("baseline", "single_cio"): {"shadow_share": SHADOW_REF},
            ("baseline", "cio_cto_split"): {"shadow_share": np.zeros_like(SHADOW_REF)},
        },
    )
    data, caption = _comparison_csv(batch, ["shadow_share"], tmp_path / "fig")
    (row,) = data.to_dict("records")
    _, high = _t_interval(-SHADOW_REF)
    assert np.isnan(row["ratio"])
    assert row["pct_scale"] == "difference, cut at -100%"
    assert row["pct_difference"] == pytest.approx(-100.0)
    assert row["pct_ci_low"] == pytest.approx(-100.0)
    assert row["pct_ci_high"] == pytest.approx(100 * high / SHADOW_REF.mean(), rel=1e-9)
    assert "cut at -100%" in caption


# Value delivered: the other structure is 3 higher in every pair, give or take 0.5 (clear);
# IT cost: offsets that sum to zero in the first 6 and in all 12 pairs (no difference at all).
VALUE_REF = 60.0 + np.array([1.5, -2.0, 0.5, 3.0, -1.0, 0.0, 2.0, -2.5, 1.0, -0.5, 2.5, -1.5])
VALUE_OTHER = VALUE_REF + 3.0 + np.array([0.4, -0.3, 0.1, -0.5, 0.2, 0.5] * 2)
COST_12 = 80.0 + np.array([0.5, -1.0, 1.5, 0.0, -0.5, 1.0, 2.0, -1.5, 0.5, 1.0, -2.0, 0.0])
COST_12_OTHER = COST_12 + np.array([0.3, -0.3, 0.2, -0.2, 0.1, -0.1] * 2)


def _rule_favours(a: np.ndarray, b: np.ndarray, p_holm: float, better: str) -> str:
    """The verdict rule recomputed: >= 10 pairs, Holm p < 0.05, t-interval excluding zero."""
    low, high = _t_interval(b - a)
    if len(a) < 10 or not p_holm < 0.05 or low <= 0 <= high:
        return ""
    return "cio_cto_split" if (low > 0) == (better == "higher") else "single_cio"


@pytest.mark.parametrize("pairs", [12, 6])
def test_comparison_fills_a_dot_only_where_the_rule_favours(tmp_path, pairs):
    outcomes = {"value_delivered": "higher", "it_cost": "lower"}
    a = {"value_delivered": VALUE_REF[:pairs], "it_cost": COST_12[:pairs]}
    b = {"value_delivered": VALUE_OTHER[:pairs], "it_cost": COST_12_OTHER[:pairs]}
    batch = _paired_batch(
        tmp_path / "batch",
        {("baseline", "single_cio"): a, ("baseline", "cio_cto_split"): b},
    )
    data, caption = _comparison_csv(batch, list(outcomes), tmp_path / "fig")
    p = np.array([stats.ttest_rel(b[o], a[o]).pvalue for o in outcomes])
    order = np.argsort(p)  # Holm over the two outcomes of the one comparison
    p_holm = np.empty(2)
    p_holm[order[0]] = min(1.0, 2 * p[order[0]])
    p_holm[order[1]] = max(p_holm[order[0]], p[order[1]])
    expected = {
        o: _rule_favours(a[o], b[o], p_holm[i], better)
        for i, (o, better) in enumerate(outcomes.items())
    }
    # The clear difference is significant and its interval excludes zero even with 6 pairs, so
    # only the pair count can keep its dot hollow there.
    assert p_holm[0] < 1e-4 and _t_interval(b["value_delivered"] - a["value_delivered"])[0] > 0
    assert expected == {
        "value_delivered": "cio_cto_split" if pairs >= 10 else "",
        "it_cost": "",
    }
    rows = data.set_index("outcome")
    favours = rows["favours"].astype(object).fillna("").to_dict()
    assert favours == expected
    assert rows["filled_dot"].to_dict() == {o: w != "" for o, w in expected.items()}
    assert re.search(r"n = (\d+) pairs", caption).group(1) == str(pairs)
    assert ">= 10 pairs, Holm-adjusted paired t-test at 5%" in caption
    assert ("indicative only: no dot is filled" in caption) == (pairs < 10)


def test_structures_keep_their_style_across_figures():
    first = plot.structure_style("single_cio")
    assert plot.structure_style("single_cio") == first
    assert plot.structure_style("cio_cto_split")["color"] != first["color"]
    assert first["color"] in plot.OKABE_ITO
    assert plot.structure_label("cio_cto_split") == "CIO/CTO split"


def test_presets_fix_the_print_size(batches, tmp_path):
    png = plot.timeseries(batches["compare"], "delivered", "baseline", tmp_path, "single")[1]
    with Image.open(png) as image:
        assert image.size == (round(3.5 * 300), round(2.6 * 300))
    with pytest.raises(ConfigError, match="allowed single, double, slides"):
        plot.timeseries(batches["compare"], "delivered", None, tmp_path, "poster")


def test_bad_options_are_one_line_errors(batches, tmp_path):
    with pytest.raises(ConfigError, match="allowed requests_created"):
        plot.timeseries(batches["compare"], "no_such_measure", None, tmp_path)
    with pytest.raises(ParameterError, match=r"^scenario: 'nowhere' is not in the batch"):
        plot.timeseries(batches["compare"], "delivered", "nowhere", tmp_path)
    with pytest.raises(ConfigError, match="morris or sobol"):
        plot.sensitivity(batches["compare"], out=tmp_path)


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda b, out: plot.timeseries(b["compare"], "nope", None, out), "measure"),
        (lambda b, out: plot.timeseries(b["compare"], "delivered", None, out, smooth=0), "smooth"),
        (lambda b, out: plot.timeseries(b["compare"], "delivered", None, out, "a4"), "preset"),
        (lambda b, out: plot.comparison(b["compare"], "cto", out), "reference"),
        (lambda b, out: plot.comparison(b["compare"], None, out, outcomes=["nope"]), "outcomes"),
        (lambda b, out: plot.crossover(b["cross"], "nope", out=out), "x"),
        (lambda b, out: plot.crossover(b["cross"], y="request_rate", out=out), "y"),
        (lambda b, out: plot.crossover(b["cross"], outcome="nope", out=out), "outcome"),
        (lambda b, out: plot.crossover(b["cross"], other="single_cio", out=out), "other"),
        (lambda b, out: plot.sensitivity(b["morris"], structure="nope", out=out), "structure"),
        (lambda b, out: plot.time_allocation(b["compare"], out, scenario="nope"), "scenario"),
    ],
)
def test_library_errors_name_the_parameter_not_a_flag(batches, tmp_path, call, parameter):
    with pytest.raises(ParameterError) as caught:
        call(batches, tmp_path)
    assert caught.value.parameter == parameter
    assert str(caught.value).startswith(f"{parameter}: ")
    assert "--" not in str(caught.value)
    assert "allowed" in caught.value.problem


def test_cli_plot_writes_and_prints_paths(batches, tmp_path):
    folder = batches["compare"].folder
    result = CliRunner().invoke(
        main, ["plot", str(folder), "--kind", "comparison", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    printed = [Path(line) for line in result.stdout.splitlines()]
    assert len(printed) == 4 and all(p.is_file() for p in printed)
    default = CliRunner().invoke(main, ["plot", str(folder), "--kind", "allocation"])
    assert default.exit_code == 0, default.output
    assert all(Path(line).parent == folder / "figures" for line in default.stdout.splitlines())
    assert load_batch(folder).runs.shape[0] == 12


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--kind", "pie"], "--kind = 'pie' is unknown"),
        (["--kind", "timeseries", "--measure", "nope"], "--measure: 'nope' is unknown"),
        (["--kind", "comparison", "--reference", "cto"], "--reference: 'cto' is not in the batch"),
        (["--kind", "crossover", "--x", "nope"], "--x: 'nope' is not in the batch"),
        (["--kind", "timeseries", "--preset", "a4"], "--preset = 'a4'"),
    ],
)
def test_cli_plot_bad_options_exit_2(batches, tmp_path, args, fragment):
    folder = batches["compare"].folder
    result = CliRunner().invoke(main, ["plot", str(folder), *args, "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("itlead: error: ")
    assert fragment in lines[0]
