"""Reading batch tables by column and filter, and ``itlead export`` to CSV.

One tiny batch (2 scenarios x 2 structures x 2 replications x 60 ticks; the second scenario has
an incident storm at tick 30, so some events chunks hold rows and some are empty) is read three
ways: whole with ``load_batch`` and filtered in pandas (the reference), with
``read_batch_table`` (columns and filters pushed down to pyarrow), and as exported CSV read back.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from sim.cli import main
from sim.errors import ConfigError, ParameterError
from sim.experiments.batch import load_batch, run_batch
from sim.experiments.store import iter_batch_table, read_batch_table

from .test_cli import assert_bad_input

STORM = """
description = "An incident storm early enough for a 60-tick run."
base = "baseline"
[[shocks]]
kind = "incident_storm"
at = 30
duration = 10
magnitude = 4.0
"""
EXPERIMENT = """
scenarios = ["baseline", "{storm}"]
structures = ["single_cio", "cio_cto_split"]
replications = 2
master_seed = 5
steps = 60
[constants]
warmup = 10
"""
COLUMNS = ["run_id", "tick", "business_trust_mean"]


def invoke(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def same(got: pd.DataFrame, expected: pd.DataFrame, **options) -> None:
    """Equal to the last bit: CSV keeps full precision, and a filter must not touch a value."""
    pd.testing.assert_frame_equal(got, expected, check_exact=True, **options)


def read_csv(path: Path) -> pd.DataFrame:
    # run_id is hexadecimal text: read as text, or an all-digit id would become a number.
    return pd.read_csv(path, dtype={"run_id": str})


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("export")
    (root / "storm.toml").write_text(STORM)
    (root / "exp.toml").write_text(EXPERIMENT.format(storm=root / "storm.toml"))
    run_batch(root / "exp.toml", out=root / "batch", workers=1)
    return root / "batch"


@pytest.fixture(scope="module")
def batch(folder: Path):
    return load_batch(folder)


def split_trust(batch, since: int = 30) -> pd.DataFrame:
    """The reference: ticks of the split structure's runs from ``since``, filtered in pandas."""
    ids = batch.runs.loc[batch.runs["structure"] == "cio_cto_split", "run_id"]
    ticks = batch.ticks
    keep = ticks["run_id"].isin(ids) & (ticks["tick"] >= since)
    return ticks.loc[keep, COLUMNS].reset_index(drop=True)


# --- read_batch_table ----------------------------------------------------------------------------


def test_the_batch_is_what_the_tests_assume(batch):
    assert len(batch.runs) == 8 and len(batch.ticks) == 8 * 60
    assert len(batch.events) == 4  # one storm per run of the storm scenario
    assert not (batch.folder / "failures").exists()


def test_whole_tables_equal_load_batch(folder, batch):
    same(read_batch_table(folder, "runs"), batch.runs)
    same(read_batch_table(folder, "ticks"), batch.ticks)
    # Events: the same values; typed columns where load_batch's concat of empty chunks gives
    # objects.
    events = read_batch_table(folder, "events")
    same(events, batch.events, check_dtype=False)
    assert events["start"].dtype == "int64" and events["magnitude"].dtype == "float64"
    assert events["start"].tolist() == [30] * 4 and events["end"].tolist() == [40] * 4


def test_columns_and_filters_equal_pandas_filtering(folder, batch):
    ids = read_batch_table(folder, "runs", ["run_id"], [("structure", "==", "cio_cto_split")])
    assert len(ids) == 4  # 2 scenarios x 2 replications
    got = read_batch_table(
        folder, "ticks", COLUMNS, [("run_id", "in", list(ids["run_id"])), ("tick", ">=", 30)]
    )
    expected = split_trust(batch)
    assert got.shape == (4 * 30, 3)
    same(got, expected)


def test_any_of_several_filter_groups(folder, batch):
    got = read_batch_table(
        folder, "ticks", ["run_index", "tick"], [[("tick", "<", 2)], [("tick", ">", 57)]]
    )
    ticks = batch.ticks
    expected = ticks.loc[(ticks["tick"] < 2) | (ticks["tick"] > 57), ["run_index", "tick"]]
    same(got, expected.reset_index(drop=True))
    assert len(got) == 8 * 4


def test_runs_filters_on_inputs_and_outcomes(folder, batch):
    runs = batch.runs
    got = read_batch_table(
        folder,
        "runs",
        ["run_id", "scenario", "value_delivered"],
        [("scenario", "!=", "baseline"), ("replication", "in", [1])],
    )
    keep = (runs["scenario"] != "baseline") & (runs["replication"] == 1)
    expected = runs.loc[keep, ["run_id", "scenario", "value_delivered"]].reset_index(drop=True)
    same(got, expected)
    assert len(got) == 2
    empty = read_batch_table(folder, "ticks", ["tick"], [("run_id", "in", [])])
    assert empty.shape == (0, 1)


def test_pieces_concatenate_to_the_table(folder):
    pieces = list(iter_batch_table(folder, "ticks", COLUMNS, [("tick", ">=", 30)], rows=7))
    assert pieces and max(len(p) for p in pieces) <= 7
    whole = read_batch_table(folder, "ticks", COLUMNS, [("tick", ">=", 30)])
    same(pd.concat(pieces, ignore_index=True), whole)
    assert sum(len(p) for p in pieces) == 8 * 30


def test_a_table_without_chunks_is_empty(folder):
    assert read_batch_table(folder, "failures").shape == (0, 0)
    assert list(read_batch_table(folder, "failures", ["traceback"]).columns) == ["traceback"]
    assert list(iter_batch_table(folder, "failures")) == []


@pytest.mark.parametrize(
    ("kwargs", "parameter", "fragments"),
    [
        ({"table": "tick"}, "table", ["'tick'", "allowed runs, ticks, events, failures"]),
        ({"table": "executives"}, "table", ["'executives'", "allowed runs, ticks"]),
        ({"table": "ticks", "columns": ["tick", "tik"]}, "columns", ["'tik'", "business_trust"]),
        (
            {"table": "ticks", "filters": [("structure", "==", "cio_cto_split")]},
            "filters",
            ["'structure' is not a column of the ticks table", "of the runs table"],
        ),
        ({"table": "ticks", "filters": [("tick", "==", "ten")]}, "filters", ["'ten'", "int64"]),
        ({"table": "ticks", "filters": [("tick", "like", 3)]}, "filters", ["'like'", "not in"]),
        ({"table": "ticks", "filters": [("tick", "in", 3)]}, "filters", ["needs a list"]),
        ({"table": "ticks", "filters": [("tick", 3)]}, "filters", ["(column, op, value)"]),
    ],
)
def test_bad_reads_name_the_folder_the_value_and_what_is_allowed(
    folder, kwargs, parameter, fragments
):
    table = kwargs.pop("table")
    with pytest.raises(ParameterError) as info:
        read_batch_table(folder, table, **kwargs)
    assert info.value.parameter == parameter
    assert str(folder) in str(info.value)
    for fragment in fragments:
        assert fragment in str(info.value)


def test_a_folder_that_is_not_a_batch(tmp_path):
    with pytest.raises(ConfigError, match=r"no manifest\.json"):
        read_batch_table(tmp_path, "runs")


# --- itlead export -------------------------------------------------------------------------------


def test_export_writes_every_table_as_csv(folder, batch, tmp_path):
    out = tmp_path / "csv"
    result = invoke("export", folder, "--out", out)
    assert result.exit_code == 0, (result.output, result.exception)
    assert sorted(p.name for p in out.iterdir()) == ["events.csv", "runs.csv", "ticks.csv"]
    assert "failures" in result.stderr  # none to write, and it says so
    same(read_csv(out / "runs.csv"), batch.runs)
    same(read_csv(out / "ticks.csv"), batch.ticks)
    events = read_csv(out / "events.csv")
    # CSV has one empty field for "" and for missing: the empty detail reads back as missing.
    assert events["detail"].isna().all() and (batch.events["detail"] == "").all()
    same(events.drop(columns="detail"), batch.events.drop(columns="detail"), check_dtype=False)
    for name, frame in (("runs", batch.runs), ("ticks", batch.ticks)):
        assert f"wrote {out / (name + '.csv')} ({len(frame)} rows)" in result.stdout


def test_export_by_column_and_runs_condition(folder, batch, tmp_path):
    out = tmp_path / "trust.csv"
    result = invoke(
        "export", folder, "--table", "ticks", "--columns", ",".join(COLUMNS),
        "--where", "structure=cio_cto_split", "--where", "tick >= 30", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, (result.output, result.exception)
    same(read_csv(out), split_trust(batch))
    assert result.stdout == f"wrote {out} (120 rows)\n"


def test_export_any_of_and_standard_output(folder, batch):
    result = invoke(
        "export", folder, "--table", "runs", "--columns", "run_id,structure,seed",
        "--where", "structure=single_cio,cio_cto_split", "--where", "scenario!=baseline",
        "--out", "-",
    )  # fmt: skip
    assert result.exit_code == 0, (result.output, result.exception)
    from io import StringIO

    got = pd.read_csv(StringIO(result.stdout), dtype={"run_id": str})
    runs = batch.runs
    expected = runs.loc[runs["scenario"] != "baseline", ["run_id", "structure", "seed"]]
    same(got, expected.reset_index(drop=True))


def test_an_interrupted_export_leaves_no_file(folder, tmp_path, monkeypatch):
    import sim.experiments.store as store

    real = store.iter_batch_table

    def crash(*args, **kwargs):
        pieces = real(*args, rows=50, **kwargs)
        yield next(pieces)  # some rows reach the file
        raise RuntimeError("disk pulled out")

    out = tmp_path / "ticks.csv"
    monkeypatch.setattr(store, "iter_batch_table", crash)
    result = invoke("export", folder, "--table", "ticks", "--out", out)
    assert isinstance(result.exception, RuntimeError)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # nor a partial file
    # An older, complete export is left as it was.
    out.write_text("run_id,tick\nold,1\n")
    result = invoke("export", folder, "--table", "ticks", "--out", out)
    assert isinstance(result.exception, RuntimeError)
    assert out.read_text() == "run_id,tick\nold,1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ticks.csv"]


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--table", "tick"], ["--table: 'tick' is not a table", "allowed runs, ticks"]),
        (["--table", "ticks", "--columns", "tick,tik"], ["--columns: 'tik'"]),
        (["--columns", "tick"], ["--columns = 'tick' needs --table"]),
        (["--table", "ticks", "--where", "structur=x"], ["'structur'", "did you mean structure?"]),
        (["--table", "ticks", "--where", "tick=ten"], ["'ten' is not a whole number"]),
        (["--table", "ticks", "--where", "tick"], ["--where 'tick' is not COLUMN OP VALUE"]),
        (["--where", "tick>=3"], ["'tick' is not a column of the runs table", "--table"]),
        (["--out", "-"], ["--out - (standard output) needs --table"]),
    ],
)
def test_bad_export_input_exits_2_naming_the_value(folder, tmp_path, args, fragments):
    out = [] if "--out" in args else ["--out", tmp_path / "x"]
    assert_bad_input(invoke("export", folder, *args, *out), *fragments)
    assert not (tmp_path / "x").exists()  # checked before anything is written
