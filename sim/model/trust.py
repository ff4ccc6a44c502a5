"""Beta-reputation trust with forgetting and negativity bias.

Josang & Ismail (2002): a dyad keeps positive evidence r and negative evidence s, both discounted
by a forgetting factor each tick, and trust is the expected value of Beta(r + 1, s + 1). Slovic
(1993) and Poortinga & Pidgeon (2004): negative events weigh more than positive ones, so trust is
slow to build and quick to lose.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(slots=True)
class BetaTrust:
    """Trust of one party in another.

    Attributes:
        r: Discounted positive evidence.
        s: Discounted negative evidence (already weighted).
    """

    r: float = 0.0
    s: float = 0.0

    @property
    def value(self) -> float:
        """Expected trust, (r + 1) / (r + s + 2), in (0, 1); 0.5 with no evidence."""
        return (self.r + 1.0) / (self.r + self.s + 2.0)

    def positive(self, amount: float = 1.0) -> None:
        """Record ``amount`` of positive evidence."""
        self.r += amount

    def negative(self, amount: float, weight: float) -> None:
        """Record ``amount`` of negative evidence, weighted by the negativity bias ``weight``."""
        self.s += amount * weight

    def forget(self, factor: float) -> None:
        """Discount old evidence: called once per tick."""
        self.r *= factor
        self.s *= factor

    def reset(self) -> None:
        """Forget everything: a new party starts with no relationship."""
        self.r = 0.0
        self.s = 0.0


def negative_all(trusts: Iterable[BetaTrust], amount: float, weight: float) -> None:
    """:meth:`BetaTrust.negative` for each of ``trusts`` (an event every party sees)."""
    evidence = amount * weight  # the same product negative() forms, computed once
    for trust in trusts:
        trust.s += evidence
