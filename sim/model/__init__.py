"""Stage 2, the model: Mesa agents and the submodels of the ODD, stepped one day at a time."""

from sim.model.model import ITLeadershipModel

__all__ = ["ITLeadershipModel"]
