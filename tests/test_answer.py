"""The answer in plain words (sim.analysis.answer) restates the verdict rule's columns."""

import numpy as np
import pandas as pd
import pytest

from sim.analysis import answer
from sim.analysis.plot.style import OUTCOME_LABELS
from sim.analysis.stats import paired_comparison
from sim.model.outcomes import HEADLINE
from tests.test_verdict import _swept


def test_every_headline_outcome_is_in_one_group_of_model_md_and_has_a_label():
    grouped = [o for outcomes in answer.GROUPS.values() for o in outcomes]
    assert sorted(grouped) == sorted(HEADLINE)
    assert set(OUTCOME_LABELS) == set(HEADLINE)


def test_a_flip_over_a_lever_is_said_with_the_lever_values():
    runs = _swept({0.0: +2.0, 5.0: -2.0})
    table = paired_comparison(runs, "a", ["value_delivered"])
    assert list(table["favours"]) == ["b", "a"]
    (sentence,) = answer.flips(table)
    assert "b does better at coordination_multiplier = 0; a at coordination_multiplier = 5" in (
        sentence
    )
    assert answer.flips(paired_comparison(runs, "a", ["value_delivered"], pool=True)) == []


def test_groups_lean_to_the_structure_the_rule_favours_and_mixed_when_both():
    runs = _swept({1.0: 2.0})
    is_b = np.where(runs["structure"] == "b", 1.0, 0.0)
    runs["strategic_late_or_failed"] = runs["value_delivered"] / 100 + 0.05 * is_b  # worse for b
    runs["it_cost"] = runs["value_delivered"] + 5.0 * is_b  # b costs more
    runs["shadow_share"] = 0.1 + 0.01 * runs["replication"]  # the same in every pair
    outcomes = ["value_delivered", "strategic_late_or_failed", "it_cost", "shadow_share"]
    table = paired_comparison(runs, "a", outcomes)
    assert list(table.set_index("outcome")["favours"]) == ["b", "a", "a", ""]
    (found,) = answer.answers(table)
    assert not found.indicative and found.n_pairs == 12
    assert found.headline == (
        "Steady load: a does better on shadow IT and cost; accuracy and alignment is mixed"
        " (12 paired runs; other outcome groups show no reliable difference)."
    )
    cost = next(line for line in found.groups if line.startswith("Shadow IT and cost"))
    assert cost.startswith("Shadow IT and cost: a better on IT cost ")
    assert cost.endswith("; no reliable difference on shadow IT share.")


def test_relative_differences_of_non_negative_outcomes_come_from_the_ratio():
    row = pd.Series(
        {"ratio": 0.5, "ratio_low": 0.25, "ratio_high": 0.9, "mean_reference": 2.0}
        | {"mean_difference": -1.0, "ci_low": -3.0, "ci_high": 0.1}
    )
    assert answer.relative(row) == "-50.0% (95% CI -75.0% to -10.0%)"
    row["ratio"] = np.nan  # an outcome that can be negative: over the reference mean
    assert answer.relative(row) == "-50.0% (95% CI -150.0% to +5.0%)"


@pytest.mark.parametrize(
    ("name", "words"), [("baseline", "Steady load"), ("market_shock", "A market shock")]
)
def test_scenarios_are_named_by_their_description(name, words):
    assert answer.scenario_name(name) == words
