"""WCAG 2.2 AA of the module's 503 page and the storefront home, checked in headless Chromium."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest

from tests.a11y.browser import AXE_VERSION
from tests.conftest import REPO_ROOT

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.sandbox import Sandbox
    from tests.a11y.browser import Browser


XSS = 'Back soon <img src=x onerror="window.pwned=1"><script>window.pwned=2</script> & more'
STRUCTURE = """
return {
  lang: document.documentElement.lang,
  title: document.title,
  h1: document.querySelectorAll('h1').length,
  main: document.querySelectorAll('main, [role=main]').length,
  banner: document.querySelectorAll('body > header, [role=banner]').length,
  contentinfo: document.querySelectorAll('body > footer, [role=contentinfo]').length,
  refresh: document.querySelectorAll('meta[http-equiv=refresh i]').length,
  scripts: document.querySelectorAll('script').length,
  pwned: window.pwned === undefined ? null : window.pwned,
  message: (document.querySelector('.message') || {}).textContent,
  help: Array.from(document.querySelectorAll('a[href^="mailto:"]')).map(a => a.textContent),
};
"""


def close_shop(sandbox: Sandbox, base_url: str, message: str) -> None:
    token = sandbox.admin_token()
    response = httpx.put(
        f"{base_url}/rest/V1/incident-response/maintenance",
        headers={"Authorization": f"Bearer {token}"},
        json={"mode": "storefront", "reason": "a11y", "message": message, "retryAfter": 900},
    )
    assert response.status_code == 200, response.text


@pytest.fixture
def closed(served: tuple[Sandbox, str]) -> str:
    sandbox, base_url = served
    close_shop(sandbox, base_url, XSS)
    return base_url


def test_maintenance_page_is_served_with_retry_after(closed: str) -> None:
    """Over real HTTP the closed shop answers 503 with Retry-After (the page under test)."""
    response = httpx.get(f"{closed}/")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "900"


@pytest.mark.tools
def test_maintenance_page_has_no_wcag_violations(
    browser: Browser, axe_source: str, closed: str, tmp_path: Path
) -> None:
    """axe-core finds no WCAG 2.0/2.1/2.2 A or AA violation on the module's 503 page."""
    browser.devtools("Emulation.clearDeviceMetricsOverride")
    browser.get(f"{closed}/")
    browser.screenshot(tmp_path / "maintenance.png")
    assert browser.axe_violations(axe_source) == []


@pytest.mark.tools
def test_maintenance_page_structure_and_escaping(browser: Browser, closed: str) -> None:
    """lang, a title, one h1, landmarks, no refresh, a way to get help; the XSS stays text."""
    browser.get(f"{closed}/")
    page = browser.run(STRUCTURE)
    assert page["lang"] == "en-US"
    assert "Luma & Co" in page["title"]
    assert (page["h1"], page["main"], page["banner"], page["contentinfo"]) == (1, 1, 1, 1)
    assert page["refresh"] == 0
    assert page["scripts"] == 0
    assert page["pwned"] is None
    assert page["message"] == XSS
    assert page["help"] == ["help@example.com"]


@pytest.mark.tools
def test_maintenance_page_reflows_at_320_css_pixels(
    browser: Browser, closed: str, tmp_path: Path
) -> None:
    """At 320 CSS px wide (400% zoom of 1280) nothing scrolls sideways."""
    with browser.viewport(320):
        browser.get(f"{closed}/")
        widths = browser.page_widths()
        browser.screenshot(tmp_path / "maintenance-320.png")
    assert widths[0] <= widths[1] == 320


@pytest.mark.tools
def test_maintenance_page_works_without_javascript(browser: Browser, closed: str) -> None:
    """With JavaScript switched off the page still says what happened and when to come back."""
    browser.devtools("Emulation.setScriptExecutionDisabled", value=True)
    try:
        browser.get(f"{closed}/")
        dom = browser.outer_html()
    finally:
        browser.devtools("Emulation.setScriptExecutionDisabled", value=False)
    assert "<h1>We will be back soon</h1>" in dom
    assert "Please try again in about 15 minutes." in dom
    assert "&lt;script&gt;window.pwned=2&lt;/script&gt;" in dom


@pytest.mark.tools
def test_storefront_home_has_no_wcag_violations(
    browser: Browser, axe_source: str, served: tuple[Sandbox, str]
) -> None:
    """The open shop's home page has no WCAG 2.x A/AA violation either."""
    sandbox, base_url = served
    token = sandbox.admin_token()
    httpx.put(
        f"{base_url}/rest/V1/incident-response/maintenance",
        headers={"Authorization": f"Bearer {token}"},
        json={"mode": "off", "reason": "a11y"},
    ).raise_for_status()
    browser.get(f"{base_url}/")
    assert browser.run("return document.querySelectorAll('h1').length") == 1
    assert browser.axe_violations(axe_source) == []


@pytest.mark.tools
def test_axe_flags_magentos_own_503_page(
    browser: Browser, axe_source: str, served: tuple[Sandbox, str]
) -> None:
    """The check can fail: Magento's pub/errors 503 page (no lang) has violations."""
    sandbox, base_url = served
    with sandbox.lock:
        sandbox.state.maintenance = True
    try:
        browser.get(f"{base_url}/")
        violations = browser.axe_violations(axe_source)
    finally:
        with sandbox.lock:
            sandbox.state.maintenance = False
    assert "html-has-lang" in {violation["id"] for violation in violations}


@pytest.mark.parametrize("pin", [f"axe-core-{AXE_VERSION}", f"axe-core@{AXE_VERSION}"])
def test_ci_installs_the_pinned_axe_core(pin: str) -> None:
    """.ci/run installs exactly the axe-core version the tests look for."""
    assert pin in (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
