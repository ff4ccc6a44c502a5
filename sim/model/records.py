"""Plain records that flow between agents: requests, incidents and decisions (not agents).

Each record carries the uniform random numbers that decide its fate (whether it raises an
exception, whether that is voiced, whether a decision on it is right), drawn when the record is
created from its source's stream. The same request therefore meets the same luck under every
structure, and structures differ only through the mechanisms.
"""

from __future__ import annotations

from dataclasses import dataclass, field

STRATEGIC, CHANGE, SERVICE = 0, 1, 2
REQUEST_KINDS = ("strategic", "change", "service")

# Request status. Every request created ends in exactly one of these (conservation).
PROPOSED, QUEUED, BLOCKED, DELIVERED, REJECTED, SHADOWED = range(6)


@dataclass(slots=True, eq=False)
class Request:
    """A piece of work a business unit asks IT for.

    Attributes:
        rid: Sequence number, unique in the run.
        unit: Index of the originating business unit.
        kind: STRATEGIC, CHANGE or SERVICE.
        effort: Person-days of work (before rework).
        remaining: Person-days still to do.
        theme: Market theme it serves (strategic requests only; -1 otherwise).
        value: Business value at full alignment and on time.
        created: Tick the unit raised it.
        due: Tick it was promised for.
        u_exception: Uniform deciding whether work on it raises an exception.
        u_voice: Uniform deciding whether that exception is voiced.
        u_outcome: Uniform deciding rework after a default or a wrong decision.
        u_decision: Uniform deciding whether a decision on it is right.
        route: Two uniforms picking the two teams it may be dispatched to.
    """

    rid: int
    unit: int
    kind: int
    effort: float
    remaining: float
    theme: int
    value: float
    created: int
    due: int
    u_exception: float
    u_voice: float
    u_outcome: float
    u_decision: float
    route: tuple[float, float]
    status: int = PROPOSED
    team: int = -1
    started: bool = False
    priority: bool = False
    hidden_problem: bool = False
    delivered: int = -1
    entered: int = -1  # tick it joined a team's queue (for Little's law)


@dataclass(slots=True, eq=False)
class Incident:
    """An unplanned disruption a team must restore before planned work (firefighting)."""

    team: int
    remaining: float
    created: int
    major: bool
    blocked: bool = False


@dataclass(slots=True, eq=False)
class Decision:
    """An exception, escalation or staffing question waiting for executive attention.

    Attributes:
        dtype: Decision type (see :data:`sim.config.structure.DECISION_TYPES`).
        team: Index of the raising team, or -1 (a business unit's escalation).
        request: The blocked request, if any.
        incident: The blocked incident, if any.
        unit: Index of the escalating business unit, or -1.
        raised: Tick raised.
        pending: Roles that still have to decide (two for a joint right).
        urgent: Major incidents jump the queue.
        resolved: Set once decided or timed out; queues drop resolved entries lazily.
        crossing: The holder is not the raising team's line leader: coordination can conflict.
        right: At least one holder decided it rightly (a joint decision has two chances).
        vacancies: Staff to hire once a ``people`` decision is made.
    """

    dtype: str
    team: int
    raised: int
    pending: list[str]
    request: Request | None = None
    incident: Incident | None = None
    unit: int = -1
    urgent: bool = False
    resolved: bool = False
    crossing: bool = False
    right: bool = False
    vacancies: int = 0
    queued: int = -1  # tick it joined executives' queues (differs from raised after a reroute)
    hours_left: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class TickCounters:
    """Flows during one tick: the ledger agents and submodels report events to.

    The model starts a new one every tick; the recorder reads it at the end of the tick.
    """

    created: int = 0
    offered_effort: float = 0.0
    rejected: int = 0
    shadowed: int = 0
    escalations: int = 0
    exceptions: int = 0
    hidden_problems: int = 0
    timeouts: int = 0
    decisions_raised: int = 0
    decisions_released: int = 0
    decision_latency: float = 0.0  # summed ticks from raised to released
    proposals_made: int = 0
    proposals_closed: int = 0
    proposal_wait: float = 0.0  # summed ticks from proposed to funded, rejected or timed out
    conflicts: int = 0
    rework: float = 0.0
    incidents: int = 0
    restored: int = 0
    restore_time: float = 0.0
    attrition: int = 0
    exec_turnover: int = 0
    reaimed: int = 0
    value: float = 0.0
    strategic_value: float = 0.0
    aligned_value: float = 0.0
    delivered: list[int] = field(default_factory=lambda: [0, 0, 0])
    lead: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])
