"""Measures: every quantity MODEL.md lists, recorded per tick, and the run summary after warm-up.

Each per-tick measure is declared once in :data:`TICK_METRICS` with its unit, range and meaning;
the recorder fills preallocated lists, tests check the ranges, and the docs print the table.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.model.attention import ACTIVITIES
from sim.model.records import REQUEST_KINDS

if TYPE_CHECKING:
    from sim.config.params import Params
    from sim.config.structure import Structure
    from sim.model.model import ITLeadershipModel
    from sim.model.records import TickCounters

INF = math.inf


@dataclass(frozen=True)
class RunBound:
    """A range end that depends on the run: ``of(params, structure)`` is the number.

    ``text`` says how it is computed, for the docs and ``itlead list``. Under a ``restructure``
    intervention the bound holds for the structure in force at each tick.
    """

    text: str
    of: Callable[[Params, Structure], float]


Bound = float | RunBound


def _people(p: Params) -> int:
    # Hires only replace leavers, so no team ever exceeds its starting size (ODD 7.4).
    return (p.n_delivery_teams + p.n_platform_teams) * p.team_size_max


PEOPLE = "(n_delivery_teams + n_platform_teams) x team_size_max"
HEADCOUNT_MAX = RunBound(PEOPLE, lambda p, s: _people(p))
# Lead and restore times count t - created + 1 and creation is at tick 0 or later.
WHOLE_RUN = RunBound("steps", lambda p, s: p.steps)
# Latencies and waits count t - raised: at most the last tick, steps - 1.
LAST_TICK = RunBound("steps - 1", lambda p, s: p.steps - 1)
ROLES = RunBound("roles in the structure", lambda p, s: len(s.roles))
OVERTIME = RunBound("1 + overtime_max", lambda p, s: 1.0 + p.overtime_max)
# Capacity is headcount x productivity, at most raised by trust 1 over 0.5 (teams.py).
CAPACITY = RunBound(
    f"{PEOPLE} x productivity x (1 + trust_productivity_gain / 2)",
    lambda p, s: _people(p) * p.productivity * (1.0 + 0.5 * p.trust_productivity_gain),
)
IT_COST = RunBound(
    f"{PEOPLE} x person_cost + role costs",
    lambda p, s: _people(p) * p.person_cost + sum(r.cost for r in s.roles),
)
# A count of requests, incidents or decisions: Poisson arrivals (and surges) give no ceiling.
COUNT = INF
# A sum over what is delivered or accrues (value, debt, effort) has no ceiling either.
UNCAPPED = INF

# name: (unit, low, high, meaning). NaN means "nothing to measure this tick". ``high`` is a number
# or a RunBound; INF only where the model implies no ceiling (the comment says why).
TICK_METRICS: dict[str, tuple[str, float, Bound, str]] = {
    "requests_created": ("requests", 0, COUNT, "Requests business units raised."),
    "delivered": ("requests", 0, COUNT, "Requests delivered (throughput)."),
    "delivered_strategic": ("requests", 0, COUNT, "Strategic requests delivered."),
    "delivered_change": ("requests", 0, COUNT, "Change requests delivered."),
    "delivered_service": ("requests", 0, COUNT, "Service requests delivered."),
    "rejected": ("requests", 0, COUNT, "Proposals rejected or timed out in governance."),
    "shadowed": ("requests", 0, COUNT, "Requests units built themselves (shadow IT)."),
    "backlog": ("requests", 0, COUNT, "Open requests (proposed, queued or blocked)."),
    "lead_time_strategic": ("ticks", 1, WHOLE_RUN, "Mean lead time of strategic work delivered."),
    "lead_time_change": ("ticks", 1, WHOLE_RUN, "Mean lead time of changes delivered."),
    "lead_time_service": ("ticks", 1, WHOLE_RUN, "Mean lead time of service requests delivered."),
    "value_delivered": ("value units", 0, UNCAPPED, "Value x alignment, decayed by lateness."),
    "strategic_value": (
        "value units",
        0,
        UNCAPPED,
        "Value of strategic work delivered, unaligned.",
    ),
    "strategic_alignment": ("fraction", 0, 1, "Value-weighted alignment of strategic work."),
    "reaimed": ("items", 0, COUNT, "Funded items re-aimed at a current theme."),
    "incidents_new": ("incidents", 0, COUNT, "Incidents that arose."),
    "incidents_open": ("incidents", 0, COUNT, "Incidents not yet restored."),
    "restore_time": ("ticks", 1, WHOLE_RUN, "Mean time to restore of incidents restored."),
    "debt_mean": ("debt", 0, UNCAPPED, "Mean technical debt per team."),
    "unplanned_share": ("fraction", 0, 1, "Share of effort spent firefighting."),
    "run_share": ("fraction", 0, 1, "Share of effort running the business (all but strategic)."),
    "improvement_share": ("fraction", 0, 1, "Share of effort on improvement (debt paydown)."),
    "capacity": ("person-days", 0, CAPACITY, "IT capacity this tick."),
    # Capacity can fall near 0 (exhaustion, debt), so ratios to it have no ceiling.
    "demand_capacity_ratio": ("ratio", 0, INF, "Work offered (incl. rejected) over capacity."),
    "business_trust_mean": ("trust", 0, 1, "Mean business-unit trust in IT."),
    "business_trust_sd": ("trust", 0, 1, "Spread of business-unit trust in IT."),
    "perceived_trust": ("trust", 0, 1, "What the stakeholder executive believes trust is."),
    "blind_spot": ("trust", -1, 1, "Perceived minus actual business trust."),
    "exec_trust": ("trust", 0, 1, "Mean trust across executive channels (NaN: none)."),
    "team_trust": ("trust", 0, 1, "Mean team trust in its leader."),
    "safety_mean": ("probability", 0, 1, "Mean team psychological safety."),
    "team_exhaustion": ("exhaustion", 0, 1, "Mean team exhaustion."),
    "burnout_share": ("fraction", 0, 1, "IT staff above the burnout threshold."),
    "attrition": ("people", 0, HEADCOUNT_MAX, "IT staff who left."),
    "headcount": ("people", 0, HEADCOUNT_MAX, "IT staff."),
    "exec_utilisation_mean": ("fraction", 0, OVERTIME, "Mean executive hours used over budget."),
    "exec_utilisation_max": ("fraction", 0, OVERTIME, "Highest executive utilisation."),
    # Demand is what every queued item asks for, not what the budget allows: no ceiling.
    "exec_load_max": ("ratio", 0, INF, "Highest executive demand over budget."),
    "exec_exhaustion": ("exhaustion", 0, 1, "Mean executive exhaustion."),
    # The decision queue: a decision is in it from the tick it is raised to the tick its work is
    # released; the proposal queue: a proposal from the tick it is made to the tick it is closed.
    # Lengths are counted at the end of the tick and waits in whole ticks, so over any window
    # mean queue = arrivals per tick x mean wait (Little's law) up to the window's edges.
    "decision_arrivals": (
        "decisions",
        0,
        COUNT,
        "Decisions raised (voiced exceptions, escalations, major incidents, hiring), each once.",
    ),
    "decisions_released": (
        "decisions",
        0,
        COUNT,
        "Decisions whose work was released: decided (after any conflict hold-back) or defaulted.",
    ),
    "decision_queue": (
        "decisions",
        0,
        COUNT,
        "Decisions raised, not yet released: at executives or held back by a conflict.",
    ),
    "decision_latency": (
        "ticks",
        0,
        LAST_TICK,
        "Mean ticks from raised to released of decisions released (hold-back included).",
    ),
    "proposal_arrivals": ("proposals", 0, COUNT, "Investment proposals made (strategic requests)."),
    "proposals_closed": ("proposals", 0, COUNT, "Proposals funded, rejected or timed out."),
    "proposal_queue": ("proposals", 0, COUNT, "Proposals made and not yet funded or rejected."),
    "proposal_wait": (
        "ticks",
        0,
        LAST_TICK,
        "Mean ticks from proposed to funded, rejected or timed out, of proposals closed.",
    ),
    "decisions_timed_out": ("decisions", 0, COUNT, "Decisions defaulted after the timeout."),
    "escalations": ("requests", 0, COUNT, "Requests escalated by business units."),
    "exceptions_voiced": ("exceptions", 0, COUNT, "Exceptions teams raised to an executive."),
    "problems_hidden": ("exceptions", 0, COUNT, "Exceptions teams kept quiet (hidden work)."),
    "conflicts": ("decisions", 0, COUNT, "Decisions where the roles' goals conflicted."),
    "rework_effort": ("person-days", 0, UNCAPPED, "Rework added (wrong, defaulted or hidden)."),
    "hidden_work_share": ("fraction", 0, 1, "(Rework + coordination + blocked idling) / work."),
    "exec_turnover": ("executives", 0, ROLES, "Executives who left."),
    "exec_vacancies": ("roles", 0, ROLES, "Executive roles vacant."),
    "shadow_share": ("fraction", 0, 1, "Share of requests built as shadow IT."),
    "it_cost": ("cost units", 0, IT_COST, "Staff cost plus executive cost."),
}


def metric_range(name: str, params: Params, structure: Structure) -> tuple[float, float]:
    """The range of measure ``name`` in a run with ``params`` and ``structure``."""
    _unit, low, high, _meaning = TICK_METRICS[name]
    return float(low), float(high.of(params, structure) if isinstance(high, RunBound) else high)


def fixed_range(name: str) -> tuple[float, float]:
    """The range of ``name`` that holds in every run: a run-dependent end counts as infinite."""
    _unit, low, high, _meaning = TICK_METRICS[name]
    return float(low), INF if isinstance(high, RunBound) else float(high)


def bound_text(bound: Bound) -> str:
    """A range end as the docs and ``itlead list`` show it: a number or how it is computed."""
    return bound.text if isinstance(bound, RunBound) else f"{bound:g}"


# The per-executive table: name -> (unit, meaning), in column order.
EXEC_METRICS: dict[str, tuple[str, str]] = {
    "tick": ("tick", "Tick."),
    "role": ("name", "Role name from the structure file."),
    "vacant": ("flag", "The role is vacant (an acting stand-in covers it)."),
    "budget": ("hours", "Attention budget this tick."),
    "demand": ("hours", "Attention every activity asked for."),
    "used": ("hours", "Attention given."),
    "utilisation": ("fraction", "Used over budget."),
    "exhaustion": ("exhaustion", "Executive exhaustion, 0 to 1."),
    "decision_queue": (
        "decisions",
        "Decisions waiting for this executive's part at the end of the tick (a joint decision "
        "is in both holders' queues; held-back ones in neither).",
    ),
    "proposal_queue": (
        "proposals",
        "Investment proposals waiting for this executive's review at the end of the tick.",
    ),
    **{f"hours_{a}": ("hours", f"Attention given to {a}.") for a in ACTIVITIES},
    "hours_technical": ("hours", "Planning, incidents and technical decisions."),
}
EXEC_COLUMNS = tuple(EXEC_METRICS)
HOURS_PER_PERSON_DAY = 8.0
KIND_KEYS = tuple((f"delivered_{kind}", f"lead_time_{kind}") for kind in REQUEST_KINDS)


class Recorder:
    """Fills the per-tick series and the per-executive rows as the model runs."""

    def __init__(self, model: ITLeadershipModel) -> None:
        n = model.p.steps
        # Plain lists, made arrays once at the end: a list item is set four times faster than a
        # numpy element, and 60 are set every tick.
        self.by_tick = {name: [math.nan] * n for name in TICK_METRICS}
        self.exec_rows: list[tuple[Any, ...]] = []

    def collect(self, model: ITLeadershipModel) -> None:
        """Record tick ``model.tick``. Reads the model and changes nothing of it."""
        t = model.tick
        c = model.counters
        self._flows(t, c, model.demand.totals)
        worked, idle, headcount = self._teams(t, c, model)
        self._trust(t, model)
        coordination = self._executives(t, c, model)
        a = self.by_tick
        a["rework_effort"][t] = c.rework
        hidden = c.rework + coordination / HOURS_PER_PERSON_DAY + idle
        total = worked + coordination / HOURS_PER_PERSON_DAY + idle
        if total > 0.0:
            a["hidden_work_share"][t] = min(1.0, hidden / total)
        if c.created:
            a["shadow_share"][t] = c.shadowed / c.created
        execs = model.executives_by_name.values()
        a["it_cost"][t] = headcount * model.p.person_cost + sum(e.role.cost for e in execs)

    def _flows(self, t: int, c: TickCounters, totals: dict[str, int]) -> None:
        """What the tick's ledger counted: requests, value, decisions, incidents."""
        a = self.by_tick
        a["requests_created"][t] = c.created
        a["delivered"][t] = sum(c.delivered)
        for k, (delivered_key, lead_key) in enumerate(KIND_KEYS):
            a[delivered_key][t] = c.delivered[k]
            if c.delivered[k]:
                a[lead_key][t] = c.lead[k] / c.delivered[k]
        a["rejected"][t] = c.rejected
        a["shadowed"][t] = c.shadowed
        a["backlog"][t] = (
            totals["created"] - totals["delivered"] - totals["rejected"] - totals["shadowed"]
        )
        a["value_delivered"][t] = c.value
        a["strategic_value"][t] = c.strategic_value
        if c.strategic_value > 0.0:
            a["strategic_alignment"][t] = c.aligned_value / c.strategic_value
        a["reaimed"][t] = c.reaimed
        a["incidents_new"][t] = c.incidents
        if c.restored:
            a["restore_time"][t] = c.restore_time / c.restored
        a["attrition"][t] = c.attrition
        a["decision_arrivals"][t] = c.decisions_raised
        a["decisions_released"][t] = c.decisions_released
        if c.decisions_released:
            a["decision_latency"][t] = c.decision_latency / c.decisions_released
        a["proposal_arrivals"][t] = c.proposals_made
        a["proposals_closed"][t] = c.proposals_closed
        if c.proposals_closed:
            a["proposal_wait"][t] = c.proposal_wait / c.proposals_closed
        a["decisions_timed_out"][t] = c.timeouts
        a["escalations"][t] = c.escalations
        a["exceptions_voiced"][t] = c.exceptions
        a["problems_hidden"][t] = c.hidden_problems
        a["conflicts"][t] = c.conflicts
        a["exec_turnover"][t] = c.exec_turnover

    def _teams(self, t: int, c: TickCounters, model: ITLeadershipModel) -> tuple[float, float, int]:
        """The teams' state and effort; returns effort worked, idle blocked and headcount."""
        a = self.by_tick
        teams = model.team_list
        # One pass over the teams: this runs every tick.
        incidents_open = burnout = headcount = 0
        debt = incidents = improvement = planned = strategic = capacity = idle = 0.0
        team_trust = safety = exhaustion = 0.0
        for team in teams:
            incidents_open += len(team.incidents)
            debt += team.debt
            incidents += team.spent_incidents
            improvement += team.spent_improvement
            planned += team.spent_planned
            strategic += team.spent_strategic
            capacity += team.capacity
            idle += team.idle_blocked
            team_trust += team.leader_trust.value
            safety += team.safety
            exhaustion += team.exhaustion
            headcount += team.headcount
            burnout += team.burnout_count()
        n_teams = len(teams)
        a["incidents_open"][t] = incidents_open
        a["debt_mean"][t] = debt / n_teams
        worked = incidents + improvement + planned
        if worked > 0.0:
            a["unplanned_share"][t] = incidents / worked
            a["run_share"][t] = 1.0 - strategic / worked
            a["improvement_share"][t] = improvement / worked
        a["capacity"][t] = capacity
        if capacity > 0.0:
            a["demand_capacity_ratio"][t] = c.offered_effort / capacity
        a["team_trust"][t] = team_trust / n_teams
        a["safety_mean"][t] = safety / n_teams
        a["team_exhaustion"][t] = exhaustion / n_teams
        a["headcount"][t] = headcount
        if headcount:
            a["burnout_share"][t] = burnout / headcount
        return worked, idle, headcount

    def _trust(self, t: int, model: ITLeadershipModel) -> None:
        """Business trust, what the stakeholder executives believe it is, and executive trust."""
        a = self.by_tick
        trust = [u.trust.value for u in model.unit_list]
        actual = sum(trust) / len(trust)
        a["business_trust_mean"][t] = actual
        a["business_trust_sd"][t] = math.sqrt(sum((x - actual) ** 2 for x in trust) / len(trust))
        perceivers = [model.executives_by_name[n] for n in model.stakeholder_holders]
        perceived = sum(e.perceived_trust for e in perceivers) / len(perceivers)
        a["perceived_trust"][t] = perceived
        a["blind_spot"][t] = perceived - actual
        channels = model.coordination.channels
        if channels:
            channel_trust = [ch.trust.value for ch in channels.values()]
            a["exec_trust"][t] = sum(channel_trust) / len(channel_trust)

    def _executives(self, t: int, c: TickCounters, model: ITLeadershipModel) -> float:
        """Each executive's row and their load; returns the hours given to coordination."""
        a = self.by_tick
        execs = list(model.executives_by_name.values())
        utilisation = []
        loads = []
        coordination = 0.0
        vacancies = 0
        for e in execs:
            vacant = e.vacant
            vacancies += vacant
            used = sum(e.given.values())
            util = used / e.budget if e.budget > 0.0 else 0.0
            load = e.demand_total / e.budget if e.budget > 0.0 else 0.0
            utilisation.append(util)
            loads.append(load)
            coordination += e.given["coordination"]
            self.exec_rows.append(
                (
                    t,
                    e.name,
                    vacant,
                    e.budget,
                    e.demand_total,
                    used,
                    util,
                    e.exhaustion,
                    e.queue_stats.decisions.length,
                    e.queue_stats.proposals.length,
                    *e.given.values(),  # allocate() returns them in ACTIVITIES order
                    e.given["planning"] + e.given["incidents"] + e.technical_decision_hours,
                )
            )
        a["exec_utilisation_mean"][t] = sum(utilisation) / len(utilisation)
        a["exec_utilisation_max"][t] = max(utilisation)
        a["exec_load_max"][t] = max(loads)
        a["exec_exhaustion"][t] = sum(e.exhaustion for e in execs) / len(execs)
        a["decision_queue"][t] = model.decisions.open
        a["proposal_queue"][t] = model.portfolio.open
        a["exec_vacancies"][t] = vacancies
        return coordination

    def tick_columns(self, steps: int) -> dict[str, np.ndarray]:
        """``tick`` and every measure over the first ``steps`` ticks, as float arrays."""
        names = list(self.by_tick)
        # One conversion of the whole table, then a row per measure.
        table = np.array([self.by_tick[name][:steps] for name in names], dtype=np.float64)
        table = table.reshape(len(names), steps)
        return {"tick": np.arange(steps, dtype=np.int64)} | dict(zip(names, table, strict=True))

    def executive_columns(self) -> dict[str, np.ndarray]:
        """The per-executive table by column: one entry per role per tick."""
        if not self.exec_rows:
            return {name: np.array([]) for name in EXEC_COLUMNS}
        return {
            name: np.array(values)
            for name, values in zip(EXEC_COLUMNS, zip(*self.exec_rows, strict=True), strict=True)
        }

    def ticks_frame(self, steps: int) -> pd.DataFrame:
        """The per-tick table, one row per tick recorded."""
        return pd.DataFrame(self.tick_columns(steps))

    def series(self, name: str, steps: int) -> np.ndarray:
        """Measure ``name`` over the first ``steps`` ticks."""
        return np.array(self.by_tick[name][:steps], dtype=np.float64)

    def executives_frame(self) -> pd.DataFrame:
        """The per-executive table, one row per role per tick."""
        return pd.DataFrame(self.executive_columns())
