"""Model parameters: one frozen, keyword-only dataclass; each field carries unit, range, source.

This module is the single source of truth for every behavioural and organisational number in the
model. ``itlead list``, the parameter table in ``docs/parameters.md`` and the loaders' range checks
all read the metadata declared here, so a parameter cannot be documented one way and checked
another.

Sources marked "assumption" have no published value; MODEL.md asks for them to be named as such and
included in the sensitivity analysis.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

ATTENTION_POLICIES = ("urgent_first", "protected_people_time")


@dataclass(frozen=True, slots=True)
class ParamInfo:
    """Documentation and bounds of one parameter.

    Attributes:
        unit: Unit of measure, in words.
        low: Smallest allowed value (inclusive), or None for categorical parameters.
        high: Largest allowed value (inclusive), or None for categorical parameters.
        source: Published source, or "assumption".
        doc: One-sentence meaning.
        group: Section of the parameter table.
        choices: Allowed values of a categorical parameter.
    """

    unit: str
    low: float | None
    high: float | None
    source: str
    doc: str
    group: str
    choices: tuple[str, ...] = ()


def _p(
    default: Any,
    unit: str,
    low: float | None,
    high: float | None,
    source: str,
    doc: str,
    group: str,
    choices: tuple[str, ...] = (),
) -> Any:
    info = ParamInfo(unit, low, high, source, doc, group, choices)
    return field(default=default, metadata={"info": info})


ASSUMPTION = "assumption"
MODEL_DEFAULT = "MODEL.md default organisation"


@dataclass(frozen=True, kw_only=True, slots=True)
class Params:
    """Every parameter of one run. Build with keywords; unknown names are a TypeError.

    The dataclass is frozen: a run's parameters cannot change after it starts, so what a manifest
    records is what ran. ``repr(params)`` rebuilds the object.
    """

    # --- Run -------------------------------------------------------------------------------------
    steps: int = _p(
        750,
        "ticks (working days)",
        1,
        100_000,
        MODEL_DEFAULT,
        "Length of the run; 750 ticks is about 3 years, near one CIO tenure.",
        "run",
    )
    warmup: int = _p(
        60, "ticks", 0, 100_000, MODEL_DEFAULT, "Ticks left out of run summaries.", "run"
    )

    # --- Organisation ----------------------------------------------------------------------------
    n_business_units: int = _p(
        8, "units", 1, 5_000, MODEL_DEFAULT, "Number of business units.", "organisation"
    )
    n_delivery_teams: int = _p(
        7,
        "teams",
        1,
        5_000,
        MODEL_DEFAULT,
        "IT teams building applications (strategic and change work).",
        "organisation",
    )
    n_platform_teams: int = _p(
        5,
        "teams",
        1,
        5_000,
        MODEL_DEFAULT,
        "IT teams running infrastructure (service requests, incidents).",
        "organisation",
    )
    team_size_min: int = _p(
        5,
        "people",
        1,
        100,
        MODEL_DEFAULT,
        "Smallest team headcount (uniform draw).",
        "organisation",
    )
    team_size_max: int = _p(
        9, "people", 1, 100, MODEL_DEFAULT, "Largest team headcount (uniform draw).", "organisation"
    )
    productivity: float = _p(
        0.75,
        "person-days per person per tick",
        0.05,
        2.0,
        ASSUMPTION,
        "Work a rested person delivers per working day, net of meetings.",
        "organisation",
    )
    person_cost: float = _p(
        1.0,
        "cost units per person per tick",
        0.0,
        100.0,
        ASSUMPTION,
        "Loaded cost of one IT person-day; executive cost is per role.",
        "organisation",
    )

    # --- Demand ----------------------------------------------------------------------------------
    request_rate: float = _p(
        0.85,
        "requests per unit per tick",
        0.0,
        100.0,
        ASSUMPTION,
        "Poisson rate of new requests per business unit at demand level 1.",
        "demand",
    )
    share_strategic: float = _p(
        0.08,
        "fraction",
        0.0,
        1.0,
        ASSUMPTION,
        "Share of requests that are strategic (need investment).",
        "demand",
    )
    share_change: float = _p(
        0.25,
        "fraction",
        0.0,
        1.0,
        ASSUMPTION,
        "Share of requests that are changes; the rest are service requests.",
        "demand",
    )
    effort_strategic: float = _p(
        40.0,
        "person-days (median)",
        0.1,
        10_000.0,
        ASSUMPTION,
        "Median effort of a strategic request (lognormal).",
        "demand",
    )
    effort_change: float = _p(
        4.0,
        "person-days (median)",
        0.1,
        10_000.0,
        ASSUMPTION,
        "Median effort of a change request (lognormal).",
        "demand",
    )
    effort_service: float = _p(
        2.5,
        "person-days (median)",
        0.05,
        10_000.0,
        ASSUMPTION,
        "Median effort of a service request (lognormal).",
        "demand",
    )
    effort_sigma: float = _p(
        0.8,
        "log-scale sd",
        0.0,
        3.0,
        ASSUMPTION,
        "Spread of the lognormal effort: heavy tail of large items.",
        "demand",
    )
    due_strategic: int = _p(
        90,
        "ticks",
        1,
        5_000,
        "DORA 2021; Standish CHAOS",
        "Promised time to deliver a strategic request.",
        "demand",
    )
    due_change: int = _p(
        20,
        "ticks",
        1,
        5_000,
        "DORA 2021 (medium performers)",
        "Promised time to deliver a change request.",
        "demand",
    )
    due_service: int = _p(
        5, "ticks", 1, 5_000, ASSUMPTION, "Promised time to deliver a service request.", "demand"
    )
    value_per_effort_strategic: float = _p(
        3.0,
        "value units per person-day",
        0.0,
        1_000.0,
        ASSUMPTION,
        "Business value of a strategic request per unit of effort, before alignment.",
        "demand",
    )
    value_per_effort_change: float = _p(
        1.5,
        "value units per person-day",
        0.0,
        1_000.0,
        ASSUMPTION,
        "Business value of a change per unit effort.",
        "demand",
    )
    value_per_effort_service: float = _p(
        1.0,
        "value units per person-day",
        0.0,
        1_000.0,
        ASSUMPTION,
        "Business value of a service request per unit effort.",
        "demand",
    )
    lateness_decay: float = _p(
        60.0,
        "ticks",
        1.0,
        10_000.0,
        ASSUMPTION,
        "E-folding time of value lost per tick of lateness.",
        "demand",
    )

    # --- Market ----------------------------------------------------------------------------------
    n_themes: int = _p(
        5, "themes", 1, 100, "March 1991; MODEL.md", "Number of strategic market themes.", "market"
    )
    turbulence: float = _p(
        0.03,
        "sd of daily log-weight change",
        0.0,
        2.0,
        ASSUMPTION,
        "Drift of theme priority weights (market turbulence).",
        "market",
    )
    theme_concentration: float = _p(
        1.0,
        "Dirichlet alpha",
        0.05,
        100.0,
        ASSUMPTION,
        "How even theme weights are when drawn (low = one dominant).",
        "market",
    )

    # --- Exceptions and decisions (VDT) ----------------------------------------------------------
    exception_prob_strategic: float = _p(
        0.6,
        "probability per item",
        0.0,
        1.0,
        "Jin & Levitt 1996 (VDT); value an assumption",
        "Chance a strategic item raises an exception.",
        "decisions",
    )
    exception_prob_change: float = _p(
        0.25,
        "probability per item",
        0.0,
        1.0,
        "Jin & Levitt 1996 (VDT); value an assumption",
        "Chance a change item raises an exception.",
        "decisions",
    )
    exception_prob_service: float = _p(
        0.05,
        "probability per item",
        0.0,
        1.0,
        "Jin & Levitt 1996 (VDT); value an assumption",
        "Chance a service item raises an exception.",
        "decisions",
    )
    decision_hours: float = _p(
        0.5,
        "executive hours at expertise 1",
        0.01,
        100.0,
        ASSUMPTION,
        "Attention one escalated decision takes from a full expert.",
        "decisions",
    )
    decision_timeout: int = _p(
        10,
        "ticks",
        1,
        1_000,
        "Levitt et al. 1999; value an assumption",
        "Wait after which a team stops waiting and takes a default.",
        "decisions",
    )
    default_rework_prob: float = _p(
        0.4,
        "probability",
        0.0,
        1.0,
        "VDT hidden work; assumption",
        "Chance a defaulted (or hidden) exception causes rework.",
        "decisions",
    )
    rework_fraction: float = _p(
        0.3,
        "fraction of item effort",
        0.0,
        5.0,
        ASSUMPTION,
        "Extra effort that rework or a wrong decision adds.",
        "decisions",
    )
    joint_conflict_delay: int = _p(
        3,
        "ticks",
        0,
        1_000,
        ASSUMPTION,
        "Delay a goal conflict adds to a joint decision.",
        "decisions",
    )

    # --- Incidents, debt and improvement (capability trap) ---------------------------------------
    incident_rate: float = _p(
        0.12,
        "incidents per team per tick at zero debt",
        0.0,
        50.0,
        ASSUMPTION,
        "Base rate of incidents in each IT team (delivery and platform).",
        "stability",
    )
    incident_effort: float = _p(
        1.5,
        "person-days (median)",
        0.01,
        1_000.0,
        ASSUMPTION,
        "Median effort to restore an incident.",
        "stability",
    )
    major_incident_share: float = _p(
        0.1,
        "fraction",
        0.0,
        1.0,
        ASSUMPTION,
        "Share of incidents that escalate to an executive.",
        "stability",
    )
    debt_incident_gain: float = _p(
        2.0,
        "x per unit debt",
        0.0,
        100.0,
        "Repenning & Sterman 2001; value an assumption",
        "Incidents multiply by (1 + gain x debt).",
        "stability",
    )
    debt_per_effort: float = _p(
        0.0003,
        "debt per person-day delivered",
        0.0,
        1.0,
        "Repenning & Sterman 2001; value an assumption",
        "Debt added by delivered work; doubled for rushed work.",
        "stability",
    )
    debt_erosion: float = _p(
        0.0005,
        "debt per tick",
        0.0,
        1.0,
        "Repenning 2001 (capability erodes); value an assumption",
        "Debt a team gains each tick without upkeep.",
        "stability",
    )
    debt_drag: float = _p(
        0.4,
        "capacity loss per unit debt",
        0.0,
        10.0,
        ASSUMPTION,
        "Capacity divides by (1 + drag x debt).",
        "stability",
    )
    improvement_share_min: float = _p(
        0.03,
        "fraction of capacity",
        0.0,
        1.0,
        ASSUMPTION,
        "Improvement share kept without planning attention.",
        "stability",
    )
    improvement_share_max: float = _p(
        0.30,
        "fraction of capacity",
        0.0,
        1.0,
        ASSUMPTION,
        "Improvement share a fully attended plan sets at high debt.",
        "stability",
    )
    improvement_effect: float = _p(
        0.01,
        "debt removed per person-day",
        0.0,
        1.0,
        ASSUMPTION,
        "Debt paid down by one person-day of improvement.",
        "stability",
    )
    improvement_delay: int = _p(
        30,
        "ticks",
        0,
        1_000,
        "Repenning & Sterman 2001 (delay); value an assumption",
        "Ticks before improvement work pays back.",
        "stability",
    )
    pressure_cut: float = _p(
        1.5,
        "share cut per unit of excess pressure",
        0.0,
        100.0,
        "Repenning & Sterman 2001 (tipping point); value an assumption",
        "How fast teams cut improvement time when over-loaded.",
        "stability",
    )
    hidden_defect_debt: float = _p(
        0.01,
        "debt per hidden defect",
        0.0,
        1.0,
        ASSUMPTION,
        "Debt added when a problem is not voiced and ships.",
        "stability",
    )

    # --- Trust (beta reputation) -----------------------------------------------------------------
    trust_forgetting: float = _p(
        0.985,
        "evidence kept per tick",
        0.5,
        1.0,
        "Josang & Ismail 2002; value an assumption",
        "Forgetting factor applied to trust evidence every tick.",
        "trust",
    )
    trust_negative_weight: float = _p(
        3.0,
        "x positive",
        1.0,
        10.0,
        "Slovic 1993; Poortinga & Pidgeon 2004; range 1.5-5 (assumption)",
        "Weight of a negative event relative to a positive one.",
        "trust",
    )
    stakeholder_evidence: float = _p(
        0.5,
        "positive evidence per stakeholder hour",
        0.0,
        10.0,
        ASSUMPTION,
        "Trust evidence an hour of stakeholder work adds.",
        "trust",
    )
    escalation_prob_max: float = _p(
        0.1,
        "probability per request",
        0.0,
        1.0,
        ASSUMPTION,
        "Chance a request is escalated by a unit with zero trust.",
        "trust",
    )
    shadow_prob_max: float = _p(
        0.3,
        "probability per request",
        0.0,
        1.0,
        ASSUMPTION,
        "Chance a unit with zero trust builds a request itself.",
        "trust",
    )
    shadow_trust_threshold: float = _p(
        0.5, "trust", 0.0, 1.0, ASSUMPTION, "Trust below which units start shadow IT.", "trust"
    )
    shadow_debt: float = _p(
        0.02,
        "debt per shadow system",
        0.0,
        1.0,
        ASSUMPTION,
        "Debt and risk a shadow system adds to the platform.",
        "trust",
    )
    trust_productivity_gain: float = _p(
        0.3,
        "capacity gain per unit trust above 0.5",
        0.0,
        2.0,
        "De Jong et al. 2016 (rho = 0.30)",
        "Team trust in its leader raises its productivity.",
        "trust",
    )

    # --- Psychological safety and feedback -------------------------------------------------------
    safety_initial: float = _p(
        0.5,
        "probability of voice",
        0.0,
        1.0,
        "Edmondson 1999",
        "Initial team psychological safety.",
        "climate",
    )
    safety_gain: float = _p(
        0.01,
        "per people-hour per team",
        0.0,
        1.0,
        ASSUMPTION,
        "Safety gained from leader people time.",
        "climate",
    )
    safety_decay: float = _p(
        0.003,
        "per tick per unit exhaustion",
        0.0,
        1.0,
        ASSUMPTION,
        "Safety lost under pressure and exhaustion.",
        "climate",
    )
    perceived_trust_prior: float = _p(
        0.7,
        "trust",
        0.0,
        1.0,
        "MODEL.md (blind spot)",
        "What the CIO believes business trust is, at the start.",
        "climate",
    )
    kpi_pull: float = _p(
        0.02,
        "per tick",
        0.0,
        1.0,
        ASSUMPTION,
        "Pull of perceived trust toward IT's own on-time KPI.",
        "climate",
    )
    feedback_learning: float = _p(
        0.08,
        "per feedback hour",
        0.0,
        5.0,
        ASSUMPTION,
        "How far an hour of feedback work moves perceived trust toward actual.",
        "climate",
    )

    # --- Exhaustion, attrition, turnover ---------------------------------------------------------
    exhaustion_rise: float = _p(
        0.017,
        "per tick per unit schedule pressure",
        0.0,
        1.0,
        "Demerouti et al. 2001 (JD-R); value an assumption",
        "Exhaustion gained per tick per unit of schedule pressure (demands).",
        "people",
    )
    exhaustion_recovery: float = _p(
        0.008,
        "fraction of exhaustion per tick",
        0.0,
        1.0,
        "Homer 1985 (slow recovery); value an assumption",
        "Exhaustion shed per tick when load is below capacity.",
        "people",
    )
    exhaustion_productivity: float = _p(
        0.3,
        "capacity loss at full exhaustion",
        0.0,
        1.0,
        "Demerouti et al. 2001",
        "Exhaustion lowers capacity.",
        "people",
    )
    burnout_threshold: float = _p(
        0.5,
        "exhaustion",
        0.0,
        1.0,
        "Yerbo 2022 (high risk)",
        "Individual exhaustion above which a person is at high risk.",
        "people",
    )
    exhaustion_spread: float = _p(
        0.3,
        "sd",
        0.0,
        1.0,
        ASSUMPTION,
        "Individual spread of exhaustion around the team level.",
        "people",
    )
    attrition_base: float = _p(
        0.0005,
        "per person per tick",
        0.0,
        1.0,
        "about 12% annual IT attrition",
        "Base quit hazard.",
        "people",
    )
    attrition_exhaustion_gain: float = _p(
        3.0,
        "x per unit exhaustion",
        0.0,
        100.0,
        ASSUMPTION,
        "Quit hazard multiplies by (1 + gain x exhaustion).",
        "people",
    )
    hiring_delay: int = _p(
        60, "ticks", 0, 1_000, ASSUMPTION, "Ticks to refill a vacancy.", "people"
    )
    backlog_norm: float = _p(
        10.0,
        "ticks of capacity",
        0.5,
        1_000.0,
        ASSUMPTION,
        "Backlog a team carries without feeling pressure (JD-R demand above this).",
        "people",
    )

    # --- Executives ------------------------------------------------------------------------------
    attention_policy: str = _p(
        "urgent_first",
        "policy",
        None,
        None,
        "MODEL.md",
        "How executives split attention when demand exceeds it.",
        "executives",
        ATTENTION_POLICIES,
    )
    protected_share: float = _p(
        0.35,
        "fraction of attention",
        0.0,
        1.0,
        ASSUMPTION,
        "Floor kept for stakeholder and people work under protected_people_time.",
        "executives",
    )
    overtime_max: float = _p(
        0.25,
        "fraction of budget",
        0.0,
        2.0,
        ASSUMPTION,
        "Extra hours an executive works when over-demanded.",
        "executives",
    )
    stakeholder_hours_per_unit: float = _p(
        0.4,
        "hours per unit per tick",
        0.0,
        24.0,
        "SIM 2009 (CIO time on stakeholders)",
        "Stakeholder time a unit wants from its IT executive.",
        "executives",
    )
    people_hours_per_report: float = _p(
        0.25,
        "hours per report per tick",
        0.0,
        24.0,
        "Graicunas 1933",
        "People time one direct report needs.",
        "executives",
    )
    span_interaction: float = _p(
        0.04,
        "cross-relationship weight",
        0.0,
        1.0,
        "Graicunas 1933; value an assumption",
        "Extra load per pair of reports: span cost grows faster than linear.",
        "executives",
    )
    governance_hours: float = _p(
        0.75,
        "hours per proposal",
        0.0,
        100.0,
        ASSUMPTION,
        "Attention one investment proposal takes at expertise 1.",
        "executives",
    )
    portfolio_capacity_share: float = _p(
        0.45,
        "fraction of delivery capacity",
        0.0,
        1.0,
        "Gartner 2006 (grow + transform)",
        "Delivery capacity the portfolio funds strategic work up to.",
        "executives",
    )
    proposal_timeout: int = _p(
        40,
        "ticks",
        1,
        5_000,
        ASSUMPTION,
        "Ticks a proposal waits for funding before it is rejected.",
        "executives",
    )
    planning_hours: float = _p(
        0.08,
        "hours per team per tick",
        0.0,
        24.0,
        ASSUMPTION,
        "Technical planning time one team needs at zero debt.",
        "executives",
    )
    planning_hours_per_debt: float = _p(
        0.1,
        "hours per team per tick per unit debt",
        0.0,
        100.0,
        ASSUMPTION,
        "Extra planning time a team's debt needs.",
        "executives",
    )
    debt_reference: float = _p(
        0.5,
        "debt",
        0.01,
        100.0,
        ASSUMPTION,
        "Debt at which a fully attended plan sets the largest improvement share.",
        "stability",
    )
    review_interval: int = _p(
        20,
        "ticks",
        1,
        1_000,
        "March 1991; value an assumption",
        "How often each funded strategic item is reviewed at full governance attention.",
        "executives",
    )
    review_hours: float = _p(
        0.25,
        "hours per review at expertise 1",
        0.0,
        24.0,
        ASSUMPTION,
        "Attention one portfolio review of a funded item takes.",
        "executives",
    )
    fund_threshold: float = _p(
        0.6,
        "estimated alignment",
        0.0,
        1.0,
        ASSUMPTION,
        "Least estimated alignment at which a proposal is funded.",
        "executives",
    )
    interim_attention: float = _p(
        0.3,
        "fraction of budget",
        0.0,
        1.0,
        ASSUMPTION,
        "Attention an acting stand-in gives a vacant role (at expertise 0.5).",
        "executives",
    )
    major_incident_hours: float = _p(
        1.5,
        "hours per major incident",
        0.0,
        100.0,
        ASSUMPTION,
        "Executive time a major incident takes.",
        "executives",
    )
    exec_exhaustion_rise: float = _p(
        0.03,
        "per tick per unit excess load",
        0.0,
        1.0,
        "Demerouti et al. 2001; value an assumption",
        "Executive exhaustion gained per tick of over-demand.",
        "executives",
    )
    exec_exhaustion_recovery: float = _p(
        0.01,
        "fraction of exhaustion per tick",
        0.0,
        1.0,
        ASSUMPTION,
        "Executive exhaustion shed per tick of slack.",
        "executives",
    )
    exec_turnover_base: float = _p(
        0.0009,
        "per tick",
        0.0,
        1.0,
        "CIO tenure about 4-5 years (surveys)",
        "Base hazard that an executive leaves.",
        "executives",
    )
    exec_turnover_gain: float = _p(
        6.0,
        "x per unit exhaustion",
        0.0,
        100.0,
        ASSUMPTION,
        "Leaving hazard multiplies by (1 + gain x exhaustion).",
        "executives",
    )
    exec_vacancy: int = _p(
        60,
        "ticks",
        0,
        1_000,
        ASSUMPTION,
        "Ticks a vacated executive role stays empty.",
        "executives",
    )
    coordination_multiplier: float = _p(
        1.0,
        "x structure's channel cost",
        0.0,
        100.0,
        ASSUMPTION,
        "Scales every coordination channel's hours per tick.",
        "executives",
    )
    goal_incongruence_multiplier: float = _p(
        1.0,
        "x structure's incongruence",
        0.0,
        100.0,
        ASSUMPTION,
        "Scales every channel's goal incongruence (capped at 1).",
        "executives",
    )

    def replace(self, **changes: Any) -> Params:
        """Return a copy with ``changes`` applied (unknown names raise TypeError)."""
        return dataclasses.replace(self, **changes)


def param_infos() -> dict[str, ParamInfo]:
    """Every parameter's documentation, in declaration order."""
    return {f.name: f.metadata["info"] for f in dataclasses.fields(Params)}


def param_defaults() -> dict[str, Any]:
    """Every parameter's default value, in declaration order."""
    return {f.name: f.default for f in dataclasses.fields(Params)}


def param_types() -> dict[str, type]:
    """Every parameter's Python type (int, float or str)."""
    names = {"int": int, "float": float, "str": str}
    return {f.name: names[str(f.type)] for f in dataclasses.fields(Params)}
