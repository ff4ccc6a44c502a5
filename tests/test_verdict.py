"""The verdict rule (sim.analysis.verdict), against hand computations and known distributions."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis import verdict


def _percentile_bootstrap(d: np.ndarray, n_boot: int = 2000) -> tuple[float, float]:
    """The interval the rule refuses: a percentile bootstrap of the mean (the old report's)."""
    means = np.random.default_rng(0).choice(d, size=(n_boot, len(d))).mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def test_six_pairs_with_a_significant_percentile_interval_get_no_verdict():
    d = np.array([-0.2, 0.1, 0.3, 0.4, 0.5, 2.4])  # one large pair carries the mean
    low, high = _percentile_bootstrap(d)
    assert low > 0  # the percentile bootstrap "finds" a difference on six pairs
    t_low, t_high, method = verdict.mean_interval(d)
    assert method == "t" and t_low < 0 < t_high  # the t-interval does not
    p = verdict.paired_p(d)
    assert verdict.favours(len(d), p, low, high, "higher", "a", "b") == ""  # too few pairs
    text = verdict.verdict_text("", len(d), verdict.pairs_needed(d))
    assert text.startswith("too few pairs (6; at least 10)") and "pairs for a reliable" in text


def test_the_t_interval_is_students():
    d = np.array([1.0, 2.0, 4.0, 7.0])
    low, high, _ = verdict.mean_interval(d)
    half = stats.t.ppf(0.975, 3) * d.std(ddof=1) / 2.0  # sqrt(4) = 2
    assert (low, high) == pytest.approx((3.5 - half, 3.5 + half))


def test_the_t_interval_covers_the_true_mean_about_95_percent_of_the_time():
    rng = np.random.default_rng(1)
    covered = sum(
        low <= 0.3 <= high
        for low, high, _ in (verdict.mean_interval(rng.normal(0.3, 1.0, 8)) for _ in range(2000))
    )
    assert 0.935 < covered / 2000 < 0.965


def test_many_pairs_use_the_seeded_bca_bootstrap():
    d = np.random.default_rng(2).exponential(1.0, 40)
    first = verdict.mean_interval(d)
    assert first[2] == "bca" and first == verdict.mean_interval(d)  # seeded: the same CI
    assert first[0] < d.mean() < first[1]


def test_the_ratio_interval_of_a_non_negative_outcome_stays_above_minus_100_percent():
    a = np.array([0.02, 0.10, 0.01, 0.30, 0.05, 0.00])
    b = np.array([0.00, 0.01, 0.00, 0.02, 0.00, 0.01])  # a large relative drop, noisy
    ratio, low, high = verdict.ratio_interval(a, b)
    assert ratio == pytest.approx(b.mean() / a.mean())
    assert 0 < low < ratio < high  # a difference of means would reach below -100%
    assert math.isnan(verdict.ratio_interval(a - 0.05, b)[0])  # negative values: no ratio


def test_holm_adjusts_by_rank():
    assert verdict.holm([0.01, 0.04, 0.03, np.nan]).tolist()[:3] == pytest.approx(
        [0.03, 0.06, 0.06]
    )


def test_pairs_needed_gives_about_80_percent_power():
    rng = np.random.default_rng(3)
    pilot = rng.normal(0.5, 1.0, 200)
    n = int(verdict.pairs_needed(pilot))
    hits = sum(verdict.paired_p(rng.normal(0.5, 1.0, n)) < 0.05 for _ in range(1000))
    assert 0.7 < hits / 1000 < 0.9, n


def test_a_verdict_needs_enough_pairs_a_significant_test_and_an_interval_clear_of_zero():
    args = dict(better="lower", reference="a", other="b")
    assert verdict.favours(12, 0.01, -2.0, -1.0, **args) == "b"  # b lower, lower is better
    assert verdict.favours(12, 0.01, 1.0, 2.0, **args) == "a"
    assert verdict.favours(12, 0.20, -2.0, -1.0, **args) == ""  # Holm says no
    assert verdict.favours(12, 0.01, -1.0, 1.0, **args) == ""  # interval holds zero
    assert verdict.favours(9, 0.01, -2.0, -1.0, **args) == ""  # too few pairs


def _swept(effects: dict[float, float], n: int = 12, seed: int = 3) -> pd.DataFrame:
    """Two structures over design points that set a lever; ``effects``: lever value -> b - a.

    Structure b also records a structure number the other lacks (NaN for a), as a batch does.
    """

    rng = np.random.default_rng(seed)
    rows = []
    for point, (lever, effect) in enumerate(effects.items()):
        for r in range(n):
            base = rng.normal(50.0, 5.0)
            for structure, shift in (("a", 0.0), ("b", effect)):
                rows.append(
                    {
                        "scenario": "baseline",
                        "point": point,
                        "replication": r,
                        "structure": structure,
                        "status": "ok",
                        "param.coordination_multiplier": lever,
                        "param.structure.roles.CTO.cost": 6.0 if structure == "b" else np.nan,
                        "value_delivered": base + shift + rng.normal(0.0, 0.5),
                    }
                )
    return pd.DataFrame(rows)


def test_a_batch_that_sweeps_a_lever_is_compared_per_design_point_not_pooled():
    from sim.analysis.stats import design_cells, paired_comparison

    runs = _swept({0.0: +2.0, 5.0: -2.0})  # the lever flips the answer
    assert design_cells(runs) == ["param.coordination_multiplier"]  # not the CTO-only number
    table = paired_comparison(runs, "a", ["value_delivered"])
    assert list(table["param.coordination_multiplier"]) == [0.0, 5.0]
    assert list(table["favours"]) == ["b", "a"]
    for (_, row), lever in zip(table.iterrows(), (0.0, 5.0), strict=True):
        here = runs[runs["param.coordination_multiplier"] == lever]
        d = (
            here[here.structure == "b"]["value_delivered"].to_numpy()
            - here[here.structure == "a"]["value_delivered"].to_numpy()
        )
        assert row["n_pairs"] == 12 and row["mean_difference"] == pytest.approx(d.mean())
        assert row["p_value"] == pytest.approx(stats.ttest_1samp(d, 0.0).pvalue)
    pooled = paired_comparison(runs, "a", ["value_delivered"], pool=True).iloc[0]
    assert pooled["n_pairs"] == 24 and pooled["favours"] == ""  # the flip averages out


def test_holm_runs_over_the_outcomes_of_one_comparison():
    """The family is one scenario, design point and structure: not the whole table."""
    from sim.analysis.stats import paired_comparison

    runs = _swept({1.0: 0.4, 2.0: 0.3})
    runs["it_cost"] = np.random.default_rng(9).normal(size=len(runs))
    table = paired_comparison(runs, "a", ["value_delivered", "it_cost"])
    for _, family in table.groupby("point"):
        assert list(family["p_holm"]) == pytest.approx(list(verdict.holm(family["p_value"])))
    assert list(table["p_holm"]) != pytest.approx(list(verdict.holm(table["p_value"])))
