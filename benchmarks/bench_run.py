"""Performance benchmark for itlead: run time, scaling and cost per agent-step.

Run it with ``make bench`` (or ``.venv/bin/python benchmarks/bench_run.py``); ``--quick`` is a
smoke run and ``--no-50x`` skips the largest organisation. See ``benchmarks/README.md`` for what
each figure means. This is a measurement, not a test: it always exits 0 and prints PASS/MISS
against the targets instead.

The machine is noisy (2 cores, shared), so every figure is also given as a ratio against the
default run measured earlier in this same process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

import mesa
from _common import git_head, print_footer, sim_fingerprint
from _common import print_table as print_table_rows
from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth

import sim
from sim.config.loaders import build_params, load_scenario, load_structure
from sim.model.model import ITLeadershipModel

TARGET_DEFAULT_S = 0.25  # default run, single_cio, seconds
TARGET_10X_RATIO = 12.0  # 10x organisation time / 1x time

# Organisation sizes: (business units, delivery teams, platform teams).
SIZES = {"1x": (8, 7, 5), "10x": (80, 70, 50), "50x": (400, 350, 250)}

BOLTZMANN_AGENTS = 100
BOLTZMANN_STEPS = 200


@dataclass
class Timing:
    """Wall-clock seconds of repeated runs of one configuration."""

    seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def spread(self) -> str:
        if len(self.seconds) == 1:
            return "1 run"
        lo, hi = min(self.seconds), max(self.seconds)
        return f"median of {len(self.seconds)}, range {lo:.3f}-{hi:.3f} s"


@dataclass
class Row:
    """One line of the final table."""

    figure: str
    measured: str
    vs_baseline: str
    target: str
    verdict: str

    def cells(self) -> tuple[str, ...]:
        return (self.figure, self.measured, self.vs_baseline, self.target, self.verdict)


def timed(fn: Callable[[int], object], seeds: list[int]) -> Timing:
    """Time ``fn(seed)`` once per seed."""
    seconds = []
    for seed in seeds:
        start = time.perf_counter()
        fn(seed)
        seconds.append(time.perf_counter() - start)
    return Timing(seconds)


def org_overrides(size: str) -> dict[str, int]:
    units, delivery, platform_teams = SIZES[size]
    return {
        "n_business_units": units,
        "n_delivery_teams": delivery,
        "n_platform_teams": platform_teams,
    }


def agent_steps(structure: str, overrides: dict[str, int]) -> tuple[int, int]:
    """(agents, ticks) of a run: units + teams + executives, counted on a freshly built model."""
    scenario = load_scenario("baseline")
    params = build_params(scenario, overrides)
    model = ITLeadershipModel(params, load_structure(structure), scenario, 0, load_structure)
    agents = len(model.units) + len(model.teams) + len(model.executives)
    return agents, params.steps


def run_boltzmann(seed: int) -> None:
    """Mesa's own Boltzmann wealth example: build it and step it (with its data collection)."""
    scenario = BoltzmannScenario(n=BOLTZMANN_AGENTS, width=10, height=10, rng=seed)
    model = BoltzmannWealth(scenario)
    for _ in range(BOLTZMANN_STEPS):
        model.step()


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def us_per_agent_step(seconds: float, agents: int, ticks: int) -> float:
    return seconds / (agents * ticks) * 1e6


def print_header(args: argparse.Namespace, fingerprint: str) -> None:
    mode = "quick" if args.quick else "full"
    print(f"itlead benchmark ({mode}), {dt.datetime.now().isoformat(timespec='seconds')}")
    print(
        f"python {platform.python_version()}, mesa {mesa.__version__}, "
        f"{platform.machine()}, git {git_head()}, sim/*.py sha256 {fingerprint}"
    )
    print()


def bench_default(repeats: int, rows: list[Row]) -> float | None:
    """Figure 1: the default run, both structures. Returns the baseline median (single_cio)."""
    print("1. Default run (baseline scenario, 8 units, 7+5 teams, 750 ticks)")
    sim.run(seed=0)  # warm-up: imports, caches, first-call costs
    seeds = list(range(1, repeats + 1))
    baseline = None
    for structure in ("single_cio", "cio_cto_split"):
        timing = timed(lambda s, st=structure: sim.run(structure=st, seed=s), seeds)
        if baseline is None:
            baseline = timing.median
        ok = timing.median <= TARGET_DEFAULT_S
        ratio = timing.median / baseline
        print(
            f"   {structure:<14} {timing.median:.3f} s ({timing.spread()}), "
            f"{ratio:.2f}x baseline; target <= {TARGET_DEFAULT_S} s: {verdict(ok)}"
        )
        rows.append(
            Row(
                f"default run, {structure}",
                f"{timing.median:.3f} s",
                f"{ratio:.2f}x",
                f"<= {TARGET_DEFAULT_S} s",
                verdict(ok),
            )
        )
    print()
    return baseline


def bench_scaling(baseline: float, repeats: int, with_50x: bool, rows: list[Row]) -> None:
    """Figure 2: bigger organisations, as a ratio to the 1x (default) run."""
    print("2. Scaling (single_cio; 1x is the default run above)")
    agents, ticks = agent_steps("single_cio", org_overrides("1x"))
    per_step = {"1x": us_per_agent_step(baseline, agents, ticks)}
    print(
        f"   1x   {agents:>5} agents  {baseline:8.3f} s   1.00x   "
        f"{per_step['1x']:.2f} us/agent-step"
    )
    plan = [("10x", repeats)] + ([("50x", 1)] if with_50x else [])
    for size, n in plan:
        target = f"<= {TARGET_10X_RATIO:g}x" if size == "10x" else "completes"
        overrides = org_overrides(size)
        agents, ticks = agent_steps("single_cio", overrides)
        try:
            timing = timed(lambda s, o=overrides: sim.run(seed=s, **o), list(range(1, n + 1)))
        except Exception:  # a crash is a result here, not a reason to stop measuring
            traceback.print_exc()
            print(f"   {size}  FAILED")
            rows.append(Row(f"{size} organisation", "failed", "-", target, "MISS"))
            continue
        ratio = timing.median / baseline
        per_step[size] = us_per_agent_step(timing.median, agents, ticks)
        print(
            f"   {size:<4} {agents:>5} agents  {timing.median:8.3f} s  {ratio:5.2f}x   "
            f"{per_step[size]:.2f} us/agent-step ({timing.spread()})"
        )
        if size == "10x":
            ok = ratio <= TARGET_10X_RATIO
            print(
                f"   10x/1x time ratio {ratio:.2f}; target <= {TARGET_10X_RATIO:g}: {verdict(ok)}"
            )
        else:
            ok = True
            print(f"   50x completed in {timing.median:.2f} s")
        rows.append(
            Row(
                f"{size} organisation",
                f"{timing.median:.2f} s",
                f"{ratio:.2f}x",
                target,
                verdict(ok),
            )
        )
    if not with_50x:
        print("   50x skipped (--no-50x or --quick)")
    print()


def bench_agent_step(baseline: float, repeats: int, rows: list[Row]) -> None:
    """Figure 3: cost per agent-step against Mesa's Boltzmann example in this process."""
    print("3. Cost per agent-step")
    agents, ticks = agent_steps("single_cio", org_overrides("1x"))
    ours = us_per_agent_step(baseline, agents, ticks)
    run_boltzmann(0)  # warm-up
    timing = timed(run_boltzmann, list(range(1, repeats + 1)))
    theirs = us_per_agent_step(timing.median, BOLTZMANN_AGENTS, BOLTZMANN_STEPS)
    print(
        f"   itlead default run : {agents} agents x {ticks} ticks = {agents * ticks} "
        f"agent-steps in {baseline:.3f} s -> {ours:.2f} us/agent-step"
    )
    print(
        f"   Mesa Boltzmann     : {BOLTZMANN_AGENTS} agents x {BOLTZMANN_STEPS} steps = "
        f"{BOLTZMANN_AGENTS * BOLTZMANN_STEPS} agent-steps in {timing.median:.3f} s "
        f"({timing.spread()}) -> {theirs:.2f} us/agent-step"
    )
    print(f"   itlead / Boltzmann : {ours / theirs:.1f}x per agent-step")
    print()
    rows.append(Row("itlead us/agent-step", f"{ours:.2f} us", "-", "-", "info"))
    rows.append(
        Row(
            "Boltzmann us/agent-step",
            f"{theirs:.2f} us",
            f"itlead {ours / theirs:.1f}x",
            "-",
            "info",
        )
    )


def print_table(rows: list[Row]) -> None:
    print_table_rows(
        "Summary (baseline = default run, single_cio, this process)",
        Row("figure", "measured", "vs baseline", "target", "result").cells(),
        [row.cells() for row in rows],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 3 repeats, no 50x")
    parser.add_argument("--no-50x", dest="with_50x", action="store_false", help="skip 50x")
    args = parser.parse_args(argv)
    default_repeats = 3 if args.quick else 7
    scale_repeats = 1 if args.quick else 3
    boltzmann_repeats = 3 if args.quick else 5
    with_50x = args.with_50x and not args.quick

    fingerprint = sim_fingerprint()
    print_header(args, fingerprint)
    rows: list[Row] = []
    started = time.perf_counter()
    try:
        baseline = bench_default(default_repeats, rows)
        bench_scaling(baseline, scale_repeats, with_50x, rows)
        bench_agent_step(baseline, boltzmann_repeats, rows)
    except Exception:  # a measurement: report what broke, keep the exit code 0
        traceback.print_exc()
        print("benchmark stopped early; figures below are partial")
    print_table(rows)
    print_footer(started, fingerprint)
    return 0


if __name__ == "__main__":
    sys.exit(main())
