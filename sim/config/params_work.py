"""Parameters of exceptions and decisions, incidents, technical debt and improvement."""

from __future__ import annotations

from dataclasses import dataclass

from sim.config.param_fields import ASSUMPTION, param
from sim.config.params_organisation import OrganisationParams


@dataclass(frozen=True, kw_only=True, slots=True)
class WorkParams(OrganisationParams):
    """Exceptions and decisions, incidents, debt and improvement.

    A part of :class:`sim.config.params.Params`, which users build; not used alone.
    """

    # --- Exceptions and decisions (VDT) ----------------------------------------------------------
    exception_prob_strategic: float = param(
        0.6,
        "probability per item",
        0.0,
        1.0,
        "Jin & Levitt 1996 (VDT); value an assumption",
        "Chance a strategic item raises an exception.",
        "decisions",
    )
    exception_prob_change: float = param(
        0.25,
        "probability per item",
        0.0,
        1.0,
        "Jin & Levitt 1996 (VDT); value an assumption",
        "Chance a change item raises an exception.",
        "decisions",
        plausible=(0.1, 0.5),
        plausible_source="sensitivity experiments' 0.1-0.4, to twice the default (assumption)",
    )
    exception_prob_service: float = param(
        0.05,
        "probability per item",
        0.0,
        1.0,
        "Jin & Levitt 1996 (VDT); value an assumption",
        "Chance a service item raises an exception.",
        "decisions",
    )
    cross_domain_exception_share: float = param(
        0.25,
        "fraction of change and service exceptions",
        0.0,
        1.0,
        ASSUMPTION,
        "Share of a change or service exception that needs a decision outside the team's domain "
        "(a delivery team's change that touches architecture; a platform change that touches an "
        "application).",
        "decisions",
        plausible=(0.0, 0.5),
        plausible_source="assumption; 0: no change crosses a split's line",
    )
    decision_hours: float = param(
        0.5,
        "executive hours at expertise 1",
        0.01,
        100.0,
        ASSUMPTION,
        "Attention one escalated decision takes from a full expert.",
        "decisions",
        label="Executive hours per decision",
    )
    decision_timeout: int = param(
        10,
        "ticks",
        1,
        1_000,
        "Levitt et al. 1999; value an assumption",
        "Wait after which a team stops waiting and takes a default.",
        "decisions",
    )
    default_rework_prob: float = param(
        0.4,
        "probability",
        0.0,
        1.0,
        "Jin & Levitt 1996 (VDT hidden work: mechanism); value an assumption",
        "Chance a defaulted (or hidden) exception causes rework.",
        "decisions",
    )
    rework_fraction: float = param(
        0.3,
        "fraction of item effort",
        0.0,
        5.0,
        ASSUMPTION,
        "Extra effort that rework or a wrong decision adds.",
        "decisions",
    )
    joint_conflict_delay: int = param(
        3,
        "ticks",
        0,
        1_000,
        ASSUMPTION,
        "Delay a goal conflict adds to a joint decision.",
        "decisions",
    )

    # --- Incidents, debt and improvement (capability trap) ---------------------------------------
    incident_rate: float = param(
        0.12,
        "incidents per team per tick at zero debt",
        0.0,
        50.0,
        ASSUMPTION,
        "Base rate of incidents in each IT team (delivery and platform).",
        "stability",
        label="Incidents per team",
    )
    incident_effort: float = param(
        1.5,
        "person-days (median)",
        0.01,
        1_000.0,
        ASSUMPTION,
        "Median effort to restore an incident.",
        "stability",
    )
    major_incident_share: float = param(
        0.1,
        "fraction",
        0.0,
        1.0,
        ASSUMPTION,
        "Share of incidents that escalate to an executive.",
        "stability",
    )
    debt_incident_gain: float = param(
        2.0,
        "x per unit debt",
        0.0,
        100.0,
        "Repenning & Sterman 2001; value an assumption",
        "Incidents multiply by (1 + gain x debt).",
        "stability",
    )
    debt_per_effort: float = param(
        0.0003,
        "debt per person-day delivered",
        0.0,
        1.0,
        "Repenning & Sterman 2001; value an assumption",
        "Debt added by delivered work; doubled for rushed work.",
        "stability",
    )
    debt_erosion: float = param(
        0.0005,
        "debt per tick",
        0.0,
        1.0,
        "Repenning 2001 (capability erodes); value an assumption",
        "Debt a team gains each tick without upkeep.",
        "stability",
    )
    debt_drag: float = param(
        0.4,
        "capacity loss per unit debt",
        0.0,
        10.0,
        ASSUMPTION,
        "Capacity divides by (1 + drag x debt).",
        "stability",
    )
    improvement_share_min: float = param(
        0.03,
        "fraction of capacity",
        0.0,
        1.0,
        ASSUMPTION,
        "Improvement share kept without planning attention.",
        "stability",
    )
    improvement_share_max: float = param(
        0.30,
        "fraction of capacity",
        0.0,
        1.0,
        ASSUMPTION,
        "Improvement share a fully attended plan sets at high debt.",
        "stability",
    )
    improvement_effect: float = param(
        0.01,
        "debt removed per person-day",
        0.0,
        1.0,
        ASSUMPTION,
        "Debt paid down by one person-day of improvement.",
        "stability",
    )
    improvement_delay: int = param(
        30,
        "ticks",
        0,
        1_000,
        "Repenning & Sterman 2001 (delay); value an assumption",
        "Ticks before improvement work pays back.",
        "stability",
        plausible=(10, 90),
        plausible_source="sensitivity experiments' range (assumption)",
    )
    pressure_cut: float = param(
        1.5,
        "share cut per unit of excess pressure",
        0.0,
        100.0,
        "Repenning & Sterman 2001 (tipping point); value an assumption",
        "How fast teams cut improvement time when over-loaded.",
        "stability",
        plausible=(0.5, 5.0),
        plausible_source="sensitivity experiments' range (assumption)",
    )
    hidden_defect_debt: float = param(
        0.01,
        "debt per hidden defect",
        0.0,
        1.0,
        ASSUMPTION,
        "Debt added when a problem is not voiced and ships.",
        "stability",
    )
    incident_effort_sigma: float = param(
        0.8,
        "log-scale sd",
        0.0,
        3.0,
        ASSUMPTION,
        "Spread of the lognormal incident effort around incident_effort.",
        "stability",
    )
    rushed_debt_factor: float = param(
        2.0,
        "x debt of unrushed work",
        1.0,
        10.0,
        "Repenning & Sterman 2001 (mechanism); value an assumption",
        "Debt multiplier of work delivered under pressure above 1 (rushed work).",
        "stability",
        plausible=(1.0, 3.0),
        plausible_source="assumption; 1: rushing adds no debt",
    )
    improvement_plan_rate: float = param(
        0.1,
        "fraction of the gap per tick",
        0.0,
        1.0,
        ASSUMPTION,
        "How far a fully attended plan moves a team's improvement share toward its target each"
        " tick.",
        "stability",
    )
