"""How a parameter is declared: its default, unit, allowed range, source and meaning.

The parameter table is one frozen dataclass, :class:`sim.config.params.Params`, declared in parts
by section of the table (``params_organisation``, ``params_work``, ``params_people`` and the
executives' part in ``params`` itself); every field is made with :func:`param`, so the loaders'
range checks, ``itlead list`` and ``docs/parameters.md`` all read the same metadata.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ATTENTION_POLICIES = ("urgent_first", "protected_people_time")
ASSUMPTION = "assumption"
MODEL_DEFAULT = "MODEL.md default organisation"


@dataclass(frozen=True, slots=True)
class ParamInfo:
    """Documentation and bounds of one parameter.

    Attributes:
        unit: Unit of measure, in words.
        low: Smallest allowed value (inclusive), or None for categorical parameters.
        high: Largest allowed value (inclusive), or None for categorical parameters.
        source: Published source, or "assumption".
        doc: One-sentence meaning.
        group: Section of the parameter table.
        choices: Allowed values of a categorical parameter.
    """

    unit: str
    low: float | None
    high: float | None
    source: str
    doc: str
    group: str
    choices: tuple[str, ...] = ()


def param(
    default: Any,
    unit: str,
    low: float | None,
    high: float | None,
    source: str,
    doc: str,
    group: str,
    choices: tuple[str, ...] = (),
) -> Any:
    """A :class:`Params` field: its default, and its documentation and bounds as metadata."""
    info = ParamInfo(unit, low, high, source, doc, group, choices)
    return field(default=default, metadata={"info": info})
