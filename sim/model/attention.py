"""ODD 7.8: how an executive splits a limited attention budget over competing demands.

MODEL.md asks for the split under over-demand to be an explicit, named policy rather than a side
effect of code order, so that the first article's claim (people work pays off) can be tested:

- ``urgent_first``: activities are served in order of urgency; escalations and incidents crowd
  out stakeholder and people work.
- ``protected_people_time``: a floor of the budget is kept for stakeholder, feedback and people
  work; the rest is served in order of urgency, and any unused floor goes back to the pool.

Both may stretch the budget by working overtime, up to a cap, when demand exceeds it.
"""

from __future__ import annotations

# Activities in order of urgency. The order is the policy's content, not an accident of code.
ACTIVITIES = (
    "incidents",
    "decisions",
    "coordination",
    "governance",
    "planning",
    "stakeholder",
    "feedback",
    "people",
)
PEOPLE_WORK = ("stakeholder", "feedback", "people")


def allocate(
    demand: dict[str, float],
    budget: float,
    *,
    policy: str,
    overtime: float,
    protected_share: float,
) -> dict[str, float]:
    """Split ``budget`` hours (plus overtime) over ``demand`` hours per activity.

    Args:
        demand: Hours wanted per activity; missing activities want nothing.
        budget: Regular hours available this tick.
        policy: ``"urgent_first"`` or ``"protected_people_time"``.
        overtime: Extra hours available when demand exceeds the budget.
        protected_share: Share of ``budget`` kept for people work (protected policy only).

    Returns:
        Hours given per activity (every activity present); never more than demanded, and in
        total never more than ``budget + overtime``.
    """
    # Plain loops and conditionals (no max/min/sum calls): this runs for every executive, every
    # tick, and gives the same numbers as the built-ins would.
    wanted = {}
    total = 0.0
    for a in ACTIVITIES:
        w = demand.get(a, 0.0)
        if not w > 0.0:
            w = 0.0
        wanted[a] = w
        total += w
    available = budget + overtime if total > budget else budget
    given = dict.fromkeys(ACTIVITIES, 0.0)
    if policy == "protected_people_time":
        people_wanted = sum(wanted[a] for a in PEOPLE_WORK)
        floor = min(protected_share * budget, people_wanted, available)
        if people_wanted > 0.0:
            for a in PEOPLE_WORK:
                given[a] = floor * wanted[a] / people_wanted
        available -= floor
    elif policy != "urgent_first":
        raise ValueError(f"unknown attention policy {policy!r}")
    for a in ACTIVITIES:
        take = wanted[a] - given[a]
        if available < take:
            take = available
        if take > 0.0:
            given[a] += take
            available -= take
    return given
