"""WCAG 2.2 AA of the breach register's HTML export, opened from disk in headless Chromium."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from magento_ir.notify.register import Decision, RegisterEntry, register_html

if TYPE_CHECKING:
    from pathlib import Path

    from tests.a11y.browser import Browser

AT = datetime(2026, 6, 3, 10, tzinfo=UTC)


def _entry() -> RegisterEntry:
    return RegisterEntry(
        journal="/var/incidents/IR-7/incident-journal.log",
        incident_id="IR-7",
        title="Payroll export <leaked>",
        detected_at="2026-06-03T10:00:00+00:00",
        awareness="2026-06-01T16:00:00+00:00",
        assessments=(),
        people=3,
        by_jurisdiction={"DE": 1, "US-VA": 2},
        by_category={"contact": 3, "hr.payroll": 3},
        decisions=(
            Decision(
                question_id="eu-gdpr/art33-unlikely-risk",
                answer=False,
                by="Dana (DPO)",
                why="salaries of staff; phishing risk",
                at=AT,
            ),
        ),
        obligations=(
            {
                "key": "eu-gdpr/art33-authority/DE",
                "recipient": "Competent supervisory authority",
                "jurisdiction": "DE",
                "affected": 1,
                "deadline": "2026-06-04T16:00:00+00:00",
                "deadline_text": "within 72 hours of becoming aware",
                "citation": "Regulation (EU) 2016/679 (GDPR) Art 33",
                "why": ["DE: 1 employees, contact, hr.payroll", "+ 72 elapsed hours"],
            },
        ),
        open_questions=({"question_id": "eu-gdpr/art34-high-risk", "key": "k", "text": "High?"},),
        reasoning_at=AT.isoformat(),
        sent=(),
        records=12,
    )


@pytest.mark.tools
def test_register_page_has_no_wcag_violations(
    browser: Browser, axe_source: str, tmp_path: Path
) -> None:
    """axe-core finds no WCAG 2.0/2.1/2.2 A or AA violation, in light mode and at 320 px."""
    page = tmp_path / "register.html"
    page.write_text(register_html([_entry(), _entry()], generated_at=AT), encoding="utf-8")
    browser.devtools("Emulation.clearDeviceMetricsOverride")
    browser.get(page.as_uri())
    assert browser.run("return document.documentElement.lang") == "en"
    assert browser.run("return document.querySelectorAll('h1').length") == 1
    assert browser.axe_violations(axe_source) == []
    with browser.viewport(320):
        browser.get(page.as_uri())
        widths = browser.page_widths()
        violations = browser.axe_violations(axe_source)
    assert widths[0] <= widths[1] <= 320
    assert violations == []
