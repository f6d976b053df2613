"""WCAG 2.2 AA of the procedures page (`magento-ir procedures render --format html`), opened
from disk in headless Chromium, with a contact list so every section has its tables."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from magento_ir.exercise.procedures import load_sources, procedures

if TYPE_CHECKING:
    from tests.a11y.browser import Browser

CONTACTS = (
    Path(str(resources.files("magento_ir"))) / "notify" / "examples" / "contacts.example.toml"
)


@pytest.mark.tools
def test_procedures_page_has_no_wcag_violations(
    browser: Browser, axe_source: str, tmp_path: Path
) -> None:
    """axe-core finds no WCAG 2.0/2.1/2.2 A or AA violation; one h1, one main, lang set."""
    page = tmp_path / "procedures.html"
    document = procedures(load_sources(contacts=CONTACTS), as_of=date(2027, 6, 1))
    page.write_text(document.to_html(), encoding="utf-8")
    browser.devtools("Emulation.clearDeviceMetricsOverride")
    browser.get(page.as_uri())
    assert browser.run("return document.documentElement.lang") == "en"
    assert browser.run("return document.querySelectorAll('h1').length") == 1
    assert browser.run("return document.querySelectorAll('h3').length") >= 5
    assert browser.axe_violations(axe_source) == []
