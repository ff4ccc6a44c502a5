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
    )
    trust_negative_weight: float = param(
        3.0,
        "x positive",
        1.0,
        10.0,
        "Slovic 1993; Poortinga & Pidgeon 2004; range 1.5-5 (assumption)",
        "Weight of a negative event relative to a positive one.",
        "trust",
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
        0.5, "trust", 0.0, 1.0, ASSUMPTION, "Trust below which units start shadow IT.", "trust"
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
        "De Jong et al. 2016 (rho = 0.30)",
        "Team trust in its leader raises its productivity.",
        "trust",
    )

    # --- Psychological safety and feedback -------------------------------------------------------
    safety_initial: float = param(
        0.5,
        "probability of voice",
        0.0,
        1.0,
        "Edmondson 1999",
        "Initial team psychological safety.",
        "climate",
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
        "MODEL.md (blind spot)",
        "What the CIO believes business trust is, at the start.",
        "climate",
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

    # --- Exhaustion, attrition, turnover ---------------------------------------------------------
    exhaustion_rise: float = param(
        0.017,
        "per tick per unit schedule pressure",
        0.0,
        1.0,
        "Demerouti et al. 2001 (JD-R); value an assumption",
        "Exhaustion gained per tick per unit of schedule pressure (demands).",
        "people",
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
        "Demerouti et al. 2001",
        "Exhaustion lowers capacity.",
        "people",
    )
    burnout_threshold: float = param(
        0.5,
        "exhaustion",
        0.0,
        1.0,
        "Yerbo 2022 (high risk)",
        "Individual exhaustion above which a person is at high risk.",
        "people",
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
        "about 12% annual IT attrition",
        "Base quit hazard.",
        "people",
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
        60, "ticks", 0, 1_000, ASSUMPTION, "Ticks to refill a vacancy.", "people"
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
