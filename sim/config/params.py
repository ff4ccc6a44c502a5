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
from dataclasses import dataclass
from typing import Any

from sim.config.param_fields import ASSUMPTION, ATTENTION_POLICIES, ParamInfo, param
from sim.config.params_people import PeopleParams
from sim.config.structure import STRUCTURE_PREFIX

__all__ = [
    "ATTENTION_POLICIES",
    "ParamInfo",
    "Params",
    "param_defaults",
    "param_infos",
    "param_types",
]


@dataclass(frozen=True, kw_only=True, slots=True)
class Params(PeopleParams):
    """Every parameter of one run. Build with keywords; unknown names are a TypeError.

    Declared in parts, one per section of the parameter table, each module a base of the next
    (:mod:`sim.config.params_organisation`, :mod:`sim.config.params_work`,
    :mod:`sim.config.params_people`); the executives' section is declared here. The fields keep
    the table's order.

    The dataclass is frozen: a run's parameters cannot change after it starts, so what a manifest
    records is what ran. ``repr(params)`` rebuilds the object.
    """

    # --- Executives ------------------------------------------------------------------------------
    attention_policy: str = param(
        "urgent_first",
        "policy",
        None,
        None,
        "assumption (urgent_first: the crowding-out of people work the practitioner articles"
        " warn of)",
        "How executives split attention when demand exceeds it.",
        "executives",
        ATTENTION_POLICIES,
        label="Executive attention policy",
    )
    protected_share: float = param(
        0.35,
        "fraction of attention",
        0.0,
        1.0,
        ASSUMPTION,
        "Floor kept for stakeholder and people work under protected_people_time.",
        "executives",
    )
    overtime_max: float = param(
        0.25,
        "fraction of budget",
        0.0,
        2.0,
        ASSUMPTION,
        "Extra hours an executive works when over-demanded.",
        "executives",
    )
    stakeholder_hours_per_unit: float = param(
        0.4,
        "hours per unit per tick",
        0.0,
        24.0,
        "assumption, calibrated to SIM 2009 (76% of CIO time on non-technical work)",
        "Stakeholder time a unit wants from its IT executive.",
        "executives",
    )
    people_hours_per_report: float = param(
        0.25,
        "hours per report per tick",
        0.0,
        24.0,
        "Graicunas 1933 (span law: mechanism); value an assumption",
        "People time one direct report needs.",
        "executives",
    )
    span_interaction: float = param(
        0.04,
        "cross-relationship weight",
        0.0,
        1.0,
        "Graicunas 1933 (mechanism); value an assumption",
        "Extra load per pair of reports: span cost grows faster than linear.",
        "executives",
        plausible=(0.01, 0.08),
        plausible_source="sensitivity experiments' range (assumption)",
    )
    governance_hours: float = param(
        0.75,
        "hours per proposal",
        0.0,
        100.0,
        ASSUMPTION,
        "Attention one investment proposal takes at expertise 1.",
        "executives",
    )
    portfolio_capacity_share: float = param(
        0.45,
        "fraction of delivery capacity",
        0.0,
        1.0,
        "Gartner 2006 (grow + transform: 0.20-0.45 of IT capacity; the top end)",
        "Delivery capacity the portfolio funds strategic work up to.",
        "executives",
        plausible=(0.2, 0.45),
        plausible_source="Gartner 2006 (grow + transform)",
    )
    proposal_timeout: int = param(
        40,
        "ticks",
        1,
        5_000,
        ASSUMPTION,
        "Ticks a proposal waits for funding before it is rejected.",
        "executives",
    )
    planning_hours: float = param(
        0.08,
        "hours per team per tick",
        0.0,
        24.0,
        ASSUMPTION,
        "Technical planning time one team needs at zero debt.",
        "executives",
    )
    planning_hours_per_debt: float = param(
        0.1,
        "hours per team per tick per unit debt",
        0.0,
        100.0,
        ASSUMPTION,
        "Extra planning time a team's debt needs.",
        "executives",
    )
    debt_reference: float = param(
        0.5,
        "debt",
        0.01,
        100.0,
        ASSUMPTION,
        "Debt at which a fully attended plan sets the largest improvement share.",
        "stability",
    )
    review_interval: int = param(
        20,
        "ticks",
        1,
        1_000,
        "March 1991 (mechanism); value an assumption",
        "How often each funded strategic item is reviewed at full governance attention.",
        "executives",
    )
    review_hours: float = param(
        0.25,
        "hours per review at expertise 1",
        0.0,
        24.0,
        ASSUMPTION,
        "Attention one portfolio review of a funded item takes.",
        "executives",
    )
    fund_threshold: float = param(
        0.6,
        "estimated alignment",
        0.0,
        1.0,
        ASSUMPTION,
        "Least estimated alignment at which a proposal is funded.",
        "executives",
        plausible=(0.4, 0.8),
        plausible_source="assumption",
    )
    interim_attention: float = param(
        0.3,
        "fraction of budget",
        0.0,
        1.0,
        ASSUMPTION,
        "Attention an acting stand-in gives a vacant role (at expertise interim_expertise).",
        "executives",
    )
    major_incident_hours: float = param(
        1.5,
        "hours per major incident",
        0.0,
        100.0,
        ASSUMPTION,
        "Executive time a major incident takes.",
        "executives",
    )
    exec_exhaustion_rise: float = param(
        0.03,
        "per tick per unit excess load",
        0.0,
        1.0,
        "Demerouti et al. 2001; value an assumption",
        "Executive exhaustion gained per tick of over-demand.",
        "executives",
    )
    exec_exhaustion_recovery: float = param(
        0.01,
        "fraction of exhaustion per tick",
        0.0,
        1.0,
        ASSUMPTION,
        "Executive exhaustion shed per tick of slack.",
        "executives",
    )
    exec_turnover_base: float = param(
        0.0009,
        "per tick",
        0.0,
        1.0,
        "assumption (a CIO tenure of about 4-5 years, as executive-search surveys report; no"
        " single published source)",
        "Base hazard that an executive leaves.",
        "executives",
        plausible=(0.0005, 0.0013),
        plausible_source="assumption: a CIO tenure of 3 to 8 years",
    )
    exec_turnover_gain: float = param(
        6.0,
        "x per unit exhaustion",
        0.0,
        100.0,
        ASSUMPTION,
        "Leaving hazard multiplies by (1 + gain x exhaustion).",
        "executives",
    )
    exec_vacancy: int = param(
        60,
        "ticks",
        0,
        1_000,
        ASSUMPTION,
        "Ticks a vacated executive role stays empty.",
        "executives",
    )
    specialisation_gain: float = param(
        0.1,
        "expertise (0-1 scale)",
        0.0,
        0.5,
        ASSUMPTION,
        "Expertise a specialist role (a structure file's specialism, e.g. a CTO in technology) has"
        " above the file's generalist level in that domain; 0 removes specialisation.",
        "executives",
        plausible=(0.0, 0.3),
        plausible_source="assumption; 0: a specialist knows no more than a generalist",
    )
    coordination_multiplier: float = param(
        1.0,
        "x structure's channel cost",
        0.0,
        100.0,
        ASSUMPTION,
        "Scales every coordination channel's hours per tick.",
        "executives",
        plausible=(0.5, 3.0),
        plausible_source="sensitivity experiments' range (assumption)",
        label="Coordination cost (x the structure's)",
    )
    goal_incongruence_multiplier: float = param(
        1.0,
        "x structure's incongruence",
        0.0,
        100.0,
        ASSUMPTION,
        "Scales every channel's goal incongruence (capped at 1).",
        "executives",
        plausible=(0.5, 3.0),
        plausible_source="sensitivity experiments' range (assumption)",
        label="Goal conflict (x the structure's)",
    )
    coordination_conflict_cut: float = param(
        0.5,
        "fraction of conflict chance at full coverage",
        0.0,
        1.0,
        ASSUMPTION,
        "Share of a channel's conflict chance that full attention to the channel removes.",
        "executives",
    )
    exec_exhaustion_accuracy: float = param(
        0.5,
        "accuracy lost at full exhaustion",
        0.0,
        1.0,
        ASSUMPTION,
        "Share of decision accuracy an executive loses at full exhaustion.",
        "executives",
    )
    interim_expertise: float = param(
        0.5,
        "expertise (0-1 scale)",
        0.05,
        1.0,
        ASSUMPTION,
        "Expertise of an acting stand-in in every domain while a role is vacant.",
        "executives",
        plausible=(0.3, 0.7),
        plausible_source="assumption",
    )
    fade_threshold: float = param(
        0.5,
        "alignment",
        0.0,
        1.0,
        ASSUMPTION,
        "Alignment below which a portfolio review finds a funded item's theme faded and re-aims"
        " it.",
        "executives",
        plausible=(0.3, 0.7),
        plausible_source="assumption",
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


class _Types(dict):
    """Parameter types by name; a structure number's key, never listed, is typed float."""

    def __missing__(self, key: Any) -> type:
        # Overrides may name structure numbers (all floats) as well as parameters, so code that
        # types an override by its key (design points, CSV cells) handles both.
        if isinstance(key, str) and key.startswith(STRUCTURE_PREFIX):
            return float
        raise KeyError(key)


def param_types() -> dict[str, type]:
    """Every parameter's Python type (int, float or str).

    Returns:
        A dict of the parameters' types, in declaration order. Looking up (``[]``, not ``get`` or
        ``in``) a key starting ``structure.`` gives float: every number of a structure file is a
        float and may be overridden like a parameter.
    """
    names = {"int": int, "float": float, "str": str}
    return _Types({f.name: names[str(f.type)] for f in dataclasses.fields(Params)})
