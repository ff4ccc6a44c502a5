"""Leadership structures as data: roles, a decision-rights matrix, reporting lines and channels.

A structure is never an ``if`` in the model. The model asks a :class:`Structure` who holds a
decision right, who a team reports to and what a coordination channel costs; a new structure is a
new TOML file in ``structures/``. Decision types and archetypes follow Weill & Ross (2004),
*IT Governance*.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    """

    name: str
    attention_hours: float
    cost: float
    business: float
    technical: float
    people: float

    def expertise(self, domain: str) -> float:
        """Expertise in ``domain`` (one of :data:`DOMAINS`)."""
        return getattr(self, domain)


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
    """

    name: str
    description: str
    roles: tuple[Role, ...]
    decision_rights: tuple[tuple[str, tuple[str, ...]], ...]
    reporting: tuple[tuple[str, str], ...]
    channels: tuple[Channel, ...] = ()

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
