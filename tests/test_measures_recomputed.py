"""Published measures recomputed from what a run observably did, not from its bookkeeping.

Lead-time percentiles come from each delivery, captured as it happens by wrapping the one point
where the business receives finished work (:meth:`sim.model.demand.Demand.deliver`); IT cost
comes from the published headcount, the executives table and the structure file. The model's
own outcome code is never called.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.config.loaders import load_structure
from sim.model.demand import Demand
from sim.model.records import REQUEST_KINDS
from tests.ablation import replaced

STEPS = 300


def _run_watching_deliveries(structure: str, seed: int, **overrides):
    """A run, and every delivery it made: (kind, created tick, delivered tick)."""
    seen = []
    deliver = Demand.deliver

    def watched(self: Demand, request, late: int) -> None:
        seen.append((request.kind, request.created, self.model.tick))
        deliver(self, request, late)

    with replaced(Demand, "deliver", watched):
        result = sim.run("baseline", structure=structure, seed=seed, steps=STEPS, **overrides)
    return result, pd.DataFrame(seen, columns=["kind", "created", "delivered"])


@pytest.mark.parametrize("structure", ["single_cio", "cio_cto_split"])
@pytest.mark.parametrize("seed", [0, 1])
def test_lead_time_percentiles_are_those_of_the_deliveries(structure, seed):
    # Lead time counts the tick of creation and of delivery (t - created + 1); the summary
    # covers deliveries after the warm-up; percentiles interpolate linearly (numpy's default).
    result, seen = _run_watching_deliveries(structure, seed)
    after = seen[seen["delivered"] >= result.params.warmup]
    summary = result.summary.iloc[0]
    for k, kind in enumerate(REQUEST_KINDS):
        lead = (after["delivered"] - after["created"] + 1)[after["kind"] == k].to_numpy()
        assert len(lead) > 20, kind
        for q in (50, 90):
            assert summary[f"lead_time_{kind}_p{q}"] == pytest.approx(np.percentile(lead, q)), (
                kind,
                q,
            )
        assert summary[f"lead_time_{kind}_p90"] > summary[f"lead_time_{kind}_p50"]


@pytest.mark.parametrize("structure", ["single_cio", "cio_cto_split"])
def test_it_cost_is_staff_plus_the_executive_posts(structure):
    # Staff cost is headcount x person_cost; each executive post costs what the structure file
    # says, vacant or not (the post is budgeted while it is refilled). Executive turnover is
    # raised so that vacancies occur in the run.
    result = sim.run("baseline", structure=structure, seed=3, steps=STEPS, exec_turnover_base=0.02)
    ex = result.executives
    assert ex["vacant"].any(), "no vacancy: the test would not cover one"
    cost = {role.name: role.cost for role in load_structure(structure).roles}
    posts = ex.assign(cost=ex["role"].map(cost)).groupby("tick")["cost"].sum()
    ticks = result.ticks.set_index("tick")
    expected = ticks["headcount"] * result.params.person_cost + posts.reindex(ticks.index)
    np.testing.assert_allclose(ticks["it_cost"], expected, rtol=1e-12)


def _realign_by_hand(ticks: pd.DataFrame, shock: int) -> float:
    """MODEL.md's time to re-align, by a plain loop over the published per-tick columns.

    The reference is the value-weighted alignment of the 90 ticks before the shock; the answer
    is the first k >= 0 whose 30 post-shock ticks from ``shock + k`` deliver strategic value at
    no less than 95% of that alignment (NaN if none does).
    """
    value = ticks["strategic_value"].to_numpy()
    alignment = ticks["strategic_alignment"].fillna(0.0).to_numpy()

    def share(lo: int, hi: int) -> float:
        v = value[lo:hi].sum()
        return (alignment[lo:hi] * value[lo:hi]).sum() / v if v > 1e-12 else np.nan

    reference = share(shock - 90, shock)
    for k in range(len(value) - shock - 30 + 1):
        level = share(shock + k, shock + k + 30)
        if level >= 0.95 * reference - 1e-12:
            return float(k)
    return np.nan


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_time_to_realign_is_the_first_window_back_to_its_pre_shock_alignment(seed):
    result = sim.run("market_shock", seed=seed, steps=500)
    shock = int(result.events.query("kind == 'theme_reweighting'")["start"].min())
    expected = _realign_by_hand(result.ticks, shock)
    got = result.summary.iloc[0]["realign_ticks"]
    assert got == pytest.approx(expected, nan_ok=True)
    calm = sim.run("market_shock", seed=seed, steps=500, shocks=False).summary.iloc[0]
    assert np.isnan(calm["realign_ticks"])  # no shock, nothing to re-align from
