"""itlead: an agent-based simulation of IT leadership structures.

Compare one CIO who owns both business alignment and technology with a CIO/CTO split, or any
structure a file defines, under steady load, workload shocks and market shocks::

    import sim
    result = sim.run("incident_storm", structure="cio_cto_split", seed=1)
    result.summary
"""

from importlib.metadata import version as _version

from sim.api import LeadershipModel, RunResult, load_batch, read_batch_table, run, run_batch
from sim.ema import outcome_names, parameter_table
from sim.errors import ConfigError

__all__ = [
    "ConfigError",
    "LeadershipModel",
    "RunResult",
    "load_batch",
    "outcome_names",
    "parameter_table",
    "read_batch_table",
    "run",
    "run_batch",
]
# Single source: the version in pyproject.toml, as the installed package records it.
__version__ = _version("itlead")
