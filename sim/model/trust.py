"""ODD 7.5: beta-reputation trust with forgetting and negativity bias.

Josang & Ismail (2002): a dyad keeps positive evidence r and negative evidence s, both discounted
by a forgetting factor each tick, and trust is the expected value of Beta(r + 1, s + 1). Slovic
(1993) and Poortinga & Pidgeon (2004): negative events weigh more than positive ones, so trust is
slow to build and quick to lose.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

# Trust with no evidence (Beta(1, 1)'s mean): the neutral point other mechanisms are centred on.
NEUTRAL_TRUST = 0.5
# Factors written (TRUST_FACTOR - trust) are 1 at neutral trust and run from 1.5 (no trust) to
# 0.5 (full trust): a modelling convention, so trust halves or adds half to what it scales.
TRUST_FACTOR = 1.5
# Evidence of single events, against 1 for a delivery on time (positive) or late (negative):
# assumptions, fixed so that trust_negative_weight and trust_forgetting carry the scale.
DECISION_EVIDENCE = 0.5  # an escalated decision resolved (+), or a unit's timed out (-)
INCIDENT_EVIDENCE = 0.3  # an incident, to the unit it hits (all units for a major one) (-)
AGREEMENT_EVIDENCE = 0.2  # a crossing decision settled without conflict, to the channel (+)


@dataclass(slots=True)
class BetaTrust:
    """Trust of one party in another.

    Attributes:
        r: Discounted positive evidence.
        s: Discounted negative evidence (already weighted).
        value: Expected trust, (r + 1) / (r + s + 2), in (0, 1); 0.5 with no evidence. Kept up
            to date by every change of the evidence, since it is read far more often (every
            unit's, team's and channel's, every tick) than the evidence changes.
    """

    r: float = 0.0
    s: float = 0.0
    value: float = field(init=False)

    def __post_init__(self) -> None:
        self.value = (self.r + 1.0) / (self.r + self.s + 2.0)

    def positive(self, amount: float = 1.0) -> None:
        """Record ``amount`` of positive evidence."""
        r = self.r = self.r + amount
        self.value = (r + 1.0) / (r + self.s + 2.0)

    def negative(self, amount: float, weight: float) -> None:
        """Record ``amount`` of negative evidence, weighted by the negativity bias ``weight``."""
        s = self.s = self.s + amount * weight
        self.value = (self.r + 1.0) / (self.r + s + 2.0)

    def forget(self, factor: float) -> None:
        """Discount old evidence: called once per tick."""
        r = self.r = self.r * factor
        s = self.s = self.s * factor
        self.value = (r + 1.0) / (r + s + 2.0)

    def reset(self) -> None:
        """Forget everything: a new party starts with no relationship."""
        self.r = 0.0
        self.s = 0.0
        self.value = NEUTRAL_TRUST


def negative_all(trusts: Iterable[BetaTrust], amount: float, weight: float) -> None:
    """:meth:`BetaTrust.negative` for each of ``trusts`` (an event every party sees)."""
    evidence = amount * weight  # the same product negative() forms, computed once
    for trust in trusts:
        s = trust.s = trust.s + evidence
        trust.value = (trust.r + 1.0) / (trust.r + s + 2.0)
