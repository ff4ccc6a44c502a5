"""Parameters of the run, the organisation, its demand and the market."""

from __future__ import annotations

from dataclasses import dataclass

from sim.config.param_fields import ASSUMPTION, ORGANISATION_SIZE, param


@dataclass(frozen=True, kw_only=True, slots=True)
class OrganisationParams:
    """The run, the organisation, its demand and the market.

    A part of :class:`sim.config.params.Params`, which users build; not used alone.
    """

    # --- Run -------------------------------------------------------------------------------------
    steps: int = param(
        1300,
        "ticks (working days)",
        1,
        100_000,
        "assumption: the warm-up plus 750 ticks",
        "Length of the run: the warm-up, then 750 measured ticks (about 3 years, near one CIO "
        "tenure).",
        "run",
        label="Run length",
    )
    warmup: int = param(
        550,
        "ticks",
        0,
        100_000,
        "the warm-up rule of docs/steady_state.md (a drift test; MSER-5 beside it)",
        "Ticks left out of run summaries: the start-up transient from a fresh organisation.",
        "run",
        label="Warm-up",
    )

    # --- Organisation ----------------------------------------------------------------------------
    n_business_units: int = param(
        8,
        "units",
        1,
        5_000,
        ORGANISATION_SIZE,
        "Number of business units.",
        "organisation",
        label="Business units",
    )
    n_delivery_teams: int = param(
        7,
        "teams",
        1,
        5_000,
        ORGANISATION_SIZE,
        "IT teams building applications (strategic and change work).",
        "organisation",
        label="Delivery teams",
    )
    n_platform_teams: int = param(
        5,
        "teams",
        1,
        5_000,
        ORGANISATION_SIZE,
        "IT teams running infrastructure (service requests, incidents).",
        "organisation",
        label="Platform teams",
    )
    team_size_min: int = param(
        5,
        "people",
        1,
        100,
        ORGANISATION_SIZE,
        "Smallest team headcount (uniform draw).",
        "organisation",
        label="Smallest team",
    )
    team_size_max: int = param(
        9,
        "people",
        1,
        100,
        ORGANISATION_SIZE,
        "Largest team headcount (uniform draw).",
        "organisation",
        label="Largest team",
    )
    productivity: float = param(
        0.75,
        "person-days per person per tick",
        0.05,
        2.0,
        ASSUMPTION,
        "Work a rested person delivers per working day, net of meetings.",
        "organisation",
        plausible=(0.5, 1.0),
        plausible_source="assumption: half to all of a working day on the team's work",
    )
    person_cost: float = param(
        1.0,
        "cost units per person per tick",
        0.0,
        100.0,
        ASSUMPTION,
        "Loaded cost of one IT person-day; executive cost is per role.",
        "organisation",
    )

    # --- Demand ----------------------------------------------------------------------------------
    request_rate: float = param(
        0.795,
        "requests per unit per tick",
        0.0,
        100.0,
        "assumption, calibrated by simulated method of moments (docs/calibration.md)",
        "Poisson rate of new requests per business unit at demand level 1.",
        "demand",
        plausible=(0.425, 1.7),
        plausible_source="assumption: half to twice the value first set by hand",
        label="Requests per business unit",
    )
    share_strategic: float = param(
        0.0746,
        "fraction",
        0.0,
        1.0,
        "assumption, calibrated by simulated method of moments (docs/calibration.md)",
        "Share of requests that are strategic (need investment).",
        "demand",
        plausible=(0.04, 0.16),
        plausible_source="assumption: half to twice the value first set by hand",
        label="Strategic share of requests",
    )
    share_change: float = param(
        0.25,
        "fraction",
        0.0,
        1.0,
        ASSUMPTION,
        "Share of requests that are changes; the rest are service requests.",
        "demand",
    )
    effort_strategic: float = param(
        38.4,
        "person-days (median)",
        0.1,
        10_000.0,
        "assumption, calibrated by simulated method of moments (docs/calibration.md)",
        "Median effort of a strategic request (lognormal).",
        "demand",
        plausible=(20.0, 80.0),
        plausible_source="assumption: half to twice the value first set by hand",
    )
    effort_change: float = param(
        4.0,
        "person-days (median)",
        0.1,
        10_000.0,
        ASSUMPTION,
        "Median effort of a change request (lognormal).",
        "demand",
    )
    effort_service: float = param(
        2.5,
        "person-days (median)",
        0.05,
        10_000.0,
        ASSUMPTION,
        "Median effort of a service request (lognormal).",
        "demand",
    )
    effort_sigma: float = param(
        0.8,
        "log-scale sd",
        0.0,
        3.0,
        ASSUMPTION,
        "Spread of the lognormal effort: heavy tail of large items.",
        "demand",
    )
    due_strategic: int = param(
        90,
        "ticks",
        1,
        5_000,
        "DORA 2021 (strategic work takes 1-6 months; 90 ticks is about 4)",
        "Promised time to deliver a strategic request.",
        "demand",
        plausible=(21, 126),
        plausible_source="DORA 2021: 1-6 months",
    )
    due_change: int = param(
        20,
        "ticks",
        1,
        5_000,
        "DORA 2021 (medium performers: change lead time of days to weeks)",
        "Promised time to deliver a change request.",
        "demand",
        plausible=(5, 40),
        plausible_source="DORA 2021: days to weeks",
    )
    due_service: int = param(
        5, "ticks", 1, 5_000, ASSUMPTION, "Promised time to deliver a service request.", "demand"
    )
    value_per_effort_strategic: float = param(
        3.0,
        "value units per person-day",
        0.0,
        1_000.0,
        ASSUMPTION,
        "Business value of a strategic request per unit of effort, before alignment.",
        "demand",
    )
    value_per_effort_change: float = param(
        1.5,
        "value units per person-day",
        0.0,
        1_000.0,
        ASSUMPTION,
        "Business value of a change per unit effort.",
        "demand",
    )
    value_per_effort_service: float = param(
        1.0,
        "value units per person-day",
        0.0,
        1_000.0,
        ASSUMPTION,
        "Business value of a service request per unit effort.",
        "demand",
    )
    lateness_decay: float = param(
        60.0,
        "ticks",
        1.0,
        10_000.0,
        ASSUMPTION,
        "E-folding time of value lost per tick of lateness.",
        "demand",
    )

    # --- Market ----------------------------------------------------------------------------------
    n_themes: int = param(
        5,
        "themes",
        1,
        100,
        "March 1991 (mechanism); value an assumption",
        "Number of strategic market themes.",
        "market",
    )
    turbulence: float = param(
        0.03,
        "sd of daily log-weight change",
        0.0,
        2.0,
        ASSUMPTION,
        "Drift of theme priority weights (market turbulence).",
        "market",
        label="Market turbulence",
    )
    theme_concentration: float = param(
        1.0,
        "Dirichlet alpha",
        0.05,
        100.0,
        ASSUMPTION,
        "How even theme weights are when drawn (low = one dominant).",
        "market",
    )
