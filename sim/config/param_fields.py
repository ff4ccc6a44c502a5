"""How a parameter is declared: its default, unit, ranges, source and meaning.

The parameter table is one frozen dataclass, :class:`sim.config.params.Params`, declared in parts
by section of the table (``params_organisation``, ``params_work``, ``params_people`` and the
executives' part in ``params`` itself); every field is made with :func:`param`, so the loaders'
range checks, ``itlead list`` and ``docs/parameters.md`` all read the same metadata.

A numeric parameter has two ranges. The *allowed* range (``low``, ``high``) is what the software
accepts: the loaders refuse a value outside it. The *plausible* range is what the value could
plausibly be in a real organisation: sensitivity designs (``experiments/*.toml``) sample inside
it, and a test keeps them there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ATTENTION_POLICIES = ("urgent_first", "protected_people_time")
ASSUMPTION = "assumption"
# The source of a size of the default organisation: no published organisation is modelled.
ORGANISATION_SIZE = "assumption (a mid-sized IT function)"
# The plausible range given when no source or experiment gives one: half to twice the default,
# clipped to the allowed range.
SPAN_LOW, SPAN_HIGH = 0.5, 2.0
SPAN_SOURCE = "default x0.5 to x2 (assumption)"


@dataclass(frozen=True, slots=True)
class ParamInfo:
    """Documentation and bounds of one parameter.

    Attributes:
        unit: Unit of measure, in words.
        low: Smallest allowed value (inclusive), or None for categorical parameters: a software
            bound, which the loaders check.
        high: Largest allowed value (inclusive), or None for categorical parameters.
        source: Published source of the number, "assumption", or "X (mechanism); value an
            assumption" where a source gives the mechanism but not the value.
        doc: One-sentence meaning.
        group: Section of the parameter table.
        choices: Allowed values of a categorical parameter.
        plausible: ``(low, high)``: the range the value could plausibly take in a real
            organisation, inside the allowed range; None for categorical parameters.
            Sensitivity designs sample inside it.
        plausible_source: Where the plausible range comes from.
        label: A reader's name for forms and tables ("Requests per business unit"); when empty,
            :attr:`title` spells the parameter's name as words.
    """

    unit: str
    low: float | None
    high: float | None
    source: str
    doc: str
    group: str
    choices: tuple[str, ...] = ()
    plausible: tuple[float, float] | None = None
    plausible_source: str = ""
    label: str = ""

    def title(self, name: str) -> str:
        """The reader's name of parameter ``name``: its label, else its name as words."""
        if self.label:
            return self.label
        words = " ".join("IT" if w == "it" else w for w in name.split("_"))
        return words[:1].upper() + words[1:]

    @property
    def assumed(self) -> bool:
        """True when the source gives no published value (it starts with "assumption")."""
        return self.source.startswith(ASSUMPTION)


def span_range(default: float, low: float, high: float, integer: bool) -> tuple[float, float]:
    """Half to twice ``default``, clipped to ``[low, high]`` (rounded outward for integers)."""
    a, b = max(low, default * SPAN_LOW), min(high, default * SPAN_HIGH)
    if integer:
        a, b = max(low, float(int(a))), min(high, float(-int(-b // 1)))
    return (a, b)


def param(
    default: Any,
    unit: str,
    low: float | None,
    high: float | None,
    source: str,
    doc: str,
    group: str,
    choices: tuple[str, ...] = (),
    *,
    plausible: tuple[float, float] | None = None,
    plausible_source: str = ASSUMPTION,
    label: str = "",
) -> Any:
    """A :class:`Params` field: its default, and its documentation and bounds as metadata.

    A numeric parameter declared without ``plausible`` gets :func:`span_range` of its default,
    with :data:`SPAN_SOURCE` as the range's source.
    """
    if plausible is None and not choices:
        integer = isinstance(default, int)
        plausible, plausible_source = span_range(default, low, high, integer), SPAN_SOURCE
    info = ParamInfo(
        unit,
        low,
        high,
        source,
        doc,
        group,
        choices,
        plausible,
        plausible_source if plausible else "",
        label,
    )
    return field(default=default, metadata={"info": info})
