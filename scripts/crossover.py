"""Regenerate docs/crossover.md and the README's claim from the coordination crossover experiment.

Runs ``experiments/coordination_crossover.toml`` (resuming a finished or half-finished batch in
``results/coordination_crossover``), compares the CIO/CTO split with the single CIO in every cell
of its grid, and writes:

- ``docs/data/coordination_crossover_cells.csv``: per cell and outcome, the paired comparison
  and its verdict (the stored result that ``tests/test_claims.py`` re-runs a cell of);
- ``docs/crossover.md``: the grids and the summary sentences, with the command that made them;
- the block between ``<!-- crossover:start -->`` and ``<!-- crossover:end -->`` in README.md:
  the same summary sentences.

Nothing in the document or the README's block is written by hand; the test fails when they and
the stored cells drift apart::

    .venv/bin/python scripts/crossover.py            # resume the batch
    .venv/bin/python scripts/crossover.py --force    # start over (after the model changed)
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from sim.analysis import verdict

ROOT = Path(__file__).resolve().parent.parent
EXPERIMENT = "coordination_crossover"
REFERENCE, OTHER = "single_cio", "cio_cto_split"
X, Y = "coordination_multiplier", "goal_incongruence_multiplier"
# The outcomes the claim is about, with the words and units a reader needs.
OUTCOMES = {
    "value_delivered": ("business value delivered", "value units per day", "higher"),
    "lead_time_change_mean": ("change lead time", "ticks (days)", "lower"),
}
CELLS = ROOT / "docs" / "data" / f"{EXPERIMENT}_cells.csv"
DOC = ROOT / "docs" / "crossover.md"
README = ROOT / "README.md"
START, END = "<!-- crossover:start -->", "<!-- crossover:end -->"
# The stored columns and their types. Reading with these types (not what the parser guesses)
# keeps a float column float when every value happens to be whole ("31" would read as an int).
FLOATS = [X, Y, "mean_reference", "mean_other", "mean_difference", "ci_low", "ci_high"]
FLOATS += ["p_value", "p_holm", "pairs_needed"]
TEXTS = ["outcome", "ci_method", "favours", "verdict"]
DTYPES = {c: float for c in FLOATS} | {c: str for c in TEXTS} | {"n_pairs": int}
COLUMNS = [X, Y, "outcome", "n_pairs", "mean_reference", "mean_other", "mean_difference"]
COLUMNS += ["ci_low", "ci_high", "ci_method", "p_value", "p_holm", "favours", "pairs_needed"]
COLUMNS += ["verdict"]
# pairs_needed is inf beyond verdict.MAX_PAIRS; "%.17g" writes it as "inf", which the float
# columns read back as inf. NaN (a cell with under two pairs) is written as "nan" and read back
# as NaN in the float columns only, so an empty favours or ci_method stays "".
NAN = "nan"


def cells(runs: pd.DataFrame) -> pd.DataFrame:
    """The paired comparison ``OTHER - REFERENCE`` of every outcome in every cell of the grid.

    Each cell is compared on its own, so the verdict rule's Holm adjustment covers the cell's
    :data:`OUTCOMES` (its family), not the other cells.
    """
    from sim.analysis.stats import paired_comparison

    ok = runs[runs["status"] == "ok"]
    parts = []
    for (x, y), group in ok.groupby([f"param.{X}", f"param.{Y}"], sort=True):
        table = paired_comparison(group, REFERENCE, list(OUTCOMES), others=[OTHER])
        parts.append(table.assign(**{X: float(x), Y: float(y)}))
    table = pd.concat(parts, ignore_index=True)
    return table[COLUMNS].astype(DTYPES)


def _verdict(row: pd.Series) -> str:
    who = {OTHER: "split", REFERENCE: "single"}.get(row["favours"], "·")
    return f"{row['mean_difference']:+.2f} {who}"


def grid(table: pd.DataFrame, outcome: str) -> str:
    """A Markdown grid: rows the goal incongruence, columns the coordination cost."""
    part = table[table["outcome"] == outcome]
    xs = sorted(part[X].unique())
    lines = [
        f"| {Y} \\ {X} | " + " | ".join(f"{x:g}" for x in xs) + " |",
        "| --- |" + " --- |" * len(xs),
    ]
    for y, rows in part.groupby(Y, sort=True):
        by_x = rows.set_index(X)
        lines.append(f"| {y:g} | " + " | ".join(_verdict(by_x.loc[x]) for x in xs) + " |")
    return "\n".join(lines)


def summary(table: pd.DataFrame) -> list[str]:
    """One sentence per outcome: where each structure does better, from the cells' verdicts."""
    sentences = []
    for outcome, (words, _, _) in OUTCOMES.items():
        part = table[table["outcome"] == outcome]
        split, single = part[part["favours"] == OTHER], part[part["favours"] == REFERENCE]
        low, high = int(part["n_pairs"].min()), int(part["n_pairs"].max())
        pairs = f"{low}" if low == high else f"{low} to {high}"
        text = (
            f"On {words}, the CIO/CTO split does better in {len(split)} of {len(part)} cells and"
            f" the single CIO in {len(single)} by the verdict rule (`docs/crossover.md`;"
            f" {pairs} paired replications per cell)"
        )
        for name, rows in (("split", split), ("single CIO", single)):
            if len(rows):
                text += (
                    f"; the {name} wins only where {X} is {rows[X].min():g} to {rows[X].max():g}"
                    f" and {Y} {rows[Y].min():g} to {rows[Y].max():g}"
                )
        sentences.append(text + ".")
    return sentences


def document(table: pd.DataFrame) -> str:
    """docs/crossover.md for ``table``."""
    n_cells = int(table.groupby([X, Y]).ngroups)
    n_outcomes = len(OUTCOMES)
    lines = [
        "# Where the split pays off: coordination cost against goal incongruence",
        "",
        f"Generated by `.venv/bin/python scripts/crossover.py` from `experiments/{EXPERIMENT}.toml`"
        f" (the batch is written to `results/{EXPERIMENT}`); do not edit by hand. The stored"
        f" cells are `docs/data/{CELLS.name}`; `tests/test_claims.py` re-runs one of them and",
        "checks this page and the README against them.",
        "",
        f"Each cell is one setting of `{X}` (x the split's channel hours, 0.75 h per executive per"
        f" day) and `{Y}` (x the channel's goal incongruence, 0.2, capped at 1), at the default"
        f" organisation and load. It shows the mean paired difference {OTHER} minus {REFERENCE}"
        " over the cell's replications (same seeds for both structures) and which structure does"
        ' better by the verdict rule ("split", "single", or "·" when the rule names neither).',
        "",
        "The verdict rule (`sim/analysis/verdict.py`, the same rule as the report and the CLI):"
        " in a cell, a structure does better on an outcome only when all three hold:",
        "",
        f"1. the cell has at least {verdict.MIN_PAIRS} pairs (runs of the two structures with the"
        " same seed);",
        f"2. the paired t-test of the differences is significant at {verdict.ALPHA:.0%} after"
        f" Holm's adjustment over the cell's {n_outcomes} outcomes (so that looking at more"
        " than one outcome does not raise the cell's chance of a false win);",
        "3. the 95% interval of the mean difference excludes zero: Student's t-interval below"
        f" {verdict.BCA_MIN_PAIRS} pairs, the bias-corrected and accelerated (BCa) bootstrap,"
        f" seeded, from {verdict.BCA_MIN_PAIRS} pairs on.",
        "",
        f"The stored cells also carry `p_value`, `p_holm`, `ci_method`, `pairs_needed` (roughly"
        " how many pairs a difference of the size seen would need, 80% power; `inf` means more"
        f" than {verdict.MAX_PAIRS:,}) and the verdict in words.",
        "",
        f"The {n_cells} cells are not adjusted against each other: each cell is judged as if it"
        f" were the only one. So even if the two structures did exactly as well everywhere, a"
        f" grid would still show a winner in a cell now and then by chance: up to"
        f" {verdict.ALPHA:.0%} of cells, about {verdict.ALPHA * n_cells:.0f} of {n_cells}. One"
        " marked cell on its own proves little; read the pattern across neighbouring cells.",
        "",
    ]
    for outcome, (words, unit, better) in OUTCOMES.items():
        lines += [f"## {words.capitalize()} ({unit}; {better} is better)", "", grid(table, outcome)]
        lines.append("")
    lines += ["## Summary", "", *[f"- {s}" for s in summary(table)], ""]
    return "\n".join(lines)


def readme_block(table: pd.DataFrame) -> str:
    """The README's claim: the summary sentences between the markers."""
    body = " ".join(summary(table))
    return f"{START}\n{body} (From `experiments/{EXPERIMENT}.toml`.)\n{END}"


def with_readme_block(readme: str, block: str) -> str:
    """``readme`` with its crossover block replaced by ``block``."""
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return head + block + tail


def write_cells(table: pd.DataFrame, path: Path = CELLS) -> None:
    """Store ``table`` at ``path``: 17 significant digits, so every float reads back exactly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table[COLUMNS].to_csv(path, index=False, float_format="%.17g", na_rep=NAN)


def read_cells(path: Path = CELLS) -> pd.DataFrame:
    """The stored cells, exactly as written (the same floats, bit for bit, inf included).

    pandas' C parser reads "%.17g" back to the same double (pandas 3.1 uses one correctly
    rounding converter for every ``float_precision``; ``tests/test_claims.py`` checks it).
    """
    return pd.read_csv(
        path,
        dtype=DTYPES,
        keep_default_na=False,
        na_values={c: [NAN] for c in FLOATS},
    )[COLUMNS]


def main(argv: list[str] | None = None) -> int:
    """Run (or resume) the batch, store its cells, write the page and the README block.

    ``--force`` starts the batch over, as needed after the model code changed (a batch is only
    resumed by the code that began it).
    """
    from sim import run_batch

    force = "--force" in (sys.argv[1:] if argv is None else argv)
    result = run_batch(
        EXPERIMENT, out=ROOT / "results" / EXPERIMENT, workers=2, resume=not force, force=force
    )
    write_cells(cells(result.runs))
    stored = read_cells()
    DOC.write_text(document(stored))
    README.write_text(with_readme_block(README.read_text(), readme_block(stored)))
    print(f"wrote {CELLS}\nwrote {DOC}\nupdated {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
