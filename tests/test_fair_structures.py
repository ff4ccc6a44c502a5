"""A fair comparison: a person keeps their skills, specialisation is a named parameter, and a
control structure separates a second executive from a division of decision rights.

MODEL.md, "Comparing structures fairly": splitting the CIO role adds an executive and divides
decision rights; only the second is the structural question. These tests check the structure
files and the model's executives against that.
"""

import pytest

from sim.config.loaders import list_structures, load_structure
from sim.config.structure import DECISION_TYPES, DOMAINS, LINE
from sim.experiments.run import build_model

SPLIT = "cio_cto_split"
CONTROL = "single_cio_with_deputy"


def _skills(structure: str, role: str, gain: float) -> dict[str, float]:
    return load_structure(structure).role(role).skills(gain)


@pytest.mark.parametrize("name", list_structures())
def test_the_cio_is_the_same_person_in_every_shipped_structure(name):
    cio = load_structure(name).role("CIO")
    reference = load_structure("single_cio").role("CIO")
    assert [cio.expertise(d) for d in DOMAINS] == [reference.expertise(d) for d in DOMAINS]
    assert cio.specialism is None
    assert (cio.attention_hours, cio.cost) == (reference.attention_hours, reference.cost)


def test_specialisation_is_the_only_expertise_difference_and_can_be_set_to_zero():
    cio = _skills("single_cio", "CIO", 0.1)
    assert _skills(SPLIT, "CTO", 0.0) == cio
    cto = _skills(SPLIT, "CTO", 0.1)
    assert cto["technical"] == pytest.approx(cio["technical"] + 0.1)
    assert {d: cto[d] for d in ("business", "people")} == {
        d: cio[d] for d in ("business", "people")
    }
    assert _skills(SPLIT, "CTO", 0.5)["technical"] == 1.0  # capped


def test_the_executives_hold_the_skills_the_parameter_gives():
    model = build_model("baseline", structure=SPLIT, seed=1, specialisation_gain=0.0)
    skills = {e.name: {d: e.expertise(d) for d in DOMAINS} for e in model.executive_list}
    assert skills["CIO"] == skills["CTO"]
    model = build_model("baseline", structure=SPLIT, seed=1, specialisation_gain=0.2)
    assert model.executives_by_name["CTO"].expertise("technical") == pytest.approx(0.85)
    assert model.executives_by_name["CIO"].expertise("technical") == pytest.approx(0.65)


def test_the_control_has_the_splits_attention_and_cost_and_divides_no_right():
    split, control = load_structure(SPLIT), load_structure(CONTROL)
    assert sum(r.attention_hours for r in control.roles) == sum(
        r.attention_hours for r in split.roles
    )
    assert sum(r.cost for r in control.roles) == sum(r.cost for r in split.roles)
    assert all(r.specialism is None for r in control.roles)
    for decision, holders in control.decision_rights:
        assert holders == ((LINE,) if decision == "people" else ("CIO",)), decision
    # Only the split divides decision rights between its two executives.
    holders = {h for _, hs in split.decision_rights for h in hs} - {LINE}
    assert holders == {"CIO", "CTO"}
    assert set(DECISION_TYPES) == {d for d, _ in control.decision_rights}


def test_a_restructure_keeps_the_incumbents_skills():
    # A CIO whose file numbers differ from the split's CIO: the restructure must not change them.
    model = build_model("restructure_to_split", structure="single_cio", seed=2)
    cio = model.executives_by_name["CIO"]
    cio.skills = {"business": 0.61, "technical": 0.52, "people": 0.43}  # this person's own
    at = next(e.start for e in model.timeline.events if e.kind == "restructure")
    for _ in range(at + 2):
        model.step()
    assert model.executives_by_name["CIO"] is cio
    assert cio.skills == {"business": 0.61, "technical": 0.52, "people": 0.43}
    assert cio.role is model.structure.role("CIO")  # the split's role: its budget and cost
    cto = model.executives_by_name["CTO"]
    assert cto.skills == load_structure(SPLIT).role("CTO").skills(model.p.specialisation_gain)


def _paired_value_differences(**overrides) -> list[float]:
    """Per replication: the split's value delivered minus the single CIO's (same seeds)."""
    from sim.experiments.replicate import paired_replications

    runs = paired_replications(
        "baseline",
        ["single_cio", SPLIT],
        replications=8,
        master_seed=11,
        overrides={"steps": 400, "specialisation_gain": 0.0, **overrides},
        workers=2,
    )
    value = runs.pivot(index="replication", columns="structure", values="value_delivered")
    return list(value[SPLIT] - value["single_cio"])


def test_with_equal_expertise_the_parameters_alone_decide_which_structure_delivers_more():
    # The same persons (no specialisation): coordination that costs nothing and never conflicts
    # lets the split deliver more; roles whose goals conflict often make it deliver less.
    easy = _paired_value_differences(coordination_multiplier=0.0, goal_incongruence_multiplier=0)
    hard = _paired_value_differences(goal_incongruence_multiplier=5.0)
    assert sum(easy) > 0 and sum(d > 0 for d in easy) >= 6, easy
    assert sum(hard) < 0 and sum(d < 0 for d in hard) >= 6, hard
