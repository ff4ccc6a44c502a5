"""Queue bookkeeping for Little's law, L = lambda W (Little 1961), per agent.

Queue lengths are counted at the end of every tick and sojourns in whole ticks, so that the area
under the length curve equals the summed sojourn of every item (finished or still waiting) exactly.
These are an agent's own queues (a team's backlog, an executive's share of the decision and
proposal queues); the organisation's decision and proposal queues users read are published per
tick by the recorder from :class:`sim.model.decisions.Decisions` and
:class:`sim.model.portfolio.Portfolio`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class QueueStats:
    """Arrivals, departures and time in queue of one queue over a run.

    Attributes:
        arrivals: Items that joined.
        departures: Items that left.
        sojourn: Summed ticks spent by items that left (departure tick minus arrival tick).
        area: Summed end-of-tick queue length.
        length: Current length.
        open_since: Summed arrival ticks of items still waiting (for the censored part).
    """

    arrivals: int = 0
    departures: int = 0
    sojourn: int = 0
    area: int = 0
    length: int = 0
    open_since: int = 0

    def arrive(self, tick: int) -> None:
        """An item joins at ``tick``."""
        self.arrivals += 1
        self.length += 1
        self.open_since += tick

    def depart(self, arrived: int, tick: int) -> None:
        """An item that joined at ``arrived`` leaves at ``tick``."""
        self.departures += 1
        self.length -= 1
        self.sojourn += tick - arrived
        self.open_since -= arrived

    def end_tick(self) -> None:
        """Count the queue at the end of a tick."""
        self.area += self.length

    def little(self, ticks: int) -> tuple[float, float, float]:
        """Mean length L, arrival rate lambda and mean sojourn W over ``ticks`` ticks.

        W counts items still waiting up to the end of the last tick, so L = lambda W exactly;
        the ``departed_only`` variant of the test shows the usual approximation.
        """
        if ticks <= 0 or self.arrivals == 0:
            return 0.0, 0.0, 0.0
        censored = self.length * ticks - self.open_since
        total = self.sojourn + censored
        return self.area / ticks, self.arrivals / ticks, total / self.arrivals


@dataclass(slots=True)
class ExecutiveQueues:
    """An executive's two queues, kept apart because they are different work.

    Attributes:
        decisions: Decisions (urgent and other) waiting for this executive's part.
        proposals: Investment proposals waiting for this executive's review.
    """

    decisions: QueueStats = field(default_factory=QueueStats)
    proposals: QueueStats = field(default_factory=QueueStats)

    def end_tick(self) -> None:
        """Count both queues at the end of a tick."""
        self.decisions.end_tick()
        self.proposals.end_tick()
