"""Batch benchmark for itlead: parallel throughput, mesa.batch_run, memory and a Sobol projection.

Run it with ``.venv/bin/python benchmarks/bench_batch.py``; ``--quick`` is a smoke run. See
``benchmarks/README.md`` for what each figure means. This is a measurement, not a test: it always
exits 0 and prints PASS/MISS against the targets instead.

The machine is noisy (2 cores, shared), so timings are medians of repeats, and the ratios compare
measurements taken in this same process, interleaved. Figure 3 runs in a subprocess so that its
peak memory is its own. Figure 2 runs last because ``mesa.batch_run`` forces the spawn start
method on the whole process.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mesa
from _common import ROOT, git_head, print_footer, sim_fingerprint
from _common import print_table as print_table_rows
from mesa.batchrunner import batch_run

from sim.config.loaders import build_params, load_scenario, load_structure
from sim.experiments.batch import plan_runs, run_batch
from sim.experiments.spec import Design, Experiment, load_experiment
from sim.model.model import ITLeadershipModel
from sim.model.recorder import TICK_METRICS

TARGET_SPEEDUP = 1.8  # workers=2 runs/s over workers=1 runs/s
TARGET_VS_MESA = 3.0  # mesa.batch_run wall time over run_batch wall time, workers matched
TARGET_MEMORY = 1024**3  # peak RSS of a 10,000-run batch, bytes
TARGET_SOBOL_MIN = 20.0  # Sobol, 10 parameters, N = 256, 2 structures, minutes

STRUCTURES = ("single_cio", "cio_cto_split")
SOBOL_PARAMS = 10
SOBOL_N = 256
SOBOL_STEPS = 750
MASTER_SEED = 20261123


@dataclasses.dataclass(frozen=True)
class Plan:
    """Sizes of one benchmark run (full or quick)."""

    throughput_replications: int  # figure 1: per structure
    replications: int  # figure 2: per structure
    steps: int  # figures 1 and 2: ticks per run
    repeats: int  # figures 1 and 2: timings per configuration
    memory_runs: int  # figure 3
    sobol_sample: int  # figure 4: runs actually timed


FULL = Plan(
    throughput_replications=100,
    replications=30,
    steps=750,
    repeats=3,
    memory_runs=10_000,
    sobol_sample=128,
)
QUICK = Plan(
    throughput_replications=3,
    replications=3,
    steps=100,
    repeats=1,
    memory_runs=1_000,
    sobol_sample=8,
)


@dataclasses.dataclass
class Row:
    """One line of the final table."""

    number: int  # the figure it belongs to: the table is ordered by it
    figure: str
    measured: str
    target: str
    verdict: str

    def cells(self) -> tuple[str, ...]:
        return (self.figure, self.measured, self.target, self.verdict)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def spread(seconds: list[float]) -> str:
    if len(seconds) == 1:
        return "1 run"
    return f"median of {len(seconds)}, range {min(seconds):.2f}-{max(seconds):.2f} s"


# --- experiments and batches -------------------------------------------------------------------


def toml_value(value: Any) -> str:
    if isinstance(value, bool | str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return repr(value)


def write_experiment(
    folder: Path,
    name: str,
    *,
    structures: tuple[str, ...],
    replications: int,
    steps: int,
    constants: dict[str, Any] | None = None,
    uncertainties: dict[str, dict[str, Any]] | None = None,
    design: dict[str, Any] | None = None,
) -> Path:
    """Write an experiment file (baseline scenario) and return its path."""
    lines = [
        f"description = {toml_value('Benchmark batch written by benchmarks/bench_batch.py.')}",
        'scenarios = ["baseline"]',
        f"structures = {toml_value(structures)}",
        f"replications = {replications}",
        f"master_seed = {MASTER_SEED}",
        f"steps = {steps}",
    ]
    if constants:
        lines += ["", "[constants]", *(f"{k} = {toml_value(v)}" for k, v in constants.items())]
    for param, table in (uncertainties or {}).items():
        lines += [
            "",
            f"[uncertainties.{param}]",
            *(f"{k} = {toml_value(v)}" for k, v in table.items()),
        ]
    lines += ["", "[design]"]
    lines += [f"{k} = {toml_value(v)}" for k, v in (design or {"kind": "runs"}).items()]
    path = folder / f"{name}.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


class Scratch:
    """Fresh, empty output folders under one temporary directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.count = 0

    def fresh(self) -> Path:
        self.count += 1
        return self.root / f"out-{self.count:03d}"


LAST_STEADY_RATE = [float("nan")]


def _steady_rate(marks: list[tuple[float, int]]) -> float:
    """Runs per second between the first and the last finished chunk: worker start-up excluded."""
    finished = [m for m in marks if m[1] > 0]
    if len(finished) < 2 or finished[-1][0] <= finished[0][0]:
        return float("nan")
    return (finished[-1][1] - finished[0][1]) / (finished[-1][0] - finished[0][0])


def timed_batch(
    experiment: Path | Experiment, workers: int, scratch: Scratch, expected: int, every: int = 1
) -> float:
    """Wall-clock seconds of ``run_batch`` into a fresh folder; checks every run succeeded."""
    out = scratch.fresh()
    marks: list[tuple[float, int]] = []  # (time, runs done) at each finished chunk
    start = time.perf_counter()
    result = run_batch(
        experiment,
        out=out,
        workers=workers,
        every=every,
        progress=lambda done, failed, total: marks.append((time.perf_counter(), done)),
    )
    seconds = time.perf_counter() - start
    LAST_STEADY_RATE[0] = _steady_rate(marks)
    ok = int((result.runs["status"] == "ok").sum()) if len(result.runs) else 0
    shutil.rmtree(out, ignore_errors=True)
    if ok != expected:
        raise RuntimeError(f"run_batch finished {ok} of {expected} runs successfully")
    return seconds


# --- figure 1: parallel throughput -------------------------------------------------------------


def bench_throughput(plan: Plan, scratch: Scratch, rows: list[Row]) -> None:
    runs = len(STRUCTURES) * plan.throughput_replications
    print(
        f"1. Parallel throughput: run_batch, baseline, {' + '.join(STRUCTURES)}, "
        f"{plan.throughput_replications} replications, {plan.steps} ticks = {runs} runs, every=1"
    )
    path = write_experiment(
        scratch.root,
        "throughput",
        structures=STRUCTURES,
        replications=plan.throughput_replications,
        steps=plan.steps,
    )
    warm = write_experiment(
        scratch.root,
        "warm_up",
        structures=STRUCTURES[:1],
        replications=1,
        steps=5,
        constants={"warmup": 0},
    )
    timed_batch(warm, 1, scratch, 1)  # warm-up: imports, caches, first-call costs
    times: dict[int, list[float]] = {1: [], 2: []}
    steady: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(plan.repeats):  # interleaved, so drift on the machine hits both alike
        for workers in (1, 2):
            times[workers].append(timed_batch(path, workers, scratch, runs))
            steady[workers].append(LAST_STEADY_RATE[0])
    rate = {w: runs / statistics.median(t) for w, t in times.items()}
    steady_rate = {w: statistics.median(r) for w, r in steady.items()}
    print(
        "   steady state (first to last finished chunk, worker start-up excluded): "
        f"{steady_rate[1]:.2f} vs {steady_rate[2]:.2f} runs/s = "
        f"{steady_rate[2] / steady_rate[1]:.2f}x"
    )
    rows.append(
        Row(
            1,
            "steady-state speed-up (start-up excluded)",
            f"{steady_rate[2] / steady_rate[1]:.2f}x",
            ">= 1.8x",
            verdict(steady_rate[2] / steady_rate[1] >= TARGET_SPEEDUP),
        )
    )
    for workers, seconds in times.items():
        print(
            f"   workers={workers}  {statistics.median(seconds):6.2f} s  "
            f"{rate[workers]:6.2f} runs/s  ({spread(seconds)})"
        )
        rows.append(
            Row(1, f"throughput, workers={workers}", f"{rate[workers]:.2f} runs/s", "-", "info")
        )
    speedup = rate[2] / rate[1]
    ok = speedup >= TARGET_SPEEDUP
    print(
        f"   speed-up workers=2 / workers=1: {speedup:.2f}x; "
        f"target >= {TARGET_SPEEDUP}x: {verdict(ok)}"
    )
    print()
    rows.append(
        Row(
            1, "parallel speed-up (2 vs 1)", f"{speedup:.2f}x", f">= {TARGET_SPEEDUP}x", verdict(ok)
        )
    )


# --- figure 2: against mesa.batch_run ----------------------------------------------------------


def _tick_reporter(name: str) -> Callable[[ITLeadershipModel], float]:
    def report(model: ITLeadershipModel) -> float:
        return float(model.recorder.by_tick[name][model.tick - 1])

    return report


class AdapterModel(ITLeadershipModel):
    """ITLeadershipModel with keyword parameters and a DataCollector, as mesa.batch_run needs.

    Every per-tick measure of :data:`sim.model.recorder.TICK_METRICS` is collected after each step,
    read from the model's own recorder, so batch_run keeps the same per-tick output as
    ``run_batch(every=1)``.
    """

    def __init__(
        self,
        structure: str = "single_cio",
        seed: int = 0,
        steps: int = 400,
        scenario: str = "baseline",
        **kw: Any,
    ) -> None:
        scen = load_scenario(scenario)
        params = build_params(scen, {"steps": steps, **kw}, origin="AdapterModel")
        super().__init__(params, load_structure(structure), scen, seed, load_structure)
        self.datacollector = mesa.DataCollector(
            model_reporters={name: _tick_reporter(name) for name in TICK_METRICS}
        )
        self.running = True

    def step(self) -> None:
        super().step()
        self.datacollector.collect(self)
        self.running = self.tick < self.p.steps


def timed_mesa(plan: Plan, processes: int, seeds: list[int]) -> float:
    """Wall-clock seconds of the same design through ``mesa.batch_run``; checks its row count."""
    start = time.perf_counter()
    rows = batch_run(
        AdapterModel,
        parameters={"structure": list(STRUCTURES), "steps": plan.steps},
        # Seeds go through rng=, which batch_run passes as the model's ``seed`` keyword (a
        # "seed" entry in parameters would be overwritten by iterations=1's seed None).
        rng=seeds,
        number_processes=processes,
        max_steps=plan.steps,
        data_collection_period=1,
        display_progress=False,
    )
    seconds = time.perf_counter() - start
    expected = len(STRUCTURES) * len(seeds) * plan.steps
    if len(rows) != expected:
        raise RuntimeError(f"mesa.batch_run returned {len(rows)} rows, expected {expected}")
    return seconds


def bench_vs_mesa(plan: Plan, scratch: Scratch, rows: list[Row]) -> None:
    runs = len(STRUCTURES) * plan.replications
    print(
        f"2. Against mesa.batch_run: the same {runs} runs (same seeds), every tick's "
        f"{len(TICK_METRICS)} measures collected"
    )
    path = write_experiment(
        scratch.root,
        "versus_mesa",
        structures=STRUCTURES,
        replications=plan.replications,
        steps=plan.steps,
    )
    # The seeds run_batch derives for these runs, so both runners do exactly the same work.
    seeds = [
        spec.seed for spec in plan_runs(load_experiment(path)) if spec.structure == STRUCTURES[0]
    ]
    AdapterModel(steps=2, warmup=0).step()  # warm-up: first-call costs
    ours: dict[int, list[float]] = {1: [], 2: []}
    theirs: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(plan.repeats):
        for workers in (1, 2):
            ours[workers].append(timed_batch(path, workers, scratch, runs))
            theirs[workers].append(timed_mesa(plan, workers, seeds))
    for workers in (1, 2):
        a, b = statistics.median(theirs[workers]), statistics.median(ours[workers])
        ratio = a / b
        ok = ratio >= TARGET_VS_MESA
        print(
            f"   {workers} process{'es' if workers > 1 else '  '}: mesa.batch_run {a:6.2f} s "
            f"({spread(theirs[workers])}), run_batch {b:6.2f} s ({spread(ours[workers])})"
        )
        print(
            f"      batch_run / run_batch = {ratio:.2f}x; "
            f"target >= {TARGET_VS_MESA}x: {verdict(ok)}"
        )
        rows.append(
            Row(
                2,
                f"mesa.batch_run / ours, {workers} proc",
                f"{ratio:.2f}x ({a:.1f} s / {b:.1f} s)",
                f">= {TARGET_VS_MESA}x",
                verdict(ok),
            )
        )
    print()


# --- figure 3: peak memory of a large batch ----------------------------------------------------


def memory_child(experiment: str, out: str) -> int:
    """Run inside the subprocess of figure 3: the batch, then its peak RSS as one JSON line."""
    start = time.perf_counter()
    result = run_batch(experiment, out=out, workers=2, every=1)
    seconds = time.perf_counter() - start
    ok = int((result.runs["status"] == "ok").sum()) if len(result.runs) else 0
    # Linux reports ru_maxrss in KiB. RUSAGE_CHILDREN is the largest reaped child (a worker).
    parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    report = {"seconds": seconds, "ok": ok, "parent": parent, "child": child}
    print("MEMORY " + json.dumps(report))
    return 0


def bench_memory(plan: Plan, scratch: Scratch, rows: list[Row]) -> None:
    n = plan.memory_runs
    print(
        f"3. Peak memory: {n:,} runs (baseline, single_cio, 30 ticks, warmup 5), workers=2, every=1"
    )
    path = write_experiment(
        scratch.root,
        "memory",
        structures=("single_cio",),
        replications=n,
        steps=30,
        constants={"warmup": 5},
    )
    out = scratch.fresh()
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--memory-child", str(path), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    shutil.rmtree(out, ignore_errors=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith("MEMORY ")]
    if done.returncode != 0 or not lines:
        print(done.stdout + done.stderr)
        raise RuntimeError(f"memory subprocess failed (exit {done.returncode})")
    report = json.loads(lines[-1].removeprefix("MEMORY "))
    if report["ok"] != n:
        raise RuntimeError(f"memory batch finished {report['ok']} of {n} runs successfully")
    mib = 1024**2
    parent, child = report["parent"], report["child"]
    total = parent + 2 * child  # upper bound: both workers at their peak together with the parent
    ok = total < TARGET_MEMORY
    print(f"   time              {report['seconds']:8.1f} s   ({n / report['seconds']:.0f} runs/s)")
    print(f"   parent peak RSS   {parent / mib:8.0f} MiB")
    print(f"   worker peak RSS   {child / mib:8.0f} MiB (the larger of the 2 workers)")
    print(
        f"   parent + 2 workers {total / mib:7.0f} MiB (upper bound); target < 1 GiB: {verdict(ok)}"
    )
    print()
    label = f"{n:,} runs"
    rows.append(Row(3, f"{label}: time", f"{report['seconds']:.1f} s", "-", "info"))
    rows.append(
        Row(
            3,
            f"{label}: peak RSS",
            f"{total / mib:.0f} MiB ({parent / mib:.0f} + 2 x {child / mib:.0f})",
            "< 1 GiB",
            verdict(ok),
        )
    )


# --- figure 4: Sobol projection ----------------------------------------------------------------


def sobol_experiment(folder: Path) -> Path:
    """experiments/sensitivity_sobol.toml cut to its first 10 parameters, N = 256, 750 ticks."""
    source = tomllib.loads((ROOT / "experiments" / "sensitivity_sobol.toml").read_text())
    params = dict(list(source["uncertainties"].items())[:SOBOL_PARAMS])
    if len(params) != SOBOL_PARAMS:
        raise RuntimeError(
            f"sensitivity_sobol.toml has {len(params)} parameters, need {SOBOL_PARAMS}"
        )
    return write_experiment(
        folder,
        "sobol",
        structures=tuple(source["structures"]),
        replications=1,
        steps=SOBOL_STEPS,
        uncertainties=params,
        design={"kind": "sobol", "n": SOBOL_N, "second_order": False},
    )


def bench_sobol(plan: Plan, scratch: Scratch, rows: list[Row]) -> None:
    full = load_experiment(sobol_experiment(scratch.root))
    total = full.run_count()
    points = full.points()
    per_point = len(full.structures) * len(full.scenarios) * full.replications
    k = max(1, plan.sobol_sample // per_point)
    # The first k points as a hand-listed design: the same parameters and order as the first
    # k * per_point runs of the full design. Their seeds differ (a Sobol design shares random
    # numbers within a Saltelli block, a hand-listed one gives each point its own), which does
    # not change what a run costs.
    sample = dataclasses.replace(
        full, design=Design(kind="runs", runs=tuple(tuple(p.items()) for p in points[:k]))
    )
    n = sample.run_count()
    assert [s.overrides for s in plan_runs(sample)] == [s.overrides for s in plan_runs(full)[:n]]
    print(
        f"4. Sobol: {SOBOL_PARAMS} parameters, N = {SOBOL_N}: {len(points)} points x "
        f"{len(full.structures)} structures = {total:,} runs of {SOBOL_STEPS} ticks"
    )
    seconds = timed_batch(sample, 2, scratch, n)
    rate = LAST_STEADY_RATE[0]  # runs/s once both workers are up
    # The full design starts the pool once: the sample's time (start-up included) and then the
    # other runs at the steady rate. Spreading the sample's start-up over every run instead, as
    # the first line shows, overstates the full design's time.
    per_run = seconds * 2 / n  # worker-seconds per run, pool start-up included
    naive = total * per_run / 2 / 60
    projected = (seconds + (total - n) / rate) / 60 if rate > 0 else naive
    ok = projected <= TARGET_SOBOL_MIN
    print(
        f"   timed: the first {n} runs, workers=2: {seconds:.1f} s "
        f"({per_run:.3f} worker-s per run with start-up; steady {rate:.2f} runs/s)"
    )
    print(f"   start-up spread over every run: {total:,} x {per_run:.3f} s / 2 = {naive:.1f} min")
    print(
        f"   projected full design: {seconds:.1f} s + {total - n:,} runs / {rate:.2f} runs/s = "
        f"{projected:.1f} min (projected, not run); "
        f"target <= {TARGET_SOBOL_MIN:g} min: {verdict(ok)}"
    )
    print()
    rows.append(
        Row(
            4,
            f"Sobol N={SOBOL_N}, {total:,} runs",
            f"{projected:.1f} min projected (from {n} runs)",
            f"<= {TARGET_SOBOL_MIN:g} min",
            verdict(ok),
        )
    )


# --- report --------------------------------------------------------------------------------------


def print_table(rows: list[Row]) -> None:
    rows = sorted(rows, key=lambda r: r.number)
    print_table_rows(
        "Summary",
        Row(0, "figure", "measured", "target", "result").cells(),
        [row.cells() for row in rows],
    )


# In running order. Figure 2 last: mesa.batch_run forces the spawn start method on the process.
FIGURES = {
    "throughput": bench_throughput,
    "memory": bench_memory,
    "sobol": bench_sobol,
    "mesa": bench_vs_mesa,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: small batches, 1 repeat")
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(FIGURES),
        help="run only this figure (repeatable); default: all four",
    )
    parser.add_argument(
        "--memory-child", nargs=2, metavar=("EXPERIMENT", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.memory_child:
        return memory_child(*args.memory_child)
    plan = QUICK if args.quick else FULL

    fingerprint = sim_fingerprint()
    mode = "quick" if args.quick else "full"
    print(f"itlead batch benchmark ({mode}), {dt.datetime.now().isoformat(timespec='seconds')}")
    print(
        f"python {platform.python_version()}, mesa {mesa.__version__}, {platform.machine()}, "
        f"git {git_head()}, sim/*.py sha256 {fingerprint}"
    )
    print()
    rows: list[Row] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="itlead-bench-") as tmp:
        scratch = Scratch(Path(tmp))
        for name, bench in FIGURES.items():
            if args.only and name not in args.only:
                continue
            try:
                bench(plan, scratch, rows)
            except Exception:  # a measurement: report what broke, go on with the next figure
                traceback.print_exc()
                print(f"   {bench.__name__} stopped early; its figures are missing below\n")
    print_table(rows)
    print_footer(started, fingerprint)
    return 0


if __name__ == "__main__":
    sys.exit(main())
