"""Scenario discovery: the region of the swept inputs where a structure does better.

The question researchers and strategists ask is not which structure is better on average but
under which conditions one pays off. The standard answer in exploratory modelling is scenario
discovery (Bryant & Lempert 2010, *Technological Forecasting and Social Change* 77: 34-49): mark
each design point by whether the case of interest holds there, then find boxes of input space
that hold many of those points (coverage) and few others (density) with PRIM, and read a
classification tree (CART) as a second view.

Here the case of interest at a design point is that the verdict rule of
:mod:`sim.analysis.verdict` says ``favours`` does better on ``outcome`` there, from the point's
paired runs (:func:`sim.analysis.stats.paired_comparison`, point by point). PRIM is the EMA
Workbench's (``ema_workbench.analysis.prim``) and CART scikit-learn's; both come with the ``ema``
extra (``pip install -e '.[ema]'``). :func:`discovery_points` needs neither.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.stats import design_cells, paired_comparison
from sim.errors import ParameterError, did_you_mean

MISSING_EXTRA = "scenario discovery needs the optional extra: .venv/bin/pip install -e '.[ema]'"
PARAM_PREFIX = "param."


@dataclass(frozen=True)
class Discovery:
    """What scenario discovery found for one outcome and structure.

    Attributes:
        outcome: The outcome judged at each design point.
        favours: The structure whose region is sought.
        reference: The structure it is compared with.
        points: One row per design point: the swept inputs, ``n_pairs``, ``mean_difference``
            (other minus reference), ``favours`` (by the verdict rule) and ``of_interest``.
        trajectory: PRIM's peeling trajectory, one row per box: ``box``, ``coverage``,
            ``density``, ``mass`` and ``res_dim`` (inputs restricted).
        chosen: The row of ``trajectory`` reported: the first box at least ``threshold`` dense
            (the last box when none is).
        limits: The chosen box's limits: ``input``, ``low``, ``high`` and the quasi-p-value of
            each restricted limit (``qp_low``, ``qp_high``).
        stability: Per input, the percentage of PRIM runs on resamples (half the points each,
            without replacement, as EMA's ``PrimBox.resample`` draws them) whose box nearest
            the chosen box's coverage (``reproduce_coverage``), or density
            (``reproduce_density``), restricts that input: near 100 for an input the box
            needs, near 0 for one it does not.
        tree: The CART tree's rules as text.
    """

    outcome: str
    favours: str
    reference: str
    points: pd.DataFrame
    trajectory: pd.DataFrame
    chosen: int | None
    limits: pd.DataFrame
    stability: pd.DataFrame
    tree: str

    @property
    def cases(self) -> int:
        """Design points where ``favours`` does better."""
        return int(self.points["of_interest"].sum())


def discovery_points(
    runs: pd.DataFrame, outcome: str, favours: str, reference: str | None = None
) -> pd.DataFrame:
    """Per design point of a sweep, whether ``favours`` does better on ``outcome`` there.

    Args:
        runs: A batch's runs table: design points (``point``, swept ``param.*`` columns) and
            paired replications of at least two structures.
        outcome: An outcome column of ``runs``.
        favours: The structure whose region is sought.
        reference: The structure it is compared with (default: the other, when there are two).

    Returns:
        One row per design point: the swept inputs (without the ``param.`` prefix),
        ``n_pairs``, ``mean_difference`` (``favours`` minus ``reference``), ``favours`` (the
        verdict rule's, or "") and ``of_interest``.

    Raises:
        ParameterError: An unknown outcome or structure, or a batch that sweeps no input.
    """
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    reference = _reference(ok, favours, reference)
    if outcome not in ok.columns:
        outcomes = [c for c in ok.columns if c not in ("run_id", "point", "seed")]
        _check_choice("outcome", outcome, outcomes)
    swept = design_cells(ok)
    if not swept:
        raise ParameterError("runs", "the batch sweeps no input: scenario discovery needs a design")
    table = paired_comparison(ok, reference, outcomes=[outcome], others=[favours])
    points = table[[*swept, "n_pairs", "mean_difference", "favours"]].copy()
    points = points.rename(columns={c: c.removeprefix(PARAM_PREFIX) for c in swept})
    points["of_interest"] = points["favours"] == favours
    return points.reset_index(drop=True)


def discover(
    runs: pd.DataFrame,
    outcome: str,
    favours: str,
    reference: str | None = None,
    *,
    threshold: float = 0.8,
    resamples: int = 10,
    seed: int = 0,
) -> Discovery:
    """PRIM boxes and a CART tree of where ``favours`` does better on ``outcome``.

    Args:
        runs: A batch's runs table (see :func:`discovery_points`).
        outcome: An outcome column.
        favours: The structure whose region is sought.
        reference: The structure it is compared with (default: the other one).
        threshold: Density the reported box must reach (the first such box of the trajectory).
        resamples: Bootstrap resamples for the box's stability.
        seed: Seed of the resamples and of the tree.

    Returns:
        The :class:`Discovery`; with no point of interest, no box (``chosen`` None) and empty
        tables.

    Raises:
        ParameterError: As :func:`discovery_points`, or a threshold outside (0, 1].
        ImportError: The ``ema`` extra is not installed.
    """
    if not 0 < threshold <= 1:
        raise ParameterError("threshold", f"{threshold} is out of range; allowed above 0, to 1")
    points = discovery_points(runs, outcome, favours, reference)
    reference = _reference(runs, favours, reference)
    judged = ("n_pairs", "mean_difference", "favours", "of_interest")
    x = points[[c for c in points.columns if c not in judged]].astype(float)
    y = points["of_interest"].to_numpy()
    if not y.any():
        none = pd.DataFrame()
        return Discovery(outcome, favours, reference, points, none, None, none, none, "")
    prim, tree_module = _extra()
    box = prim.Prim(x, y).find_box()
    trajectory = box.peeling_trajectory.rename(columns={"id": "box"})[
        ["box", "coverage", "density", "mass", "res_dim"]
    ]
    dense = trajectory.index[trajectory["density"] >= threshold]
    chosen = int(dense[0]) if len(dense) else int(trajectory.index[-1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # EMA's own notices about plotting
        _stats, limits = box.inspect(chosen, style="data")[0]
        stability = box.resample(chosen, iterations=resamples, rng=seed)
    return Discovery(
        outcome,
        favours,
        reference,
        points,
        trajectory,
        chosen,
        _limits(limits),
        stability.rename(columns=lambda c: c.replace(" ", "_")).rename_axis("input").reset_index(),
        _tree(tree_module, x, y, seed),
    )


def _limits(limits: pd.DataFrame) -> pd.DataFrame:
    """EMA's box limits table as plain columns: input, low, high, qp_low, qp_high."""
    values = limits.to_numpy()
    return pd.DataFrame(
        {
            "input": limits.index,
            "low": values[:, 0],
            "high": values[:, 1],
            "qp_low": values[:, 2],
            "qp_high": values[:, 3],
        }
    )


def _tree(tree_module, x: pd.DataFrame, y: np.ndarray, seed: int) -> str:
    """A shallow CART tree's rules (at least 5% of the points in a leaf), in words."""
    if y.all():
        return "every design point is of interest: no rule to find\n"
    leaf = max(2, len(y) // 20)
    model = tree_module.DecisionTreeClassifier(
        max_depth=3, min_samples_leaf=leaf, random_state=seed
    )
    model.fit(x.to_numpy(), y)
    names = ["elsewhere", "of interest"]  # the classes False and True, in sklearn's order
    return tree_module.export_text(model, feature_names=list(x.columns), class_names=names)


def _extra():
    """EMA's PRIM and scikit-learn's tree module, or an ImportError naming the extra."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # EMA warns about optional packages on import
            from ema_workbench.analysis import prim
        from sklearn import tree
    except ImportError as exc:
        raise ImportError(MISSING_EXTRA) from exc
    return prim, tree


def _reference(runs: pd.DataFrame, favours: str, reference: str | None) -> str:
    """The structure ``favours`` is compared with: ``reference``, else the only other one."""
    structures = list(dict.fromkeys(runs["structure"]))
    _check_choice("favours", favours, structures)
    others = [s for s in structures if s != favours]
    if reference is None:
        if len(others) != 1:
            raise ParameterError(
                "reference",
                f"none given and the batch has {len(structures)} structures; "
                f"allowed one of {', '.join(others)}",
            )
        return others[0]
    _check_choice("reference", reference, others)
    return reference


def _check_choice(name: str, value: str, allowed: list[str]) -> None:
    if value not in allowed:
        hint = did_you_mean(value, allowed)
        raise ParameterError(
            name,
            f"{value!r} is unknown"
            + (f" ({hint})" if hint else "")
            + f"; allowed {', '.join(allowed)}",
        )
