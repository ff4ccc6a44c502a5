"""sim.ema: the parameter table and outcome names as data, and a ready EMA Workbench model.

The EMA tests need the optional ``ema`` extra (``ema_workbench==3.0.0``) and skip without it; the
table, names and argument checks need nothing beyond the core install.
"""

import math
import warnings

import pandas as pd
import pytest

import sim
from sim.config.params import param_defaults, param_infos, param_types
from sim.config.structure import NUMBER_PLAUSIBLE
from sim.ema import (
    DEFAULT_UNCERTAINTIES,
    ema_model,
    ema_name,
    outcome_names,
    parameter_table,
)
from sim.errors import ConfigError, ParameterError
from sim.model.outcomes import HEADLINE, SUMMARY_OUTCOMES

SHORT = {"steps": 120, "warmup": 20}  # a short run: the test is about wiring, not results


def _ema():
    with warnings.catch_warnings():
        # EMA warns at import that its optional ipyparallel evaluator is unavailable.
        warnings.simplefilter("ignore", UserWarning)
        return pytest.importorskip("ema_workbench")


# --- The table and the names (no extra needed) ---------------------------------------------------


def test_parameter_table_has_one_row_per_parameter_with_its_ranges():
    table = parameter_table()
    infos, defaults, types = param_infos(), param_defaults(), param_types()
    assert list(table["name"]) == list(infos)
    assert {
        "name",
        "unit",
        "default",
        "low",
        "high",
        "plausible_low",
        "plausible_high",
        "group",
        "source",
    } <= set(table.columns)
    rows = table.set_index("name")
    for name, info in infos.items():
        row = rows.loc[name]
        assert row["default"] == defaults[name]
        assert row["type"] == types[name].__name__
        assert (row["unit"], row["group"], row["source"]) == (info.unit, info.group, info.source)
        if info.choices:
            assert row["choices"] == info.choices
            assert pd.isna(row["plausible_low"]) and pd.isna(row["plausible_high"])
        else:
            assert (row["low"], row["high"]) == (info.low, info.high)
            assert (row["plausible_low"], row["plausible_high"]) == info.plausible


def test_outcome_names_are_the_summary_columns_and_the_headline():
    assert outcome_names() == list(SUMMARY_OUTCOMES)
    assert outcome_names(headline=True) == list(HEADLINE)
    summary = sim.run("baseline", seed=1, **SHORT).summary
    assert list(summary.columns) == ["scenario", "structure", "seed", *outcome_names()]


def test_structure_numbers_get_identifier_names():
    assert ema_name("request_rate") == "request_rate"
    assert ema_name("structure.roles.CTO.cost") == "structure__roles__CTO__cost"
    assert ema_name("structure.channels.0.hours_per_tick").isidentifier()


# --- Argument checks (before EMA is imported, so they hold without the extra) -------------------


def test_unknown_uncertainty_names_the_argument_and_the_allowed_names():
    with pytest.raises(ParameterError) as caught:
        ema_model(uncertainties=["request_rat"])
    error = caught.value
    assert error.parameter == "uncertainties"
    assert "'request_rat'" in str(error)
    assert "allowed" in str(error) and "did you mean request_rate?" in str(error)
    assert isinstance(error, ConfigError)  # one type for the command line to catch


def test_structure_number_no_structure_has_is_refused():
    with pytest.raises(ParameterError, match=r"levers: 'structure\.roles\.COO\.cost'"):
        ema_model(levers=["structure", "structure.roles.COO.cost"])


def test_unknown_outcome_and_repeated_input_are_refused():
    with pytest.raises(ParameterError, match="outcomes: 'value' is not an outcome"):
        ema_model(outcomes=["value"])
    with pytest.raises(ParameterError, match="'request_rate' is named twice"):
        ema_model(uncertainties=["request_rate"], constants={"request_rate": 1.0})


@pytest.mark.parametrize("replications", [0, 1.5, True])
def test_replications_must_be_a_whole_number_of_one_or_more(replications):
    with pytest.raises(ParameterError, match="replications: "):
        ema_model(replications=replications)


def test_bad_constant_is_the_usual_config_error():
    with pytest.raises(ConfigError, match="ema_model constants"):
        ema_model(constants={"steps": 10, "warmup": 20})


def test_one_structure_unless_structure_is_a_lever():
    with pytest.raises(ParameterError, match="structures: name exactly one structure"):
        ema_model(levers=["attention_policy"])


def test_missing_extra_says_how_to_install_it(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "ema_workbench", None)  # import now fails as if absent
    with pytest.raises(ImportError, match=r"pip install -e '\.\[ema\]'"):
        ema_model()


# --- Inside the EMA Workbench --------------------------------------------------------------------


def test_model_inputs_come_from_the_parameter_table():
    ema = _ema()
    model = ema_model(
        uncertainties=[*DEFAULT_UNCERTAINTIES, "structure.roles.CTO.cost"],
        outcomes=["value_delivered", "it_cost", "delivered"],
    )
    infos = param_infos()
    by_name = {u.name: u for u in model.uncertainties}
    assert list(by_name) == [*DEFAULT_UNCERTAINTIES, "structure__roles__CTO__cost"]
    rate = by_name["request_rate"]
    assert isinstance(rate, ema.RealParameter)
    assert (rate.lower_bound, rate.upper_bound) == infos["request_rate"].plausible
    units = by_name["n_business_units"]
    assert isinstance(units, ema.IntegerParameter)
    assert (units.lower_bound, units.upper_bound) == infos["n_business_units"].plausible
    cost = by_name["structure__roles__CTO__cost"]
    assert cost.variable_name == ["structure.roles.CTO.cost"]
    assert (cost.lower_bound, cost.upper_bound) == NUMBER_PLAUSIBLE["cost"][:2]
    levers = {lever.name: lever for lever in model.levers}
    assert [c.value for c in levers["structure"].categories] == ["single_cio", "cio_cto_split"]
    assert [c.value for c in levers["attention_policy"].categories] == list(
        infos["attention_policy"].choices
    )
    kinds = {o.name: o.kind for o in model.outcomes}
    assert kinds == {
        "value_delivered": ema.ScalarOutcome.MAXIMIZE,
        "it_cost": ema.ScalarOutcome.MINIMIZE,
        "delivered": ema.ScalarOutcome.INFO,
    }


def test_perform_experiments_runs_with_no_wrapper_and_pairs_seeds():
    ema = _ema()
    model = ema_model(levers=["structure"], constants=SHORT)
    experiments, outcomes = ema.perform_experiments(model, scenarios=3, policies=2)

    assert len(experiments) == 6  # every scenario under every policy
    assert {*DEFAULT_UNCERTAINTIES, "structure", "scenario", "policy", "model"} <= set(
        experiments.columns
    )
    assert set(experiments["structure"]) == {"single_cio", "cio_cto_split"}
    assert list(outcomes) == list(HEADLINE)
    assert all(len(values) == 6 for values in outcomes.values())
    assert not all(math.isnan(v) for v in outcomes["value_delivered"])

    # Each row is exactly sim.run at that point on the documented seed, and the seed depends on
    # the scenario alone, so the two structures at a scenario are paired.
    seeds_by_scenario: dict[object, set[int]] = {}
    for i, row in experiments.iterrows():
        inputs = {k: row[k] for k in DEFAULT_UNCERTAINTIES}
        (seed,) = model.function.seeds(inputs)
        seeds_by_scenario.setdefault(row["scenario"], set()).add(seed)
        direct = sim.run(
            "baseline", structure=row["structure"], seed=seed, **SHORT, **inputs
        ).summary
        assert outcomes["value_delivered"][i] == pytest.approx(direct["value_delivered"][0])
    assert len(seeds_by_scenario) == 3
    assert all(len(seeds) == 1 for seeds in seeds_by_scenario.values())
    assert len(set().union(*seeds_by_scenario.values())) == 3  # scenarios get their own seeds


def test_replications_average_over_derived_seeds():
    ema = _ema()
    model = ema_model(
        uncertainties=["request_rate"],
        levers=["structure", "attention_policy"],
        structures=["cio_cto_split"],
        outcomes=["value_delivered"],
        constants=SHORT,
        replications=2,
        master_seed=7,
    )
    # One structure: a constant, not a lever (EMA needs two categories for a lever).
    assert [lever.name for lever in model.levers] == ["attention_policy"]
    assert {c.name: c.value for c in model.constants}["structure"] == "cio_cto_split"
    scenario = ema.Sample(request_rate=0.9)
    policy = ema.Sample(attention_policy="protected_people_time")
    _, outcomes = ema.perform_experiments(model, scenarios=[scenario], policies=[policy])
    seeds = model.function.seeds({"request_rate": 0.9})
    assert len(set(seeds)) == 2
    runs = pd.concat(
        sim.run(
            "baseline",
            structure="cio_cto_split",
            seed=seed,
            request_rate=0.9,
            attention_policy="protected_people_time",
            **SHORT,
        ).summary
        for seed in seeds
    )
    assert outcomes["value_delivered"][0] == pytest.approx(runs["value_delivered"].mean())


def test_model_function_pickles_for_multiprocessing_evaluators():
    import pickle

    _ema()
    function = ema_model(constants=SHORT).function
    copy = pickle.loads(pickle.dumps(function))
    point = {"request_rate": 0.9, "n_business_units": 8}
    assert copy.seeds(point) == function.seeds(point)
    assert copy(**point, structure="single_cio") == function(**point, structure="single_cio")
