"""The ``itlead`` command line: a thin shell over the Python API.

- :mod:`sim.cli.base`: the command group, its error handling (one line and exit code 2 for bad
  input, a library parameter named by its flag) and the shared options;
- :mod:`sim.cli.runs`: single runs and their inputs (``run``, ``validate``, ``list``,
  ``compare-structures``, ``docs``, ``dashboard``);
- :mod:`sim.cli.batches`: batches (``batch``, ``status``, ``merge``, ``rerun``, ``headline``);
- :mod:`sim.cli.analysis`: analyses of a batch folder (``compare``, ``resilience``,
  ``sensitivity``, ``report``, ``plot``).
"""

from sim.cli import analysis, batches, export, runs  # noqa: F401  (each registers its commands on main)
from sim.cli.base import EXIT_BAD_INPUT, flag_of, main

__all__ = ["EXIT_BAD_INPUT", "flag_of", "main"]
