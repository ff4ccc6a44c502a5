"""Leadership structures as data: roles, a decision-rights matrix, reporting lines and channels.

A structure is never an ``if`` in the model. The model asks a :class:`Structure` who holds a
decision right, who a team reports to and what a coordination channel costs; a new structure is a
new TOML file in ``structures/``. Decision types and archetypes follow Weill & Ross (2004),
*IT Governance*.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DECISION_TYPES = (
    "investment",
    "application",
    "architecture",
    "infrastructure",
    "stakeholder",
    "people",
)
DOMAINS = ("business", "technical", "people")
# Which expertise a decision type draws on. Part of the model, not of a structure.
DECISION_DOMAIN = {
    "investment": "business",
    "application": "business",
    "architecture": "technical",
    "infrastructure": "technical",
    "stakeholder": "business",
    "people": "people",
}
TEAM_KINDS = ("delivery", "platform")
# Holder value meaning "the role the raising team reports to".
LINE = "line"
# Overrides (``--set``, ``sim.run`` keywords, experiment constants and uncertainties) name a number
# of the run's structure file by its dotted key after this prefix: ``structure.roles.CTO.cost``.
STRUCTURE_PREFIX = "structure."
# The unit and allowed range of every number a structure file holds, by the field its key ends in
# (expertise: any domain), as keywords of :func:`sim.config.checks.check_number`. The loader checks
# files with these, overrides are checked with them, and ``docs/parameters.md`` prints them.
NUMBER_RANGES: dict[str, dict[str, Any]] = {
    "attention_hours": {"low": 0.0, "high": 24.0, "low_open": True, "unit": "hours per tick"},
    "cost": {"low": 0.0, "unit": "cost units per tick"},
    "expertise": {"low": 0.0, "high": 1.0, "low_open": True, "unit": "expertise (0-1 scale)"},
    "hours_per_tick": {"low": 0.0, "high": 24.0, "unit": "hours per tick"},
    "goal_incongruence": {"low": 0.0, "high": 1.0, "unit": "probability"},
}
# The range each structure number could plausibly take in a real organisation, by field, and why:
# sensitivity designs sample inside it (a test checks the shipped experiments), and
# ``docs/parameters.md`` prints it beside the allowed range above. All are assumptions.
NUMBER_PLAUSIBLE: dict[str, tuple[float, float, str]] = {
    "attention_hours": (
        6.0,
        12.0,
        "assumption: an executive's working day, less what the model does not represent",
    ),
    "cost": (1.5, 6.0, "assumption: 1.5 to 6 loaded IT person-days (person_cost 1) per tick"),
    "expertise": (0.4, 1.0, "assumption: a hired IT executive is at least a competent novice"),
    "hours_per_tick": (0.0, 2.0, "assumption: none to two hours a day of coordination per role"),
    "goal_incongruence": (0.0, 0.5, "assumption: aligned to conflicting on every other decision"),
}
_ROLE_NUMBERS = ("attention_hours", "cost")
_CHANNEL_NUMBERS = ("hours_per_tick", "goal_incongruence")


def number_field(key: str) -> str | None:
    """The field of :data:`NUMBER_RANGES` a structure number's dotted key names, if it is one.

    Args:
        key: A dotted key without :data:`STRUCTURE_PREFIX`: ``roles.<ROLE>.attention_hours``,
            ``roles.<ROLE>.cost``, ``roles.<ROLE>.expertise.<domain>``,
            ``channels.<i>.hours_per_tick`` or ``channels.<i>.goal_incongruence`` (``i`` the
            0-based index of the channel in file order).

    Returns:
        The field (``"expertise"`` for any domain), or None when ``key`` has none of these forms.
        Whether the structure has such a role or channel is not checked here.
    """
    parts = str(key).split(".")
    if parts[0] == "roles" and len(parts) == 3 and parts[2] in _ROLE_NUMBERS:
        return parts[2]
    if parts[0] == "roles" and len(parts) == 4 and parts[2] == "expertise" and parts[3] in DOMAINS:
        return "expertise"
    if parts[0] == "channels" and len(parts) == 3 and parts[1].isdecimal():
        return parts[2] if parts[2] in _CHANNEL_NUMBERS else None
    return None


def number_forms(role: str = "CIO", index: str = "0") -> list[str]:
    """Every form of a structure number's dotted key, for one role name and channel index."""
    roles = [f"roles.{role}.{f}" for f in _ROLE_NUMBERS]
    roles += [f"roles.{role}.expertise.{d}" for d in DOMAINS]
    return roles + [f"channels.{index}.{f}" for f in _CHANNEL_NUMBERS]


@dataclass(frozen=True, kw_only=True, slots=True)
class Role:
    """One executive role.

    Attributes:
        name: Role name, e.g. ``"CIO"``.
        attention_hours: Attention budget in hours per tick.
        cost: Cost units per tick.
        business: Expertise in business matters, in (0, 1]; speed and accuracy of decisions.
        technical: Expertise in technical matters, in (0, 1].
        people: Expertise in people matters, in (0, 1].
        specialism: The domain the role's holder specialises in (one of :data:`DOMAINS`), or
            None for a generalist. A specialist knows ``specialisation_gain`` more in it than the
            file's level (a dedicated CTO more about technology than a generalist CIO).
    """

    name: str
    attention_hours: float
    cost: float
    business: float
    technical: float
    people: float
    specialism: str | None = None

    def expertise(self, domain: str) -> float:
        """Expertise in ``domain`` (one of :data:`DOMAINS`) as the file gives it."""
        return getattr(self, domain)

    def skills(self, specialisation_gain: float) -> dict[str, float]:
        """The expertise of the person appointed to the role, per domain, capped at 1."""
        gain = {self.specialism: specialisation_gain} if self.specialism else {}
        return {d: min(1.0, self.expertise(d) + gain.get(d, 0.0)) for d in DOMAINS}


@dataclass(frozen=True, kw_only=True, slots=True)
class Channel:
    """A coordination channel between two roles.

    Attributes:
        roles: The two roles.
        hours_per_tick: Attention each role spends on the channel every tick.
        goal_incongruence: Chance, per joint decision, that the two roles' priorities conflict.
    """

    roles: tuple[str, str]
    hours_per_tick: float
    goal_incongruence: float


@dataclass(frozen=True, kw_only=True, slots=True)
class Structure:
    """A leadership structure.

    Attributes:
        name: Structure name (the file stem).
        description: One paragraph for people.
        roles: The executive roles, in file order.
        decision_rights: ``(decision_type, holders)`` pairs, one per decision type; holders is one
            role, two roles (a joint right: the decision waits for both), or ``("line",)``.
        reporting: ``(team_kind, role)`` pairs: whom each kind of team reports to.
        channels: Coordination channels between roles.
        sources: ``(key, source)`` pairs from the file's ``[sources]`` table: the published
            source of a number (dotted key as in :meth:`numbers`); a number not listed is an
            assumption.
    """

    name: str
    description: str
    roles: tuple[Role, ...]
    decision_rights: tuple[tuple[str, tuple[str, ...]], ...]
    reporting: tuple[tuple[str, str], ...]
    channels: tuple[Channel, ...] = ()
    sources: tuple[tuple[str, str], ...] = ()

    def numbers(self) -> dict[str, float]:
        """Every number of the structure by its dotted key (see :func:`number_field`), file order.

        Returns:
            E.g. ``{"roles.CIO.attention_hours": 9.0, ..., "channels.0.goal_incongruence": 0.2}``.
        """
        values: dict[str, float] = {}
        for r in self.roles:
            values[f"roles.{r.name}.attention_hours"] = r.attention_hours
            values[f"roles.{r.name}.cost"] = r.cost
            values |= {f"roles.{r.name}.expertise.{d}": r.expertise(d) for d in DOMAINS}
        for i, c in enumerate(self.channels):
            values[f"channels.{i}.hours_per_tick"] = c.hours_per_tick
            values[f"channels.{i}.goal_incongruence"] = c.goal_incongruence
        return values

    def source(self, key: str) -> str:
        """The published source of the number under ``key``, or ``"assumption"`` when none."""
        return dict(self.sources).get(key, "assumption")

    @property
    def role_names(self) -> tuple[str, ...]:
        """Names of the roles, in file order."""
        return tuple(r.name for r in self.roles)

    def role(self, name: str) -> Role:
        """The role called ``name``."""
        for r in self.roles:
            if r.name == name:
                return r
        raise KeyError(name)

    def reports_to(self, team_kind: str) -> str:
        """The role a team of ``team_kind`` reports to."""
        return dict(self.reporting)[team_kind]

    def holders(self, decision_type: str, team_kind: str) -> tuple[str, ...]:
        """Roles that must decide ``decision_type`` raised by a team of ``team_kind``."""
        holders = dict(self.decision_rights)[decision_type]
        if holders == (LINE,):
            return (self.reports_to(team_kind),)
        return holders

    def channel(self, a: str, b: str) -> Channel | None:
        """The channel between roles ``a`` and ``b``, if any."""
        for c in self.channels:
            if set(c.roles) == {a, b}:
                return c
        return None
