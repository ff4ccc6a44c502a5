"""Ablation tests of the leadership mechanisms of MODEL.md: executive trust, expertise, vacancy,
joint rights, restructure, span of control and protected people time.

Each test turns a lever over paired seeds with the mechanism on and switched off (the pattern of
:mod:`tests.ablation`). Where the lever is no parameter override (a structure, or a trust held
at a value), :func:`contrast` applies the same standard to two arms given as functions.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import sim
from sim.config.loaders import load_structure
from sim.model.coordination import Coordination
from sim.model.decisions import Decisions
from sim.model.executives import Executive
from sim.model.teams import ITTeam
from tests.ablation import STEPS, Arm, ablate, beyond_noise, contrast, replaced
from tests.conftest import SHORT_WARMUP, early


def runs(structure: Any = "single_cio", scenario: Any = "baseline", **fixed: Any) -> Arm:
    """An arm: ``structure`` under ``scenario`` with ``fixed`` overrides, for ``STEPS`` ticks."""

    def arm(seed: int, **overrides: Any) -> sim.RunResult:
        kw = {"warmup": SHORT_WARMUP} | fixed | overrides
        scen = early(scenario) if isinstance(scenario, str) else scenario
        return sim.run(scen, structure=structure, seed=seed, steps=STEPS, **kw)

    return arm


# --- 1. executive trust eases conflict ---------------------------------------------------------
class _HeldTrust:
    """A channel's trust held at one value (the lever): evidence and forgetting leave it be."""

    def __init__(self, value: float) -> None:
        self._value = value
        self.r = 0.0
        self.s = 0.0

    # The model's end-of-day forgetting writes ``value`` directly; a held trust ignores it.
    value = property(lambda self: self._value, lambda self, _v: None)

    def positive(self, amount: float = 1.0) -> None:
        pass

    def negative(self, amount: float, weight: float) -> None:
        pass

    def reset(self) -> None:
        pass


@contextlib.contextmanager
def _channel_trust_held(value: float) -> Iterator[None]:
    install = Coordination.install

    def held(self: Coordination, structure: Any) -> None:
        install(self, structure)
        for channel in self.channels.values():
            channel.trust = _HeldTrust(value)  # type: ignore[assignment]

    with replaced(Coordination, "install", held):
        yield


class _NeutralTrust:
    """What a conflict sees with the trust link cut: 0.5 always; evidence still reaches ``real``."""

    value = 0.5

    def __init__(self, real: Any) -> None:
        self.real = real

    def positive(self, amount: float = 1.0) -> None:
        self.real.positive(amount)

    def negative(self, amount: float, weight: float) -> None:
        self.real.negative(amount, weight)


def _conflicts_blind_to_trust() -> contextlib.AbstractContextManager:
    conflicts = Coordination.conflicts

    def blind(self: Coordination, roles: list[str]) -> bool:
        channel = self.channel(*roles)
        if channel is None:
            return conflicts(self, roles)
        real = channel.trust
        channel.trust = _NeutralTrust(real)  # type: ignore[assignment]
        try:
            return conflicts(self, roles)
        finally:
            channel.trust = real

    return replaced(Coordination, "conflicts", blind)


def _held_arm(value: float) -> Arm:
    def arm(seed: int, **overrides: Any) -> sim.RunResult:
        with _channel_trust_held(value):
            return runs("cio_cto_split")(seed, **overrides)

    return arm


@pytest.mark.slow
def test_distrust_between_cio_and_cto_brings_more_conflicts_and_delay():
    # Trust speeds agreement (MODEL.md, Trust): a crossing decision conflicts with a chance eased
    # by the CIO<->CTO channel's trust. Held low rather than high, conflicts and their hold-back
    # rise; with conflicts blind to trust, the held value changes nothing.
    for outcome in ("conflicts", "decision_latency"):
        a = contrast(
            outcome, _held_arm(0.2), _held_arm(0.8), switch=_conflicts_blind_to_trust, seeds=8
        )
        assert a.holds(+1), (outcome, a)


# --- 2. expertise speeds decisions and makes them more accurate --------------------------------
LOW_TECHNICAL = {"structure.roles.CIO.expertise.technical": 0.3}  # file: 0.65
REFERENCE_EXPERTISE = 0.65


def _decision_hours_blind_to_expertise() -> contextlib.AbstractContextManager:
    hours = Executive.decision_hours

    def blind(self: Executive, base: float, domain: str, team_trust: float) -> float:
        # Cancel the 1 / expertise factor: every decision takes the reference expertise's hours.
        return hours(self, base, domain, team_trust) * self.expertise(domain) / REFERENCE_EXPERTISE

    return replaced(Executive, "decision_hours", blind)


def _accuracy_blind_to_expertise() -> contextlib.AbstractContextManager:
    accuracy = Executive.accuracy

    def blind(self: Executive, domain: str) -> float:
        return accuracy(self, domain) / self.expertise(domain) * REFERENCE_EXPERTISE

    return replaced(Executive, "accuracy", blind)


@pytest.mark.slow
def test_less_technical_expertise_makes_decisions_slower():
    # MODEL.md, Executive: expertise speeds decisions (hours = base / expertise). A CIO short of
    # hours, with exhaustion and turnover held still, so that only the hours per decision act:
    # less technical expertise lengthens decision latency; with hours blind to expertise, not.
    a = ablate(
        "decision_latency",
        LOW_TECHNICAL,
        switch=_decision_hours_blind_to_expertise,
        base={
            "structure.roles.CIO.attention_hours": 3.0,
            "exec_exhaustion_rise": 0.0,
            "exec_turnover_base": 0.0,
        },
        seeds=12,
    )
    assert a.holds(+1), a


def test_less_technical_expertise_makes_decisions_wrong_more_often():
    # MODEL.md, Executive: expertise makes decisions more accurate; a wrong decision brings
    # rework like a default. With accuracy blind to expertise, less of it adds (much) less rework
    # (what stays is slower planning's debt and slower decisions' defaults).
    a = ablate("rework_effort", LOW_TECHNICAL, switch=_accuracy_blind_to_expertise, seeds=12)
    assert a.holds(+1), a


# --- 3. a vacancy, and the successor's trust starting over -------------------------------------
FREQUENT_LEAVING = {"exec_turnover_base": 0.01}  # default 0.0009 per tick


@pytest.mark.slow
def test_an_executive_who_leaves_leaves_the_role_vacant_and_costs_value():
    # MODEL.md, Executive: leaving means a vacancy (an acting stand-in with less attention and
    # generalist expertise) before a successor. More leaving: more vacant role-ticks and less
    # value delivered; with no vacancy (exec_vacancy = 0) both effects (nearly) go.
    vacant = ablate("exec_vacancies", FREQUENT_LEAVING, {"exec_vacancy": 0}, seeds=8)
    assert vacant.holds(+1), vacant
    value = ablate("value_delivered", FREQUENT_LEAVING, {"exec_vacancy": 0}, seeds=8)
    assert value.holds(-1), value


def test_a_successor_starts_the_teams_trust_over():
    # MODEL.md, Executive: a successor's trust relationships start over. Teams that trusted
    # their leader start again from the prior, so frequent leaving lowers team trust; with the
    # relationship carried over to the successor, it does not. No vacancy, so only trust acts.
    a = ablate(
        "team_trust",
        FREQUENT_LEAVING,
        switch=lambda: replaced(ITTeam, "leader_changed", lambda self: None),
        base={"exec_vacancy": 0},
        seeds=8,
    )
    assert a.holds(-1), a


def _trust_at_departures(**overrides: Any) -> list[np.ndarray]:
    """exec_trust on the ticks a CIO or CTO of the split left, per seed."""
    out = []
    for seed in range(6):
        t = sim.run(
            structure="cio_cto_split",
            seed=seed,
            steps=STEPS,
            warmup=SHORT_WARMUP,
            exec_vacancy=0,
            **FREQUENT_LEAVING,
        ).ticks
        out.append(t.loc[t["exec_turnover"] > 0, "exec_trust"].to_numpy())
    return out


def test_a_successor_starts_the_cio_cto_trust_over_from_the_prior():
    # The CIO<->CTO channel's trust restarts at the beta prior 0.5 (Josang & Ismail 2002) on the
    # tick its holder leaves; with the channel kept (no restart), it keeps its history.
    departures = np.concatenate(_trust_at_departures())
    assert len(departures) >= 10, departures
    assert np.allclose(departures, 0.5), departures
    with replaced(Coordination, "role_left", lambda self, role: None):
        kept = np.concatenate(_trust_at_departures())
    assert not np.allclose(kept, 0.5), kept


# --- 4. joint decision rights wait for both roles ----------------------------------------------
def _first_holder_decides() -> contextlib.AbstractContextManager:
    def decided(self: Decisions, d: Any, role: str) -> None:
        # A joint decision resolves on its first holder's part; the other lets go of it.
        d.pending.remove(role)
        for name in d.pending:
            self.model.executives_by_name[name].drop(d)
        d.pending.clear()
        self._resolve(d, timed_out=False)

    return replaced(Decisions, "decided", decided)


def test_a_joint_right_waits_for_both_holders():
    # MODEL.md, Structures: a joint right needs two roles and waits for both. With a co-holder
    # (the CIO) short of hours, architecture decisions held jointly take longer than the same
    # decisions held by the CTO alone; if the first holder's part sufficed, most of the gap goes
    # (what stays is the CIO's extra load). Exhaustion and turnover held still. At the default
    # calibration both holders decide within the day and the wait costs nothing measurable.
    busy_cio = {
        "structure.roles.CIO.attention_hours": 1.5,
        "decision_hours": 1.5,
        "exec_exhaustion_rise": 0.0,
        "exec_turnover_base": 0.0,
    }
    a = contrast(
        "decision_latency",
        runs("cio_cto_joint_architecture", **busy_cio),
        runs("cio_cto_split", **busy_cio),
        switch=_first_holder_decides,
        seeds=8,
    )
    assert a.holds(+1), a


# --- 5. a restructure hands over reporting lines and rights ------------------------------------
RESTRUCTURE_AT = 250


def _after(result: sim.RunResult, role: str) -> Any:
    ex = result.executives
    return ex[(ex["role"] == role) & (ex["tick"] >= RESTRUCTURE_AT)]


def cio_technical_share(result: sim.RunResult) -> float:
    """Share of the CIO's hours on technical work after the restructure tick."""
    rows = _after(result, "CIO")
    return float(rows["hours_technical"].sum() / rows["used"].sum())


def cto_line_work(result: sim.RunResult) -> float:
    """The CTO's hours on decisions, planning and people after the restructure (0: no CTO)."""
    rows = _after(result, "CTO")
    return float(rows[["hours_decisions", "hours_planning", "hours_people"]].to_numpy().sum())


def _hollow_restructure() -> contextlib.AbstractContextManager:
    """The restructure appoints a CTO who takes over no right and no team (the handover off)."""
    run_module = importlib.import_module("sim.experiments.run")
    original = run_module.load_structure

    def loader(name: Any) -> Any:
        structure = original(name)
        if name != "cio_cto_split":
            return structure
        rights = tuple(
            (d, holders if holders == ("line",) else ("CIO",))
            for d, holders in structure.decision_rights
        )
        reporting = tuple((kind, "CIO") for kind, _ in structure.reporting)
        return dataclasses.replace(structure, decision_rights=rights, reporting=reporting)

    return replaced(run_module, "load_structure", loader)


def test_a_restructure_hands_the_cto_its_teams_and_rights():
    # MODEL.md, Interventions: the new role takes over its reporting lines and decision rights.
    # Against the same run without the restructure, the CTO's time goes to decisions, planning
    # and people, and the CIO's technical share falls; a CTO appointed with nothing to take over
    # (the handover switched off) does neither.
    lever = {"scenario": "restructure_to_split"}
    work = ablate(cto_line_work, lever, switch=_hollow_restructure, seeds=6)
    assert work.holds(+1), work
    share = ablate(cio_technical_share, lever, switch=_hollow_restructure, seeds=6)
    assert share.holds(-1), share


def test_a_restructure_appoints_a_cto_whose_trust_has_no_history():
    # MODEL.md, Interventions: the new role starts with no trust relationships. On the tick of
    # the restructure the CIO<->CTO trust is the prior plus that one day's evidence, the same on
    # every seed, whatever the 250 ticks before did; a channel with a history (the split from
    # tick 0) differs from seed to seed. The platform teams, led now by the CTO, start over too.
    seeds = range(6)
    short = {"steps": STEPS, "warmup": SHORT_WARMUP}
    restructured = [sim.run(early("restructure_to_split"), seed=s, **short) for s in seeds]
    first = restructured[0].executives.groupby("role")["tick"].min()
    assert first["CIO"] == 0 and first["CTO"] == RESTRUCTURE_AT, first
    new = [r.ticks for r in restructured]
    old = [sim.run(structure="cio_cto_split", seed=s, **short).ticks for s in seeds]
    calm = [sim.run(seed=s, **short).ticks for s in seeds]
    fresh = np.array([t["exec_trust"][RESTRUCTURE_AT] for t in new])
    history = np.array([t["exec_trust"][RESTRUCTURE_AT] for t in old])
    assert np.isnan(new[0]["exec_trust"][RESTRUCTURE_AT - 1])  # no channel before
    assert np.ptp(fresh) < 1e-12 and abs(fresh[0] - 0.5) < 0.05, fresh
    assert np.ptp(history) > 0.05, history
    dropped = np.array(
        [
            c["team_trust"][RESTRUCTURE_AT] - n["team_trust"][RESTRUCTURE_AT]
            for n, c in zip(new, calm, strict=True)
        ]
    )
    assert beyond_noise(dropped, +1), dropped


# --- 6. span of control (Graicunas 1933) -------------------------------------------------------
_SPLIT = load_structure("cio_cto_split")
# The split's roles and rights, with every team reporting to the CIO.
ONE_LEADER = dataclasses.replace(_SPLIT, reporting=(("delivery", "CIO"), ("platform", "CIO")))


def people_hours_per_team(result: sim.RunResult) -> float:
    """Executive hours given to people work per team per tick."""
    n_teams = result.params.n_delivery_teams + result.params.n_platform_teams
    return float(result.executives["hours_people"].sum() / n_teams / len(result.ticks))


def test_one_leader_of_every_team_pays_more_people_time_per_team_than_two():
    # Graicunas (1933): a leader's load grows with the relationships among reports, so one
    # leader of all twelve teams pays more people time per team than two leaders with seven and
    # five; with no cross-relationships (span_interaction = 0), the gap goes.
    a = contrast(
        people_hours_per_team,
        runs(ONE_LEADER),
        runs(_SPLIT),
        off={"span_interaction": 0.0},
        seeds=8,
    )
    assert a.holds(+1), a


# --- 7. protected people time -------------------------------------------------------------------
HEAVY = {"request_rate": 1.0, "stakeholder_hours_per_unit": 0.8}


@pytest.mark.slow
def test_protected_people_time_keeps_teams_safer_and_less_exhausted_under_load():
    # First article / JD-R: under load, urgent work crowds out people work; a protected floor
    # keeps leader support, so teams stay safer (Edmondson 1999) and recover better (Demerouti
    # et al. 2001). With no floor (protected_share = 0), the policy is urgent_first exactly.
    for outcome, direction in (("safety_mean", +1), ("team_exhaustion", -1)):
        a = ablate(
            outcome,
            {"attention_policy": "protected_people_time"},
            {"protected_share": 0.0},
            base=HEAVY,
            seeds=12,
        )
        assert a.holds(direction), (outcome, a)
