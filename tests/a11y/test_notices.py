"""WCAG 2.2 AA of every rendered notice (each kind, each language), opened from disk in headless
Chromium as a mail client's HTML view: axe-core in light and dark mode, 200% zoom and 320 px
reflow without sideways scrolling, and no meaning carried by colour or pixel font sizes."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

import pytest

from tests.notify.drafting import all_drafts

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from magento_ir.notify.drafts import Draft
    from tests.a11y.browser import Browser

HTML_DRAFTS = [d for d in all_drafts() if "text/html" in d.parts]
PAGE = """
return {
  lang: document.documentElement.lang,
  title: document.title,
  h1: document.querySelectorAll('h1').length,
  h2: document.querySelectorAll('h2').length,
  main: document.querySelectorAll('main').length,
  widths: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
  fontPx: parseFloat(getComputedStyle(document.body).fontSize),
  background: getComputedStyle(document.body).backgroundColor,
  links: Array.from(document.links).map(a => [a.textContent.trim(), a.href]),
};
"""


def _dark(browser: Browser, *, on: bool) -> None:
    value = "dark" if on else "light"
    browser.devtools(
        "Emulation.setEmulatedMedia", features=[{"name": "prefers-color-scheme", "value": value}]
    )


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("notices")
    found = {}
    for draft in HTML_DRAFTS:
        path = folder / f"{draft.file_stem}.html"
        path.write_text(draft.parts["text/html"], encoding="utf-8")
        found[draft.draft_id] = path.as_uri()
    return found


def test_styles_use_relative_sizes_and_allow_zoom() -> None:
    """Text sizes in em/rem/% (200% text zoom works), no user-scalable=no, a dark scheme."""
    for draft in HTML_DRAFTS:
        html = draft.parts["text/html"]
        assert not re.search(r"font-size:\s*[\d.]+px", html), draft.draft_id
        assert "user-scalable" not in html
        assert "prefers-color-scheme: dark" in html
        assert 'name="color-scheme" content="light dark"' in html


@pytest.mark.tools
@pytest.mark.parametrize("draft", HTML_DRAFTS, ids=lambda d: d.draft_id)
def test_notice_has_no_wcag_violations(
    browser: Browser, axe_source: str, pages: dict[str, str], draft: Draft, tmp_path: Path
) -> None:
    """axe-core: no WCAG 2.x A/AA violation in light or dark mode, at desktop width, at 200%
    zoom (640 CSS px on a 1280 px window) and at 320 px; lang, h1, headings, main; links say
    where they go."""
    page = pages[draft.draft_id]
    results = {}
    try:
        for name, width, scale, dark in (
            ("desktop", 1280, 1, False),
            ("dark", 1280, 1, True),
            ("zoom-200", 640, 2, False),
            ("reflow-320-dark", 320, 1, True),
        ):
            browser.devtools(
                "Emulation.setDeviceMetricsOverride",
                width=width, height=800, deviceScaleFactor=scale, mobile=False,
            )  # fmt: skip
            _dark(browser, on=dark)
            browser.get(page)
            state = browser.run(PAGE)
            results[name] = (state, browser.axe_violations(axe_source))
        browser.screenshot(tmp_path / f"{draft.file_stem}.png")
    finally:
        _dark(browser, on=False)
        browser.devtools("Emulation.clearDeviceMetricsOverride")
    for name, (state, violations) in results.items():
        assert violations == [], name
        assert state["lang"] == draft.locale
        assert state["title"] == draft.subject
        assert (state["h1"], state["main"]) == (1, 1)
        assert state["h2"] >= 3
        scroll, client = state["widths"]
        assert scroll <= client, f"{name}: scrolls sideways ({scroll} > {client})"
        assert state["fontPx"] >= 16
        dark = name.endswith("dark")
        assert state["background"] == ("rgb(18, 18, 18)" if dark else "rgb(255, 255, 255)")
        for text, href in state["links"]:
            assert text
            assert text.lower() not in {"here", "click here", "link", "more"}
            if href.startswith("mailto:"):
                assert href.removeprefix("mailto:") in text
            else:
                host = href.split("/")[2]
                assert host in text, (text, href)


def _submit(browser: Browser, choice: str) -> None:
    """Choose and submit like a user, then wait for the answer page to load."""
    browser.run(
        "window.beforeSubmit = true;"
        f"document.getElementById('decision-{choice}').checked = true;"
        "document.querySelector('form').submit();"
    )
    deadline = time.monotonic() + 20
    while browser.run("return window.beforeSubmit === true || document.readyState !== 'complete'"):
        assert time.monotonic() < deadline, "the decision page did not load"
        time.sleep(0.05)


@pytest.fixture
def approval_url(tmp_path: Path) -> Iterator[str]:
    from magento_ir.evidence import EvidenceLog, SigningKey  # noqa: PLC0415
    from magento_ir.notify.approval_web import ApprovalServer  # noqa: PLC0415

    notice = next(d for d in HTML_DRAFTS if d.kind == "us-state-notice")
    paths = [notice.save(tmp_path)]
    key = SigningKey.generate("magento-ir-test")
    with (
        EvidenceLog.open(tmp_path / "journal.log", key=key) as log,
        ApprovalServer(paths, log=log, approver="Dana DPO", role="dpo") as server,
    ):
        yield server.url


@pytest.mark.tools
def test_approval_page_has_no_wcag_violations(
    browser: Browser, axe_source: str, approval_url: str
) -> None:
    """The index, the draft page and the page after a refused and an accepted decision: no
    axe-core violation in light and dark mode, at desktop width and at 320 px."""
    seen = {}
    try:
        for width, dark in ((1280, False), (320, True)):
            browser.devtools(
                "Emulation.setDeviceMetricsOverride",
                width=width, height=800, deviceScaleFactor=1, mobile=False,
            )  # fmt: skip
            _dark(browser, on=dark)
            browser.get(approval_url)
            seen[f"index-{width}"] = (browser.run(PAGE), browser.axe_violations(axe_source))
            browser.get(f"{approval_url}draft/1")
            seen[f"draft-{width}"] = (browser.run(PAGE), browser.axe_violations(axe_source))
            # The style sheet is allowed by the page's CSP hash (else the browser drops it).
            button = "return getComputedStyle(document.querySelector('button')).backgroundColor"
            assert browser.run(button) == ("rgb(158, 193, 255)" if dark else "rgb(11, 87, 208)")
            # Reject without a reason: the error page (role=alert) must be accessible too.
            _submit(browser, "reject")
            seen[f"error-{width}"] = (browser.run(PAGE), browser.axe_violations(axe_source))
            assert browser.run("return document.querySelectorAll('[role=alert]').length") == 1
        _submit(browser, "approve")
        seen["recorded"] = (browser.run(PAGE), browser.axe_violations(axe_source))
        assert "you approved this version" in browser.run("return document.body.textContent")
    finally:
        _dark(browser, on=False)
        browser.devtools("Emulation.clearDeviceMetricsOverride")
    for name, (state, violations) in seen.items():
        assert violations == [], name
        assert state["lang"] == "en"
        assert state["h1"] == 1
        assert state["main"] == 1
        scroll, client = state["widths"]
        assert scroll <= client, name
