"""Provenance of every number: sources, plausible against allowed ranges, sensitivity ranges.

Each parameter's source gives the published source of the number, or says it is an assumption;
the project's own brief (MODEL.md) is never a source. A numeric parameter has a plausible range
(what a real organisation could have) inside its allowed range (what the software accepts), and
the shipped sensitivity designs sample inside the plausible one.
"""

import re

import pytest

from sim.config.loaders import list_structures, load_structure
from sim.config.param_fields import ASSUMPTION
from sim.config.params import param_defaults, param_infos
from sim.config.structure import NUMBER_PLAUSIBLE, NUMBER_RANGES, STRUCTURE_PREFIX, number_field
from sim.experiments.spec import list_experiments, load_experiment

# The project's brief and its other names: never a source.
BRIEF = re.compile(r"model\.md|\bbrief\b|\bmodel brief\b", re.IGNORECASE)
# A cited work: an author and a year.
CITATION = re.compile(r"[A-Z][A-Za-z&.' -]+\d{4}")
# A source that names only a mechanism or construct must say its number is assumed.
MECHANISM = re.compile(r"\((?:[^)]*: )?(?:mechanism|construct)\)|\bmechanism\b|\bconstruct\b")
SENSITIVITY_DESIGNS = ("morris", "sobol", "latin_hypercube")


def test_every_source_is_non_empty_and_never_the_brief():
    for name, info in param_infos().items():
        assert info.source.strip(), name
        assert not BRIEF.search(info.source), (name, info.source)
        assert not BRIEF.search(info.plausible_source), (name, info.plausible_source)


def test_every_source_cites_a_work_or_says_assumption():
    """A published work, an assumption, or the project's own analysis that a command reproduces."""
    for name, info in param_infos().items():
        cited = CITATION.search(info.source) or "docs/" in info.source
        assert ASSUMPTION in info.source or cited, (name, info.source)


def test_a_mechanism_source_says_its_value_is_assumed():
    for name, info in param_infos().items():
        if MECHANISM.search(info.source):
            assert "assumption" in info.source, (name, info.source)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("safety_initial", "Edmondson 1999 (construct); value an assumption"),
        ("people_hours_per_report", "value an assumption"),
        ("exhaustion_productivity", "value an assumption"),
        ("trust_productivity_gain", "a correlation); effect size an assumption"),
        ("burnout_threshold", "set by hand"),
        ("attrition_base", "assumption"),
    ],
)
def test_the_cases_the_review_named(name, words):
    assert words in param_infos()[name].source


def test_the_assumed_flag_reads_the_source():
    infos = param_infos()
    assert infos["request_rate"].assumed
    assert infos["n_business_units"].assumed
    assert not infos["due_change"].assumed


def test_numeric_parameters_have_a_plausible_range_inside_the_allowed_one():
    defaults = param_defaults()
    for name, info in param_infos().items():
        if info.choices:
            assert info.plausible is None, name
            continue
        assert info.plausible is not None, name
        low, high = info.plausible
        assert info.low <= low <= high <= info.high, (name, info.plausible)
        assert low <= defaults[name] <= high, (name, defaults[name], info.plausible)
        assert info.plausible_source.strip(), name


def test_structure_numbers_have_a_plausible_range_inside_the_allowed_one():
    assert set(NUMBER_PLAUSIBLE) == set(NUMBER_RANGES)
    for field, (low, high, why) in NUMBER_PLAUSIBLE.items():
        allowed = NUMBER_RANGES[field]
        assert allowed.get("low", -float("inf")) <= low <= high, field
        assert high <= allowed.get("high", float("inf")), field
        assert "assumption" in why, field


def test_shipped_structures_lie_inside_the_plausible_ranges():
    for name in list_structures():
        structure = load_structure(name)
        for key, value in structure.numbers().items():
            low, high, _ = NUMBER_PLAUSIBLE[str(number_field(key))]
            assert low <= value <= high, (name, key, value)
            assert not BRIEF.search(structure.source(key)), (name, key)


def _plausible(name: str) -> tuple[float, float]:
    if name.startswith(STRUCTURE_PREFIX):
        low, high, _ = NUMBER_PLAUSIBLE[str(number_field(name.removeprefix(STRUCTURE_PREFIX)))]
        return low, high
    plausible = param_infos()[name].plausible
    assert plausible is not None, name
    return plausible


def test_sensitivity_designs_sample_inside_the_plausible_ranges():
    checked = 0
    for experiment in list_experiments():
        spec = load_experiment(experiment)
        if spec.design.kind not in SENSITIVITY_DESIGNS:
            continue
        for u in spec.uncertainties:
            low, high = _plausible(u.name)
            values = u.values if u.values else (u.low, u.high)
            for value in values:
                assert low <= value <= high, (experiment, u.name, value, (low, high))
            checked += 1
    assert checked > 0, "no shipped sensitivity design found"
