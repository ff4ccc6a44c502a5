"""Resilience counts the runs that did not recover: n of N, censoring and Kaplan-Meier medians.

A shocked run that is not back within the run is a right-censored observation (it is known to
have stayed unrecovered for as long as it was watched), not a missing one. The hand-built runs
below have known recovery ticks and known ends, so the counts, the censoring times and the
product-limit median are computed here by hand; the real runs are checked against a recovery
recomputed tick by tick from the two trajectories and against scipy's own Kaplan-Meier.
"""

from __future__ import annotations

import math
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.analysis.report import _html, _markdown, _resilience_table
from sim.analysis.stats import (
    kaplan_meier,
    km_median,
    resilience,
    resilience_by_scenario,
    resilience_summary,
)
from tests.conftest import SHORT_WARMUP, early

MEASURE = "business_trust_mean"
SHOCK = 100
LEVEL = 0.7  # the counterfactual's flat trust


def _runs_and_ticks(dips: list[tuple[int, int, float]], structure: str = "a"):
    """A flat counterfactual and one shocked run per ``(dip ticks, run end, dip)``.

    Shocked run ``i`` (replication ``i``) has trust ``LEVEL - dip`` for ``dip ticks`` ticks from
    :data:`SHOCK` (a negative dip is a gain), then ``LEVEL`` again, and its last tick is ``run
    end``; its counterfactual runs to tick 199.
    """
    runs, ticks = [], []
    for i, (length, end, dip) in enumerate(dips):
        for scenario, last, loss in (("baseline", 199, 0.0), ("storm", end, dip)):
            run_id = f"{scenario}-{structure}-{i}"
            runs.append(
                {
                    "run_id": run_id,
                    "scenario": scenario,
                    "structure": structure,
                    "point": 0,
                    "replication": i,
                }
            )
            for t in range(last + 1):
                hit = loss if SHOCK <= t < SHOCK + length else 0.0
                ticks.append({"run_id": run_id, "tick": t, MEASURE: LEVEL - hit})
    return pd.DataFrame(runs), pd.DataFrame(ticks)


def _per_run(dips, **kwargs) -> pd.DataFrame:
    runs, ticks = _runs_and_ticks(dips)
    return resilience(ticks, runs, MEASURE, shock_start=SHOCK, smooth=1, **kwargs)


# Three runs back after 10, 20 and 30 ticks; three still down 0.3 at their end (tick 199).
HALF = [(10, 199, 0.3), (20, 199, 0.3), (30, 199, 0.3)] + [(1000, 199, 0.3)] * 3


def test_runs_that_never_recover_are_censored_at_the_run_end():
    runs, ticks = _runs_and_ticks(HALF)
    # A batch's tick table also holds runs of other scenarios, absent from the runs passed.
    other = ticks[ticks["run_id"] == "storm-a-0"].assign(run_id="elsewhere-0")
    ticks = pd.concat([ticks, other], ignore_index=True)
    table = resilience(ticks, runs, MEASURE, shock_start=SHOCK, smooth=1)
    assert table["recovered"].tolist() == [True] * 3 + [False] * 3
    assert table["recovery_ticks"].iloc[:3].tolist() == [10.0, 20.0, 30.0]
    assert table["recovery_ticks"].iloc[3:].isna().all()
    # Watched from the shock (tick 100) to the last tick (199): 99 ticks after the shock.
    assert table["observed_ticks"].tolist() == [99.0] * 6
    assert table["point"].dtype.kind == "i" and table["replication"].tolist() == list(range(6))


def test_summary_counts_three_of_six_and_the_km_median_by_hand():
    row = resilience_summary(_per_run(HALF)).iloc[0]
    assert (row["runs"], row["recovered"], row["share_recovered"]) == (6, 3, 0.5)
    # Product limit: S(10) = 5/6, S(20) = 5/6 * 4/5 = 4/6, S(30) = 4/6 * 3/4 = 1/2: the median
    # is 30, where the mean of the recovered runs alone would say 20.
    assert row["recovery_median_ticks"] == 30.0
    assert bool(row["recovery_median_reached"])
    assert row["observed_ticks"] == 99.0
    assert row["depth_mean"] == pytest.approx(0.3)
    # Loss 0.3 per tick while down: (10 + 20 + 30 + 3 x 100 ticks, to tick 199) / 6 runs.
    assert row["area_mean"] == pytest.approx(0.3 * (10 + 20 + 30 + 300) / 6)


def test_censoring_in_the_middle_keeps_runs_at_risk_until_they_end():
    # Recoveries at 5, 8, 12 and 20 ticks; two runs end early, unrecovered, at 108 and 115.
    dips = [(5, 199, 0.3), (8, 199, 0.3), (1000, 108, 0.3), (12, 199, 0.3)]
    dips += [(1000, 115, 0.3), (20, 199, 0.3)]
    per_run = _per_run(dips)
    assert per_run["observed_ticks"].tolist() == [99.0, 99.0, 8.0, 99.0, 15.0, 99.0]
    row = resilience_summary(per_run).iloc[0]
    assert (row["runs"], row["recovered"]) == (6, 4)
    # By hand: at 5, 6 at risk -> 5/6; at 8, 5 at risk (the run censored at 8 still is) ->
    # 5/6 * 4/5 = 2/3; at 12, 3 at risk -> 2/3 * 2/3 = 4/9 <= 1/2: the median is 12 (the
    # median of the recovered runs alone is 10).
    assert row["recovery_median_ticks"] == 12.0
    curve = kaplan_meier([5, 8, 8, 12, 15, 20], [1, 1, 0, 1, 0, 1])
    assert curve["at_risk"].tolist() == [6, 5, 3, 1]
    assert curve["survival"].to_numpy() == pytest.approx([5 / 6, 2 / 3, 4 / 9, 0.0])


def test_median_not_reached_when_fewer_than_half_recover():
    dips = [(10, 199, 0.3), (20, 199, 0.3)] + [(1000, 199, 0.3)] * 4
    row = resilience_summary(_per_run(dips)).iloc[0]
    assert (row["runs"], row["recovered"]) == (6, 2)
    # S(20) = 5/6 * 4/5 = 2/3 > 1/2 and no later recovery: beyond the 99 ticks watched.
    assert math.isnan(row["recovery_median_ticks"])
    assert not bool(row["recovery_median_reached"])
    # One more recovery, at 30, brings it to S(30) = 2/3 * 3/4 = 1/2: reached, at 30.
    assert km_median([10, 20, 30, 99, 99, 99], [1, 1, 1, 0, 0, 0]) == 30.0
    assert math.isnan(km_median([10, 20, 99, 99, 99, 99], [1, 1, 0, 0, 0, 0]))


def test_area_sign_is_a_loss_when_positive_and_a_gain_when_negative():
    # Run 0 loses 0.3 for 10 ticks; run 1 gains 0.1 over the whole 100 ticks watched.
    per_run = _per_run([(10, 199, 0.3), (1000, 199, -0.1)])
    assert per_run["area"].tolist() == pytest.approx([0.3 * 10, -0.1 * 100])
    assert per_run["depth"].tolist() == pytest.approx([0.3, -0.1])
    # Never worse than its counterfactual: nothing to recover from, recovered at once.
    assert per_run["recovery_ticks"].tolist() == [10.0, 0.0]
    assert per_run["recovered"].tolist() == [True, True]
    row = resilience_summary(per_run).iloc[0]
    assert (row["runs"], row["recovered"]) == (2, 2)
    assert row["recovery_median_ticks"] == 0.0  # S(0) = 1/2
    assert row["area_mean"] == pytest.approx((0.3 * 10 - 0.1 * 100) / 2)
    # For a measure where lower is better the same trajectories swap sign.
    lower = _per_run([(10, 199, 0.3), (1000, 199, -0.1)], higher_is_better=False)
    assert lower["area"].tolist() == pytest.approx([-0.3 * 10, 0.1 * 100])


def test_area_counts_ticks_when_a_batch_keeps_every_kth_tick():
    runs, ticks = _runs_and_ticks([(20, 199, 0.3)])
    thinned = ticks[ticks["tick"] % 5 == 0]
    full = resilience(ticks, runs, MEASURE, shock_start=SHOCK, smooth=1)
    sparse = resilience(thinned, runs, MEASURE, shock_start=SHOCK, smooth=1)
    assert full["area"].iloc[0] == pytest.approx(0.3 * 20)
    assert sparse["area"].iloc[0] == pytest.approx(0.3 * 20)  # 4 kept rows x 5 ticks each
    assert sparse["observed_ticks"].iloc[0] == 95.0  # the last kept tick is 195


def test_summary_rejects_rows_without_the_censoring_columns():
    rows = _per_run(HALF).drop(columns=["observed_ticks"])
    with pytest.raises(ValueError, match="observed_ticks"):
        resilience_summary(rows)


def _cells_markdown(text: str) -> list[list[str]]:
    lines = [ln for ln in text.splitlines() if ln.startswith("| ") and "---" not in ln]
    return [[c.strip() for c in ln.strip("|").split(" | ")] for ln in lines[1:]]


def _cells_html(text: str) -> list[list[str]]:
    import html

    body = re.search(r"<tbody>(.*)</tbody>", text, re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [
        [html.unescape(c.strip()) for c in re.findall(r"<td>(.*?)</td>", r, re.S)] for r in rows
    ]


def test_report_table_shows_n_of_n_the_median_and_the_same_text_in_markdown_and_html():
    runs, ticks = _runs_and_ticks([(10, 199, 0.3), (20, 199, 0.3)] + [(1000, 199, 0.3)] * 4)
    events = pd.DataFrame(
        {"run_id": runs["run_id"][runs["scenario"] == "storm"], "kind": "storm", "start": SHOCK}
    )
    batch = SimpleNamespace(runs=runs, ticks=ticks, events=events)
    table = _resilience_table(batch, ["storm"])
    row = table.iloc[0]
    counts = [int(x) for x in re.findall(r"\d+", row["recovered within the run (n of N)"])]
    assert counts == [2, 6]
    # Median not reached: shown as more than the 99 ticks watched, not as a number of ticks.
    assert re.match(r"> 99\b", row["median ticks to recover (Kaplan-Meier)"])
    # The report's smoothing (a trailing mean over up to 10 post-shock ticks), summed by hand.
    loss = [[0.3 if t < n else 0.0 for t in range(100)] for n in (10, 20, 100, 100, 100, 100)]
    areas = [sum(sum(x[max(0, k - 9) : k + 1]) / min(k + 1, 10) for k in range(100)) for x in loss]
    area = next(c for c in table if c.startswith("area"))
    assert float(row[area]) == pytest.approx(np.mean(areas), rel=5e-3)  # shown to 3 digits
    # No market shock: re-alignment is missing, and both renderings say so the same way.
    md = _markdown("t", [("table", table)])
    page = _html("t", [("table", table)])
    assert _cells_markdown(md) == _cells_html(page)
    assert "NaN" not in page
    assert _cells_html(page)[0][-1] == _cells_markdown(md)[0][-1] == "n/a"


# Real runs: a shocked scenario and its counterfactual, the same scenario with shocks=False.
STEPS = 380  # the scenarios' shocks start at tick 300 (moved 440 ticks early: conftest.early)
SEEDS = (0, 1, 2)


def _real(scenario: str, structures: tuple[str, ...]):
    runs, ticks, events = [], [], []
    for structure in structures:
        for seed in SEEDS:
            for shocks, label in ((False, "baseline"), (True, scenario)):
                result = sim.run(
                    early(scenario),
                    structure=structure,
                    seed=seed,
                    steps=STEPS,
                    warmup=SHORT_WARMUP,
                    shocks=shocks,
                )
                run_id = f"{label}-{structure}-{seed}"
                runs.append(
                    {
                        "run_id": run_id,
                        "scenario": label,
                        "structure": structure,
                        "point": 0,
                        "replication": seed,
                    }
                )
                ticks.append(
                    result.ticks[
                        ["tick", MEASURE, "strategic_alignment", "strategic_value"]
                    ].assign(run_id=run_id)
                )
                if shocks:
                    events.append(result.events[["kind", "start"]].assign(run_id=run_id))
    return pd.DataFrame(runs), pd.concat(ticks, ignore_index=True), pd.concat(events)


@pytest.fixture(scope="module")
def market():
    """Market-shock runs: some recover their business trust within the run and some do not."""
    return _real("market_shock", ("single_cio", "cio_cto_split"))


def _recovery_by_hand(shocked: np.ndarray, calm: np.ndarray, start: int) -> tuple[float, int]:
    """(ticks to recover or NaN, ticks watched): the trailing 10-tick mean loss from the shock
    on, back at or below 10% of its peak at some tick from the peak on (0 if never a loss)."""
    loss = calm[start:] - shocked[start:]
    smoothed = [loss[max(0, k - 9) : k + 1].mean() for k in range(len(loss))]
    peak = int(np.argmax(smoothed))
    depth = smoothed[peak]
    if depth <= 0:
        return 0.0, len(loss) - 1
    back = [k for k in range(peak, len(loss)) if smoothed[k] <= 0.1 * depth]
    return (float(back[0]) if back else math.nan), len(loss) - 1


def test_on_real_runs_n_recovered_is_the_runs_back_within_the_run(market):
    runs, ticks, events = market
    per_run = resilience_by_scenario(runs, ticks, events, MEASURE)
    summary = resilience_summary(per_run).set_index("structure")
    start = int(events["start"].min())
    series = {rid: g[MEASURE].to_numpy() for rid, g in ticks.groupby("run_id")}
    total = 0
    for structure, row in summary.iterrows():
        by_hand = [
            _recovery_by_hand(
                series[f"market_shock-{structure}-{s}"], series[f"baseline-{structure}-{s}"], start
            )
            for s in SEEDS
        ]
        mine = per_run[per_run["structure"] == structure].sort_values("replication")
        np.testing.assert_array_equal(mine["recovery_ticks"], [t for t, _ in by_hand])
        assert row["runs"] == len(SEEDS)
        assert row["recovered"] == sum(not math.isnan(t) for t, _ in by_hand)
        assert row["recovered"] == np.isfinite(mine["recovery_ticks"]).sum()
        assert row["observed_ticks"] == max(w for _, w in by_hand) == STEPS - 1 - start
        total += row["recovered"]
        # The median against scipy's own product-limit estimate on the same censored times.
        done = mine["recovered"].to_numpy()
        at = np.where(done, mine["recovery_ticks"], mine["observed_ticks"])
        expected = math.nan
        if done.any():
            sf = stats.ecdf(stats.CensoredData(uncensored=at[done], right=at[~done])).sf
            below = sf.quantiles[sf.probabilities <= 0.5 + 1e-12]
            expected = below[0] if below.size else math.nan
        assert row["recovery_median_ticks"] == pytest.approx(expected, nan_ok=True)
    # Not vacuous: some runs recovered within the run and some did not.
    assert 0 < total < len(per_run), per_run["recovery_ticks"].tolist()


def test_on_real_market_shocks_realigned_counts_the_finite_realign_ticks(market):
    runs, ticks, events = market
    per_run = resilience_by_scenario(runs, ticks, events, MEASURE)
    from sim.model.outcomes import REALIGN_WINDOW

    start = int(events["start"].min())
    for structure, row in resilience_summary(per_run).set_index("structure").iterrows():
        mine = per_run[per_run["structure"] == structure]
        assert row["realign_runs"] == len(SEEDS)
        assert row["realigned"] == np.isfinite(mine["realign_ticks"]).sum()
        # The last window of REALIGN_WINDOW ticks that fits in the run starts that many ticks in.
        assert row["realign_observed_ticks"] == STEPS - REALIGN_WINDOW - start
