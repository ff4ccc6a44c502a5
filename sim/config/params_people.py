"""Parameters of trust, psychological safety and feedback, exhaustion and attrition."""

from __future__ import annotations

from dataclasses import dataclass

from sim.config.param_fields import ASSUMPTION, param
from sim.config.params_work import WorkParams


@dataclass(frozen=True, kw_only=True, slots=True)
class PeopleParams(WorkParams):
    """Trust, psychological safety and feedback, exhaustion and attrition.

    A part of :class:`sim.config.params.Params`, which users build; not used alone.
    """

    # --- Trust (beta reputation) -----------------------------------------------------------------
    trust_forgetting: float = param(
        0.985,
        "evidence kept per tick",
        0.5,
        1.0,
        "Josang & Ismail 2002; value an assumption",
        "Forgetting factor applied to trust evidence every tick.",
        "trust",
        plausible=(0.95, 0.995),
        plausible_source="sensitivity experiments' range (assumption)",
    )
    trust_negative_weight: float = param(
        3.0,
        "x positive",
        1.0,
        10.0,
        "Slovic 1993; Poortinga & Pidgeon 2004 (asymmetry: mechanism); value an assumption",
        "Weight of a negative event relative to a positive one.",
        "trust",
        plausible=(1.5, 5.0),
        plausible_source="assumption, the range the trust-asymmetry literature suggests",
        label="Weight of bad news on trust",
    )
    stakeholder_evidence: float = param(
        0.5,
        "positive evidence per stakeholder hour",
        0.0,
        10.0,
        ASSUMPTION,
        "Trust evidence an hour of stakeholder work adds.",
        "trust",
    )
    escalation_prob_max: float = param(
        0.1,
        "probability per request",
        0.0,
        1.0,
        ASSUMPTION,
        "Chance a request is escalated by a unit with zero trust.",
        "trust",
    )
    shadow_prob_max: float = param(
        0.3,
        "probability per request",
        0.0,
        1.0,
        ASSUMPTION,
        "Chance a unit with zero trust builds a request itself.",
        "trust",
    )
    shadow_trust_threshold: float = param(
        0.5,
        "trust",
        0.0,
        1.0,
        ASSUMPTION,
        "Trust below which units start shadow IT.",
        "trust",
        plausible=(0.3, 0.7),
        plausible_source="assumption",
    )
    shadow_debt: float = param(
        0.02,
        "debt per shadow system",
        0.0,
        1.0,
        ASSUMPTION,
        "Debt and risk a shadow system adds to the platform.",
        "trust",
    )
    trust_productivity_gain: float = param(
        0.3,
        "capacity gain per unit trust above 0.5",
        0.0,
        2.0,
        "De Jong et al. 2016 (rho = 0.30, a correlation); effect size an assumption",
        "Team trust in its leader raises its productivity.",
        "trust",
        plausible=(0.0, 0.6),
        plausible_source="assumption; 0: trust does not raise productivity",
    )
    channel_trust_gain: float = param(
        0.05,
        "positive evidence per tick per role at full coverage",
        0.0,
        1.0,
        ASSUMPTION,
        "Trust evidence a coordination channel gains each tick from each role's attention to it.",
        "trust",
    )
    people_evidence: float = param(
        0.2,
        "positive evidence per tick at full people time",
        0.0,
        10.0,
        ASSUMPTION,
        "Trust evidence a team's trust in its leader gains from a tick of full people time.",
        "trust",
    )

    # --- Psychological safety and feedback -------------------------------------------------------
    safety_initial: float = param(
        0.5,
        "probability of voice",
        0.0,
        1.0,
        "Edmondson 1999 (construct); value an assumption",
        "Initial team psychological safety.",
        "climate",
        plausible=(0.3, 0.7),
        plausible_source="assumption",
    )
    safety_gain: float = param(
        0.01,
        "per people-hour per team",
        0.0,
        1.0,
        ASSUMPTION,
        "Safety gained from leader people time.",
        "climate",
    )
    safety_decay: float = param(
        0.003,
        "per tick per unit exhaustion",
        0.0,
        1.0,
        ASSUMPTION,
        "Safety lost under pressure and exhaustion.",
        "climate",
    )
    perceived_trust_prior: float = param(
        0.7,
        "trust",
        0.0,
        1.0,
        "assumption (above a new relationship's 0.5: the CIO starts with a blind spot)",
        "What the CIO believes business trust is, at the start.",
        "climate",
        plausible=(0.5, 0.9),
        plausible_source="assumption",
    )
    kpi_pull: float = param(
        0.02,
        "per tick",
        0.0,
        1.0,
        ASSUMPTION,
        "Pull of perceived trust toward IT's own on-time KPI.",
        "climate",
    )
    feedback_learning: float = param(
        0.08,
        "per feedback hour",
        0.0,
        5.0,
        ASSUMPTION,
        "How far an hour of feedback work moves perceived trust toward actual.",
        "climate",
    )
    stakeholder_feedback_share: float = param(
        0.25,
        "feedback hours per stakeholder hour",
        0.0,
        10.0,
        ASSUMPTION,
        "How much an hour of stakeholder work teaches the executive about actual trust, in"
        " feedback hours.",
        "climate",
    )
    ontime_kpi_initial: float = param(
        0.8,
        "fraction on time",
        0.0,
        1.0,
        ASSUMPTION,
        "IT's own on-time KPI at the start, which perceived trust drifts toward.",
        "climate",
        plausible=(0.6, 0.95),
        plausible_source="assumption",
    )
    kpi_weight: float = param(
        0.02,
        "weight of one delivery",
        0.0,
        1.0,
        ASSUMPTION,
        "Weight of each delivery in the exponential average that is IT's on-time KPI.",
        "climate",
    )

    # --- Exhaustion, attrition, turnover ---------------------------------------------------------
    exhaustion_rise: float = param(
        0.0185,
        "per tick per unit schedule pressure",
        0.0,
        1.0,
        "Demerouti et al. 2001 (JD-R: mechanism); value an assumption, calibrated by simulated"
        " method of moments (docs/calibration.md)",
        "Exhaustion gained per tick per unit of schedule pressure (demands).",
        "people",
        plausible=(0.0085, 0.034),
        plausible_source="assumption: half to twice the value first set by hand",
        label="Staff exhaustion per overloaded tick",
    )
    exhaustion_recovery: float = param(
        0.008,
        "fraction of exhaustion per tick",
        0.0,
        1.0,
        "Homer 1985 (slow recovery); value an assumption",
        "Exhaustion shed per tick when load is below capacity.",
        "people",
    )
    support_recovery: float = param(
        1.0,
        "extra recovery at full support, x base recovery",
        0.0,
        5.0,
        "Demerouti et al. 2001 (JD-R: support is a job resource); value an assumption",
        "How much a leader's full people time adds to recovery: recovery = exhaustion_recovery"
        " x (1 + support_recovery x support), support being people time given over needed.",
        "people",
    )
    exhaustion_productivity: float = param(
        0.3,
        "capacity loss at full exhaustion",
        0.0,
        1.0,
        "Demerouti et al. 2001 (JD-R: mechanism); value an assumption",
        "Exhaustion lowers capacity.",
        "people",
    )
    burnout_threshold: float = param(
        0.5,
        "exhaustion",
        0.0,
        1.0,
        "assumption: a cut set by hand on the model's 0-1 scale to stand for Yerbo 2022's"
        " high-risk category (the survey gives the share at risk, 2 in 5, not a cut)",
        "Individual exhaustion above which a person is at high risk.",
        "people",
        plausible=(0.4, 0.6),
        plausible_source="assumption",
    )
    exhaustion_spread: float = param(
        0.3,
        "sd",
        0.0,
        1.0,
        ASSUMPTION,
        "Individual spread of exhaustion around the team level.",
        "people",
    )
    attrition_base: float = param(
        0.0005,
        "per person per tick",
        0.0,
        1.0,
        "assumption (about 12% a year at zero exhaustion, 1 - (1 - 0.0005)^250: a typical IT"
        " staff turnover; no published source named)",
        "Base quit hazard.",
        "people",
        label="Staff attrition (rested)",
    )
    attrition_exhaustion_gain: float = param(
        3.0,
        "x per unit exhaustion",
        0.0,
        100.0,
        ASSUMPTION,
        "Quit hazard multiplies by (1 + gain x exhaustion).",
        "people",
    )
    hiring_delay: int = param(
        60,
        "ticks",
        0,
        1_000,
        ASSUMPTION,
        "Ticks to refill a vacancy.",
        "people",
        label="Time to fill a vacancy",
    )
    backlog_norm: float = param(
        10.0,
        "ticks of capacity",
        0.5,
        1_000.0,
        ASSUMPTION,
        "Backlog a team carries without feeling pressure (JD-R demand above this).",
        "people",
    )
