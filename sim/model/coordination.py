"""ODD 7.9: coordination channels between roles, and the goal incongruence that makes them fail.

A structure names the channels between its roles: each costs both roles time every tick, and a
decision that crosses roles (a joint right, or a holder outside the team's line) can conflict
over it, with a chance that grows with the roles' goal incongruence and falls with their trust
and with how well both attend the channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sim.model.trust import AGREEMENT_EVIDENCE, TRUST_FACTOR, BetaTrust

if TYPE_CHECKING:
    import numpy as np

    from sim.config.params import Params
    from sim.config.structure import Structure


@dataclass(slots=True)
class ChannelState:
    """A coordination channel in use: the two roles' trust and how well it is attended."""

    roles: tuple[str, str]
    hours: float
    incongruence: float
    trust: BetaTrust
    coverage: float = 1.0
    sides: dict[str, float] = field(default_factory=dict)


class Coordination:
    """The channels of the structure in force, their trust and their conflicts.

    Args:
        params: The run's parameters.
        rng: The coordination stream (whether a crossing decision conflicts).
    """

    def __init__(self, params: Params, rng: np.random.Generator) -> None:
        self.p = params
        self.rng = rng
        self.channels: dict[frozenset[str], ChannelState] = {}

    def install(self, structure: Structure) -> None:
        """The channels of ``structure``; a channel that already existed keeps its trust."""
        channels = {}
        for c in structure.channels:
            key = frozenset(c.roles)
            previous = self.channels.get(key)
            trust = previous.trust if previous is not None else BetaTrust()
            channels[key] = ChannelState(c.roles, c.hours_per_tick, c.goal_incongruence, trust)
        self.channels = channels

    def channel(self, a: str, b: str) -> ChannelState | None:
        """The channel between roles ``a`` and ``b``, if the structure has one."""
        return self.channels.get(frozenset((a, b)))

    def hours_of(self, role: str) -> float:
        """Hours ``role``'s channels ask of it this tick."""
        multiplier = self.p.coordination_multiplier
        return sum(c.hours * multiplier for key, c in self.channels.items() if role in key)

    def attend(self, role: str, hours: float, wanted: float) -> None:
        """``role`` gives its channels ``hours`` of ``wanted``; ill-attended ones conflict more."""
        coverage = 1.0 if wanted <= 0.0 else min(1.0, hours / wanted)
        for key, c in self.channels.items():
            if role in key:
                c.sides[role] = coverage
                c.coverage = min(c.sides.get(r, 1.0) for r in c.roles)
                c.trust.positive(self.p.channel_trust_gain * coverage)

    def conflicts(self, roles: list[str]) -> bool:
        """Do ``roles`` conflict over a decision? Goal incongruence, eased by trust and time."""
        channel = self.channel(*roles)
        if channel is None:
            return False
        p = self.p
        chance = channel.incongruence * p.goal_incongruence_multiplier
        chance *= (TRUST_FACTOR - channel.trust.value) * (
            1.0 - p.coordination_conflict_cut * channel.coverage
        )
        if self.rng.random() < min(1.0, chance):
            channel.trust.negative(1.0, p.trust_negative_weight)
            return True
        channel.trust.positive(AGREEMENT_EVIDENCE)
        return False

    def role_left(self, role: str) -> None:
        """``role``'s holder left: its successor's channel relationships start over."""
        for key, channel in self.channels.items():
            if role in key:
                channel.trust.reset()

    def trusts(self) -> list[BetaTrust]:
        """Every channel's trust, for forgetting."""
        return [c.trust for c in self.channels.values()]
