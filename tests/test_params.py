"""Unit tests of the parameter table: every parameter is documented, typed and in range."""

import dataclasses

import pytest

from sim.params import ATTENTION_POLICIES, Params, param_defaults, param_infos, param_types


def test_every_parameter_has_unit_range_and_source():
    for name, info in param_infos().items():
        assert info.unit and info.source and info.doc and info.group, name
        if info.choices:
            assert info.low is None and info.high is None, name
        else:
            assert info.low is not None and info.high is not None and info.low <= info.high, name


def test_defaults_lie_inside_their_ranges():
    infos = param_infos()
    for name, value in param_defaults().items():
        info = infos[name]
        if info.choices:
            assert value in info.choices, name
        else:
            assert info.low <= value <= info.high, name
            assert isinstance(value, param_types()[name]), name


def test_params_are_frozen_and_keyword_only():
    p = Params()
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.steps = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        Params(750)  # type: ignore[misc]
    with pytest.raises(TypeError):
        Params(no_such_parameter=1)  # type: ignore[call-arg]


def test_repr_rebuilds_the_object():
    p = Params(request_rate=0.9, attention_policy=ATTENTION_POLICIES[1])
    assert eval(repr(p), {"Params": Params}) == p


def test_replace_returns_a_changed_copy():
    p = Params()
    q = p.replace(steps=10)
    assert q.steps == 10 and p.steps == 750
