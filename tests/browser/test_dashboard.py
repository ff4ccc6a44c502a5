"""The dashboard in a real browser: inputs, the stale mark, the answer, charts, downloads, controls.

Each test drives the page as a strategist would and checks what the page shows against what the
project's own runner gives for the files the page lets them download.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from sim.config.loaders import validate_file
from sim.experiments.replicate import paired_replications

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "results" / "dashboard"
CHARTS = (
    "lead-time",
    "value",
    "trust",
    "exec-utilisation",
    "exec-exhaustion",
    "incidents",
    "debt",
)
STEPS, WARMUP, SEEDS = 300, 60, 10  # a short run that still has enough pairs for a verdict


def _field(page, name):
    return page.locator(f".field-{name.replace('.', '-')} input")


def _set(page, name, value):
    box = _field(page, name)
    box.fill(str(value))
    box.blur()


def _open(page, url, width=1400, height=1000):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(url)
    page.locator(".run-button").wait_for(timeout=60_000)


def _run_number(page) -> int:
    found = re.search(r"\brun-(\d+)\b", page.locator(".run-status").get_attribute("class"))
    return int(found.group(1))


def _run(page):
    """Press Run and wait until this run (told apart from the last by its number) is done."""
    this_run = f".run-status.run-{_run_number(page) + 1}"
    page.locator(".run-button").click()
    page.locator(f"{this_run}.status-done").wait_for(timeout=120_000)


def _short_run(page, seeds=SEEDS, seed=3):
    _set(page, "steps", STEPS)
    _set(page, "warmup", WARMUP)
    _set(page, "seeds", seeds)
    _set(page, "seed", seed)


def _download(page, css, folder: Path) -> Path:
    """Click the download link ``css``; the file the browser saved."""
    with page.expect_download(timeout=30_000) as info:
        page.locator(f".{css}").click()
    download = info.value
    target = folder / download.suggested_filename
    download.save_as(target)
    return target


def test_answer_charts_stale_mark_and_downloads_that_rerun(page, dashboard_url, tmp_path):
    _open(page, dashboard_url)
    # Inputs in words, with one-line help, unit and allowed range from the parameter table.
    field = page.locator(".field-request_rate").inner_text()
    assert "Requests per business unit" in field
    assert "Poisson rate of new requests" in field
    assert "Allowed 0 to 100 requests per unit per tick" in field
    assert _field(page, "request_rate").get_attribute("max") == "100.0"
    # No label of the set-up is cut off (Vuetify cuts a label its box cannot hold).
    cut = page.evaluate(
        """() => [...document.querySelectorAll('.setup-card label')]
            .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
            .map(e => e.innerText)"""
    )
    assert cut == []
    assert page.locator(".setup-card label").count() > 20
    # Before any run: the structures are drawn, there is no answer and nothing is stale.
    page.locator(".structure-picture-b svg").wait_for(timeout=30_000)
    assert page.locator(".structure-picture svg").count() == 2
    assert page.locator(".answer-card").count() == 0

    _short_run(page)
    assert page.locator(".stale-mark").count() == 0
    _run(page)
    # The answer comes first, in words, with its rule; then the structures and the charts.
    answer = page.locator(".answer-card")
    # the card's text comes in its own widget update, after the card: wait for the text
    page.locator(".answer-card .rule").wait_for(timeout=30_000)
    assert f"({SEEDS} paired runs" in answer.inner_text()
    assert "at least 10 paired runs" in page.locator(".answer-card .rule").inner_text()
    charts_top = page.locator(".chart-lead-time").bounding_box()["y"]
    assert answer.bounding_box()["y"] < page.locator(".structure-pictures").bounding_box()["y"]
    assert page.locator(".structure-pictures").bounding_box()["y"] < charts_top
    for chart in CHARTS:  # each drawn over all the seeds (a widget's update comes on its own)
        img = page.locator(f'.chart-{chart} img.chart-img[data-seeds="{SEEDS}"]')
        img.wait_for(timeout=30_000)
        assert img.get_attribute("data-ticks") == str(STEPS), chart
        assert page.evaluate("i => i.naturalWidth", img.element_handle()) > 400, chart
    # The page scrolls inside Solara's own container: a tall window shows all of it at once.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 2900})
    page.wait_for_timeout(500)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-1400.png"))
    page.set_viewport_size({"width": 1280, "height": 800})
    page.wait_for_timeout(500)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-1280x800.png"))
    page.set_viewport_size({"width": 1400, "height": 1000})

    # The downloads: the set-up's files and the run's tables, made in the browser.
    scenario = _download(page, "download-scenario", tmp_path)
    structure_a = _download(page, "download-structure-a", tmp_path)
    structure_b = _download(page, "download-structure-b", tmp_path)
    runs_csv = _download(page, "download-runs", tmp_path)
    comparison_csv = _download(page, "download-comparison", tmp_path)
    assert validate_file(scenario) == "scenario"
    assert validate_file(structure_a) == validate_file(structure_b) == "structure"
    assert (structure_a.stem, structure_b.stem) == ("single_cio", "cio_cto_split")
    shown = pd.read_csv(runs_csv)
    assert len(shown) == 2 * SEEDS
    assert len(pd.read_csv(comparison_csv)) > 0
    # They rerun to the same numbers, as the rerun command the page prints says.
    assert "--seeds 10 --master-seed 3" in page.locator(".rerun-command").inner_text()
    again = paired_replications(
        scenario, [str(structure_a), str(structure_b)], replications=SEEDS, master_seed=3
    )
    for column in ("seed", "value_delivered", "business_trust_mean", "lead_time_change_mean"):
        assert list(shown[column]) == list(again[column]), column

    # Any change of an input marks the results out of date, until the next run.
    _set(page, "request_rate", 1.2)
    stale = page.locator(".stale-mark")
    stale.wait_for(timeout=10_000)
    assert "Out of date" in stale.inner_text()
    assert page.locator(".charts").evaluate("e => getComputedStyle(e).opacity") == "0.45"
    _run(page)
    stale.wait_for(state="detached", timeout=10_000)

    # An out-of-range value is refused in words naming the field and the range; no run.
    _set(page, "request_rate", 500)
    errors = page.locator(".form-errors")
    errors.wait_for(timeout=10_000)
    assert "(request_rate): 500 is out of range; allowed 0 to 100" in errors.inner_text()
    assert page.locator(".run-button").is_disabled()
    assert page.locator(".download-scenario").count() == 0
    _set(page, "request_rate", 0.8)
    errors.wait_for(state="detached", timeout=10_000)
    assert page.locator(".run-button").is_enabled()


def test_step_pause_stop_and_reset_as_in_solaraviz(page, dashboard_url):
    _open(page, dashboard_url)
    _set(page, "seeds", 30)  # 1300 ticks each: long enough to pause while it runs
    status = page.locator(".run-status")
    # Step on an idle page runs one increment, then holds.
    page.locator(".step-button").click()
    page.locator(".run-status.status-paused").wait_for(timeout=30_000)
    assert "seed 1 of 30, tick 25 of 1300" in status.inner_text()
    page.locator(".step-button").click()
    page.wait_for_function(
        "() => document.querySelector('.run-status').innerText.includes('tick 50 of')",
        timeout=30_000,
    )
    assert page.locator(".run-button").is_disabled()  # one run at a time
    # Resume runs it on; Pause holds it again; Stop ends it with what it finished.
    page.locator(".resume-button").click()
    page.locator(".pause-button").click()
    page.locator(".run-status.status-paused").wait_for(timeout=30_000)
    page.locator(".stop-button").click()
    page.locator(".run-status.status-stopped").wait_for(timeout=30_000)
    assert "stopped after" in status.inner_text()
    # Reset clears the results; Run then runs the whole set-up.
    page.locator(".reset-button").click()
    page.locator(".run-status.status-idle").wait_for(timeout=30_000)
    # (each widget's update arrives on its own: wait for the charts' too)
    page.locator(".chart img.chart-img").first.wait_for(state="detached", timeout=30_000)
    assert page.locator(".chart img.chart-img").count() == 0
    _short_run(page, seeds=2)
    _run(page)
    assert "finished 2 seed(s)" in status.inner_text()


def test_structure_numbers_are_editable_and_reach_the_download(page, dashboard_url, tmp_path):
    _open(page, dashboard_url)
    page.locator(".numbers-toggle-b").click()
    _set(page, "b.roles.CTO.attention_hours", 30)
    errors = page.locator(".form-errors")
    errors.wait_for(timeout=10_000)
    assert "(structure.roles.CTO.attention_hours): 30 is out of range" in errors.inner_text()
    _set(page, "b.roles.CTO.attention_hours", 7.5)
    errors.wait_for(state="detached", timeout=10_000)
    structure_b = _download(page, "download-structure-b", tmp_path)
    assert validate_file(structure_b) == "structure"
    roles = tomllib.loads(structure_b.read_text())["roles"]
    assert roles["CTO"]["attention_hours"] == 7.5
    assert roles["CIO"]["attention_hours"] == 9.0  # the rest as the shipped file has it
    # An organisation preset fills in the sizes.
    page.locator(".select-preset").click()
    page.get_by_text("large (24 units, 36 teams)").click()
    page.wait_for_function(
        "() => document.querySelector('.field-n_business_units input').value === '24'",
        timeout=10_000,
    )
