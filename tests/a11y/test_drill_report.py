"""WCAG 2.2 AA of the drill's HTML report, opened from disk in headless Chromium as an auditor
would open it (no server, no network)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from magento_ir import set_testing
from magento_ir.drill import DrillOptions, Section, Table, Text, run_drill

if TYPE_CHECKING:
    from pathlib import Path

    from tests.a11y.browser import Browser


@pytest.fixture(scope="module")
def report_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A failed drill (no module: blocked steps, errors, FAILED checks) with an added section."""
    set_testing(True)
    try:
        directory = tmp_path_factory.mktemp("drill-a11y")
        report = run_drill(
            DrillOptions(
                products=20, customers=20, orders=10, latency="0", with_module=False,
                report_dir=directory,
            )
        )  # fmt: skip
    finally:
        set_testing(False)
    assert not report.ok
    report = report.with_section(
        Section("extra", "An added section", (Text(("Text.",)), Table(("A", "B"), (("1", "2"),))))
    )
    return report.write(directory).html.as_uri()


@pytest.mark.tools
def test_drill_report_has_no_wcag_violations(
    browser: Browser, axe_source: str, report_page: str
) -> None:
    """axe-core finds no WCAG 2.0/2.1/2.2 A or AA violation on drill-report.html."""
    browser.devtools("Emulation.clearDeviceMetricsOverride")
    browser.get(report_page)
    assert browser.run("return document.documentElement.lang") == "en"
    assert browser.run("return document.querySelectorAll('h1').length") == 1
    assert browser.run("return document.querySelectorAll('main').length") == 1
    assert browser.axe_violations(axe_source) == []


@pytest.mark.tools
def test_drill_report_reflows_at_320_css_pixels(
    browser: Browser, axe_source: str, report_page: str, tmp_path: Path
) -> None:
    """At 320 CSS px the page does not scroll sideways (wide tables scroll in their own
    keyboard-reachable region), and still has no violation."""
    with browser.viewport(320):
        browser.get(report_page)
        widths = browser.page_widths()
        browser.screenshot(tmp_path / "drill-report-320.png")
        violations = browser.axe_violations(axe_source)
    # clientWidth is 320 less the vertical scrollbar of a long page.
    assert widths[0] <= widths[1] <= 320
    assert violations == []
