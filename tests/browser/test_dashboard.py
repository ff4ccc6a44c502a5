"""The dashboard in a real browser: parameters, a paired run, charts, summary, refusal, export."""

from __future__ import annotations

import math
import re
import time
import uuid
from pathlib import Path

import pytest

import sim
from sim.config.loaders import validate_file
from sim.experiments.replicate import paired_replications

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "results" / "dashboard" / "screenshot.png"
FIRST_POINT_LIMIT = 3.0


def _field(page, name):
    return page.locator(f".field-{name} input")


def _set(page, name, value):
    box = _field(page, name)
    box.fill(str(value))
    box.blur()


def _open(page, url):
    page.set_viewport_size({"width": 1500, "height": 2100})
    page.goto(url)
    page.locator(".run-button").wait_for(timeout=60_000)


def _run(page):
    """Press Run; returns seconds until this run's first lead-time point is drawn.

    Waits until this run (told apart from the last by its number) is done, so the summary card
    read next is this run's, fully drawn.
    """
    previous = re.search(r"\brun-(\d+)\b", page.locator(".run-status").get_attribute("class"))
    this_run = f".run-status.run-{int(previous.group(1)) + 1}"
    started = time.perf_counter()
    page.locator(".run-button").click()
    page.locator(this_run).wait_for(timeout=30_000)
    page.locator(".chart-lead-time polyline").first.wait_for(timeout=30_000)
    first = time.perf_counter() - started
    page.locator(f"{this_run}.status-done").wait_for(timeout=60_000)
    page.locator(".summary-card .summary-table").wait_for(timeout=60_000)
    return first


def _export(page, path: str) -> str:
    """Type ``path`` in the export field, press Export; the message the page then shows."""
    previous = page.locator(".export-path").all_inner_texts()
    page.locator(".export-path-input input").fill(path)
    page.locator(".export-button").click()
    message = page.locator(".export-path")
    message.wait_for(timeout=10_000)
    deadline = time.monotonic() + 10
    while message.inner_text().strip() in [t.strip() for t in previous]:
        assert time.monotonic() < deadline, "the export message did not change"
        time.sleep(0.05)
    return message.inner_text().strip()


@pytest.fixture
def export_file():
    """A fresh file name inside results/ (the only folder the page writes in); removed after."""
    target = ROOT / "results" / "dashboard" / f"test-export-{uuid.uuid4().hex[:8]}.toml"
    yield target
    target.unlink(missing_ok=True)


def _card(page):
    """Outcome -> (reference, other, difference) exact values from the summary card."""
    rows = {}
    for row in page.locator(".summary-card tr[data-outcome]").all():
        cells = [float(row.locator(f".v-{k}").get_attribute("data-value")) for k in ["a", "b"]]
        diff = float(row.locator(".v-difference").get_attribute("data-value"))
        rows[row.get_attribute("data-outcome")] = (*cells, diff)
    return rows


def _same(x, y):
    return (math.isnan(x) and math.isnan(y)) or math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-12)


def test_compare_charts_summary_refusal_export(page, dashboard_url, tmp_path, export_file):
    _open(page, dashboard_url)
    # Units and allowed ranges from param_infos() are on the form; the input knows its bounds.
    assert (
        "allowed 0 to 100 (requests per unit per tick)"
        in page.locator(".field-request_rate").inner_text()
    )
    assert _field(page, "request_rate").get_attribute("max") == "100.0"
    assert _field(page, "request_rate").get_attribute("type") == "number"

    # A smaller run keeps the test quick; both structures on seed 3.
    _set(page, "steps", 600)  # above the 550-tick warm-up
    _set(page, "seed", 3)
    first = _run(page)
    assert first < FIRST_POINT_LIMIT, f"first chart point after {first:.2f} s"
    for chart in (
        "lead-time",
        "value",
        "trust",
        "exec-utilisation",
        "exec-exhaustion",
        "incidents",
        "debt",
    ):
        box = page.locator(f".chart-{chart}")
        assert int(box.locator("svg").get_attribute("data-points")) > 0, chart
        assert box.locator(".chart-ticks").get_attribute("data-ticks") == "600"
    before = _card(page)
    assert set(before) >= {"lead_time_change_mean", "value_delivered", "business_trust_mean"}
    svg_before = page.locator(".chart-lead-time svg").inner_html()

    # Change a parameter: the summary and the charts change with it.
    _set(page, "request_rate", 1.2)
    _run_again = _run(page)
    assert _run_again < FIRST_POINT_LIMIT
    after = _card(page)
    assert after != before
    assert page.locator(".chart-lead-time svg").inner_html() != svg_before

    # Export the set-up inside results/; the file validates and reruns to the card's numbers.
    target = export_file
    relative = str(target.relative_to(ROOT))
    assert _export(page, relative) == str(target.resolve())
    assert validate_file(target) == "scenario"
    # A path outside results/ is refused, and nothing is written there.
    outside = tmp_path / "outside.toml"
    assert "is outside results/" in _export(page, str(outside))
    assert "is outside results/" in _export(page, "results/../escaped.toml")
    assert not outside.exists() and not (ROOT / "escaped.toml").exists()
    # An existing file is replaced only on a second press.
    target.write_text("# keep me\n")
    assert "exists: press Export again to replace it" in _export(page, relative)
    assert target.read_text() == "# keep me\n"
    page.locator(".export-button").click()
    page.wait_for_function(
        "t => document.querySelector('.export-path').innerText.trim() === t",
        arg=str(target.resolve()),
        timeout=10_000,
    )
    assert validate_file(target) == "scenario"
    # The card is replication 0 of master seed 3, as `itlead compare-structures --scenario FILE
    # --seeds 1 --master-seed 3` runs it; `itlead run FILE --seed S` with that replication's
    # seed gives the same numbers.
    reference, other = "single_cio", "cio_cto_split"
    runs = paired_replications(target, (reference, other), replications=1, master_seed=3)
    rows = runs.set_index("structure")
    a = sim.run(str(target), structure=reference, seed=int(rows.at[reference, "seed"])).summary
    b = sim.run(str(target), structure=other, seed=int(rows.at[other, "seed"])).summary
    a, b = a.iloc[0], b.iloc[0]
    for outcome, (va, vb, diff) in after.items():
        assert _same(va, float(rows.at[reference, outcome])), outcome
        assert _same(vb, float(rows.at[other, outcome])), outcome
        assert _same(va, float(a[outcome])), outcome
        assert _same(vb, float(b[outcome])), outcome
        assert _same(diff, float(b[outcome]) - float(a[outcome])), outcome

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # An out-of-range value is refused in the form: error text with the range, Run disabled.
    _set(page, "request_rate", 500)
    errors = page.locator(".form-errors")
    errors.wait_for(timeout=10_000)
    assert "request_rate: 500 is out of range; allowed 0 to 100" in errors.inner_text()
    assert "allowed 0 to 100" in page.locator(".field-request_rate").inner_text()
    assert page.locator(".run-button").is_disabled()
    assert page.locator(".export-button").is_disabled()
    _set(page, "request_rate", 0.85)
    errors.wait_for(state="detached", timeout=10_000)
    assert page.locator(".run-button").is_enabled()


def test_several_seeds_show_paired_comparison(page, dashboard_url, export_file):
    _open(page, dashboard_url)
    _set(page, "steps", 580)
    _set(page, "seeds", 3)
    _run(page)
    card = page.locator(".summary-card")
    seeds = re.search(r"over (\d+) seeds", card.inner_text())
    assert seeds and int(seeds.group(1)) == 3
    master_seed = int(_field(page, "seed").input_value())
    # Export the set-up and rerun its three seeds here: the card is their paired comparison.
    target = export_file
    assert _export(page, str(target.relative_to(ROOT))) == str(target.resolve())
    reference, other = "single_cio", "cio_cto_split"
    runs = paired_replications(target, (reference, other), replications=3, master_seed=master_seed)
    wide = {s: runs[runs["structure"] == s].set_index("replication") for s in (reference, other)}
    assert len(wide[reference]) == len(wide[other]) == 3  # one run per seed and structure
    shown = _card(page)
    assert set(shown) >= {"value_delivered", "business_trust_mean"}
    for outcome, (va, vb, diff) in shown.items():
        a, b = wide[reference][outcome], wide[other][outcome]
        if a.isna().any() or b.isna().any():
            continue  # an outcome with nothing to measure in some run
        assert math.isclose(va, float(a.mean()), rel_tol=1e-9, abs_tol=1e-12), outcome
        assert math.isclose(vb, float(b.mean()), rel_tol=1e-9, abs_tol=1e-12), outcome
        assert math.isclose(diff, float((b - a).mean()), rel_tol=1e-9, abs_tol=1e-12), outcome
    # Every row's 95% interval holds its mean difference (shown to 4 significant figures).
    rows = card.locator("tr[data-outcome]").all()
    assert card.locator(".v-ci").count() == len(rows) == len(shown)
    for row in rows:
        numbers = re.findall(r"-?[\d.]+(?:e[-+]?\d+)?", row.locator(".v-ci").inner_text())
        if len(numbers) != 2:
            continue  # "–": no interval for an outcome with nothing to measure
        low, high = (float(x) for x in numbers)
        diff = float(row.locator(".v-difference").get_attribute("data-value"))
        slack = 1e-3 * max(abs(low), abs(high), 1e-12)
        assert low - slack <= diff <= high + slack, row.get_attribute("data-outcome")
