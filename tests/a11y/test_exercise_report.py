"""WCAG 2.2 AA of the exercise's after-action report (with its timeline figure, lessons and
follow-ups), opened from disk in headless Chromium as an auditor would open it."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest

from magento_ir import set_testing
from magento_ir.exercise import ExerciseOptions, run_exercise
from magento_ir.exercise.plot import timeline
from magento_ir.exercise.report import FollowUp, Lesson, after_action

if TYPE_CHECKING:
    from pathlib import Path

    from tests.a11y.browser import Browser


@pytest.fixture(scope="module")
def report_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real automated run (about 10 s: a sandbox and a drill) with a lesson and a follow-up."""
    folder = tmp_path_factory.mktemp("exercise-a11y")
    set_testing(True)
    try:
        run = run_exercise(
            "hr_data_breach",
            ExerciseOptions(out=folder, products=20, customers=20, orders=10),
        )
    finally:
        set_testing(False)
    document = after_action(
        run,
        lessons=(Lesson("HR found the export before the watcher did", "Sam", "2026-12-06", 90),),
        followups=(FollowUp("F1", "Watch the HR portal", "Dana", date(2027, 1, 15), "", 91),),
        plot=timeline(run),
    )
    page = folder / "after-action-report.html"
    page.write_text(document.to_html(), encoding="utf-8")
    return page


@pytest.mark.tools
def test_after_action_report_has_no_wcag_violations(
    browser: Browser, axe_source: str, report_page: Path
) -> None:
    """No axe-core WCAG 2.0/2.1/2.2 A or AA violation; the figure has its text alternative."""
    browser.devtools("Emulation.clearDeviceMetricsOverride")
    browser.get(report_page.as_uri())
    assert browser.run("return document.documentElement.lang") == "en"
    assert browser.run("return document.querySelectorAll('h1').length") == 1
    alt = browser.run("return document.querySelector('figure img').alt")
    assert alt.startswith("Timeline of exercise")
    assert browser.axe_violations(axe_source) == []


@pytest.mark.tools
def test_after_action_report_reflows_at_320_css_pixels(
    browser: Browser, axe_source: str, report_page: Path
) -> None:
    """At 320 CSS px nothing scrolls sideways (the figure shrinks, tables scroll in place)."""
    with browser.viewport(320):
        browser.get(report_page.as_uri())
        widths = browser.page_widths()
        violations = browser.axe_violations(axe_source)
    assert widths[0] <= widths[1] <= 320
    assert violations == []
