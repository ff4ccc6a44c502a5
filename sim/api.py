"""The Python API: what a notebook, an experiment tool or the command line calls.

``sim.run("incident_storm", structure="cio_cto_split", seed=3, request_rate=0.9)`` runs one
replication; :func:`paired_replications` runs structures side by side on common random numbers;
:func:`run_batch` and :func:`load_batch` run and read whole experiments (:func:`read_batch_table`
reads one table by columns and filters); and
:func:`paired_comparison` compares structures on any of their results. Keyword overrides are
checked exactly like scenario files, so a typo is a clear :class:`sim.errors.ConfigError`.
"""

from sim.analysis.stats import paired_comparison
from sim.experiments.batch import (
    BatchResult,
    load_batch,
    merge,
    read_batch_table,
    rerun,
    run_batch,
    status,
)
from sim.experiments.replicate import paired_replications
from sim.experiments.run import RunResult, collect_result, run, with_inputs
from sim.experiments.spec import Experiment, load_experiment
from sim.model.mesa_model import LeadershipModel

__all__ = [
    "BatchResult",
    "Experiment",
    "LeadershipModel",
    "RunResult",
    "collect_result",
    "load_batch",
    "load_experiment",
    "merge",
    "paired_comparison",
    "paired_replications",
    "read_batch_table",
    "rerun",
    "run",
    "run_batch",
    "status",
    "with_inputs",
]
