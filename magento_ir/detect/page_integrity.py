"""Payment-page integrity (PCI DSS 6.4.3 script inventory, 11.6.1 tamper detection).

`take_inventory(driver, url)` reads the payment page as the shopper's browser received it: every
script element (its `src` origin, its `integrity` attribute, the SHA-256 of its content:
inline text, or the bytes fetched from a same-origin `src`), every script the page loaded
(the browser's resource timing, which also sees scripts injected and removed again), and the
security headers of the page's own response (`Content-Security-Policy` and friends). `driver`
is anything with `get(url)` and `run_async(script)` (a WebDriver session on headless Chromium;
the tests use tests/a11y/browser.py). `open_checkout` puts a product in the cart first, as a
shopper would, since Magento's checkout redirects an empty cart.

`compare(baseline, current)` answers findings: a new script, a script whose hash changed, a
script gone (low), and a weakened CSP (a protective directive dropped, a source added to one,
the header dropped or turned report-only). `record_baseline` keeps the inventory in the
evidence log (`detect.page_baseline`); `latest_baseline` reads the last one back.

PCI DSS 6.4.3 also asks that each script be authorized with a written justification:
`ScriptAuthorizations.load(path)` reads them from a TOML file (a source and a review date for
the file and each entry), `unjustified(inventory, authorizations)` names every script of the
page none of them covers, and the baseline record carries each script's justification.
"""

from __future__ import annotations

import datetime as dt  # noqa: TC003 - pydantic reads the annotations at run time
import hashlib
import re
import time
import tomllib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urljoin, urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from magento_ir._exceptions import ConfigurationError
from magento_ir.detect.rules import line_of
from magento_ir.detect.scan import Finding

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from contextlib import AbstractContextManager
    from pathlib import Path

    from magento_ir.detect.rules import Severity
    from magento_ir.evidence import EvidenceLog
    from magento_ir.evidence.log import Record

__all__ = [
    "PageDriver",
    "PageInventory",
    "PageScript",
    "ScriptAuthorization",
    "ScriptAuthorizations",
    "compare",
    "latest_baseline",
    "open_checkout",
    "record_baseline",
    "render_checkout",
    "take_inventory",
    "unjustified",
]

RECORD_TYPE = "detect.page_baseline"
_SOURCE = "page-integrity"
_HEADERS = (
    "content-security-policy",
    "content-security-policy-report-only",
    "x-frame-options",
    "x-content-type-options",
    "referrer-policy",
    "strict-transport-security",
)
# Directives that limit where scripts run, send data or frame from.
_PROTECTIVE = (
    "default-src",
    "script-src",
    "script-src-elem",
    "connect-src",
    "frame-src",
    "form-action",
    "object-src",
    "base-uri",
)

# In the page: script elements, resource timing, the page's own headers, same-origin sources.
_READ_PAGE = """
const done = arguments[arguments.length - 1];
(async () => {
  const headerNames = arguments[0];
  const page = await fetch(location.href, {credentials: 'same-origin', cache: 'no-store'});
  const headers = {};
  for (const name of headerNames) {
    const v = page.headers.get(name);
    if (v !== null) headers[name] = v;
  }
  const scripts = [];
  for (const el of document.querySelectorAll('script')) {
    const src = el.getAttribute('src');
    let text = null;
    if (!src) { text = el.textContent; }
    else if (new URL(src, location.href).origin === location.origin) {
      try {
        const body = await fetch(new URL(src, location.href), {credentials: 'same-origin'});
        text = await body.text();
      } catch (e) { text = null; }
    }
    scripts.push({src: src, integrity: el.getAttribute('integrity'), text: text});
  }
  const loaded = performance.getEntriesByType('resource')
    .filter(e => e.initiatorType === 'script').map(e => e.name);
  const meta = Array.from(document.querySelectorAll('meta[http-equiv="Content-Security-Policy" i]'))
    .map(m => m.getAttribute('content'));
  return {url: location.href, headers: headers, scripts: scripts, loaded: loaded, csp_meta: meta};
})().then(done, error => done({error: String(error)}));
"""

_LOADED_ELSEWHERE = (
    "return window.__magentoIrProductPage !== true && document.readyState === 'complete';"
)
_ADD_TIMEOUT = 120.0
_ADD_TO_CART = """
const form = document.querySelector('form[action*="checkout/cart/add"]');
if (!form) { return false; }
form.submit();
return true;
"""


class PageDriver(Protocol):
    def get(self, url: str) -> None: ...

    def run(self, script: str, *args: Any) -> Any: ...  # noqa: ANN401 - the page's JSON

    def run_async(self, script: str, *args: Any) -> Any: ...  # noqa: ANN401


@dataclass(frozen=True, slots=True)
class PageScript:
    """One script of the page: `src` (absolute) or None for inline, its SRI `integrity`, the
    SHA-256 of its content (None when cross-origin: the browser does not let us read it), and
    for an inline script its `shape`: the SHA-256 of its text with per-request values masked
    (what inline scripts are compared by: Magento renders form keys, quote ids, times and
    random element ids into them on every request)."""

    src: str | None
    integrity: str | None
    sha256: str | None
    shape: str | None = None

    @property
    def key(self) -> str:
        return self.src if self.src is not None else f"inline:{self.shape or self.sha256}"

    @property
    def origin(self) -> str | None:
        if self.src is None:
            return None
        parts = urlsplit(self.src)
        return f"{parts.scheme}://{parts.netloc}"

    def to_json(self) -> dict[str, Any]:
        return {"src": self.src, "origin": self.origin, "integrity": self.integrity,
                "sha256": self.sha256, "shape": self.shape}  # fmt: skip


@dataclass(frozen=True, slots=True)
class PageInventory:
    url: str
    scripts: tuple[PageScript, ...]
    loaded: tuple[str, ...]  # every script URL the page fetched (resource timing)
    headers: dict[str, str]
    csp_meta: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "scripts": [script.to_json() for script in self.scripts],
            "loaded": list(self.loaded),
            "headers": dict(self.headers),
            "csp_meta": list(self.csp_meta),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PageInventory:
        return cls(
            url=data["url"],
            scripts=tuple(
                PageScript(s["src"], s["integrity"], s["sha256"], s.get("shape"))
                for s in data["scripts"]
            ),
            loaded=tuple(data["loaded"]),
            headers=dict(data["headers"]),
            csp_meta=tuple(data.get("csp_meta", ())),
        )


def _sha256(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode()).hexdigest()


# Per-request values in Magento's inline scripts: the form key, tokens and ids with digits in
# them (masked quote ids, JWTs, SecureHtmlRenderer's random element names), then numbers.
_FORM_KEY = re.compile(r'("formKey"\s*:\s*"|form_key"?\s*[:=]\s*"?)[^"&\s]*')
_TOKEN = re.compile(r"[A-Za-z0-9_-]*(?:[0-9][A-Za-z_-]|[A-Za-z_-][0-9])[A-Za-z0-9_-]*")
_NUMBER = re.compile(r"[0-9]+")
_TOKEN_MIN = 8  # shorter ones are code (h1, utf8, base64)
# SecureHtmlRenderer's variable names: a fixed prefix and random letters and digits, 8 of them
# after `elem` (inline styles), 10 after `eventListener`/`listenedElement`. About a quarter of
# them have no digit, which _TOKEN alone would keep, so one render in four looked changed.
_RENDERED_NAME = re.compile(
    r"\b(elem)[A-Za-z0-9]{8}(?=Array\b)"
    r"|\b(eventListener|listenedElement)[A-Za-z0-9]{10}(?=Array\b|\b)"
)


def _shape(text: str) -> str:
    masked = _RENDERED_NAME.sub(lambda m: f"{m.group(1) or m.group(2)}~", text)
    masked = _FORM_KEY.sub(r"\1~", masked)
    masked = _TOKEN.sub(lambda m: "~" if len(m.group()) >= _TOKEN_MIN else m.group(), masked)
    return hashlib.sha256(_NUMBER.sub("0", masked).encode()).hexdigest()


# Magento keeps loading RequireJS modules after `load` (and fills the form key in then): go on
# once RequireJS waits for no module, jQuery for no request (customer data, shipping rates) and
# nothing new (script elements, fetched resources) has appeared for half a second, or after
# arguments[0] ms: a script whose host never answers (a skimmer's, say) keeps RequireJS waiting,
# and the page must still be inventoried with it. A module that failed (its script did not load,
# its factory threw) and the modules waiting on it, directly or not, never come: not waited for.
_SETTLE = """
const done = arguments[arguments.length - 1];
const started = Date.now(), cap = arguments[0];
const waiting = () => {
  let registry = {};
  try { registry = window.requirejs.s.contexts._.registry || {}; } catch (e) { registry = {}; }
  const ids = Object.keys(registry);
  const stuck = new Set(ids.filter(id => registry[id].error));
  for (let grown = true; grown;) {
    grown = false;
    for (const id of ids) {
      if (!stuck.has(id) && (registry[id].depMaps || []).some(dep => stuck.has(dep.id))) {
        stuck.add(id);
        grown = true;
      }
    }
  }
  return ids.length - stuck.size + ((window.jQuery && window.jQuery.active) || 0);
};
const failed = () => {
  try {
    const registry = window.requirejs.s.contexts._.registry || {};
    return Object.keys(registry).filter(id => registry[id].error).sort();
  } catch (e) { return []; }
};
// What was still awaited when the cap ended the wait: modules, and jQuery's requests.
const pending = () => {
  let registry = {};
  try { registry = window.requirejs.s.contexts._.registry || {}; } catch (e) { registry = {}; }
  const ids = Object.keys(registry).filter(id => !registry[id].error).sort();
  return (window.jQuery && window.jQuery.active) ? [...ids, 'jQuery.active'] : ids;
};
let last = -1, quiet = 0;
const timer = setInterval(() => {
  const seen = document.scripts.length + performance.getEntriesByType('resource').length;
  if (seen === last && document.readyState === 'complete' && waiting() === 0) { quiet += 1; }
  else { quiet = 0; last = seen; }
  if (quiet >= 5 || Date.now() - started > cap) {
    clearInterval(timer);
    done({settled: quiet >= 5, failed: failed(), pending: quiet >= 5 ? [] : pending()});
  }
}, 100);
"""
_SETTLE_CAP_MS = 20_000


def take_inventory(driver: PageDriver, url: str | None = None) -> PageInventory:
    """The page's scripts and security headers (navigates to `url` first when given)."""
    return _inventory(driver, url)[0]


# A RequireJS module of the store's own (a module name, not a URL) failed: the render is broken,
# and a broken render differs from a sound one. Magento 2.4.7's checkout opened first from the
# product page loses its e-mail field about one time in ten (the module throws before
# customer-data set up its storage, magento/magento2#38274); a reload in the same browser fails
# alike, a new browser mostly does not.
_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
_RENDER_ATTEMPTS = 3


def render_checkout(
    start_driver: Callable[[], AbstractContextManager[PageDriver]],
    base_url: str,
    product_path: str,
) -> PageInventory:
    """The checkout's inventory, from a new browser with the product in its cart.

    A render where one of the store's own RequireJS modules failed, or was still loading when
    the wait's cap ended it, is taken again in another new browser, up to three renders in
    all; the last is kept whatever it shows, so a change that breaks the page every time (a
    skimmer's, say) is still inventoried and compared. A module loaded from a URL (another
    host's script) failing or never answering does not count: it does so on every render."""
    for _ in range(_RENDER_ATTEMPTS - 1):
        inventory, failed = _render_once(start_driver, base_url, product_path)
        if all(_URL.match(module) for module in failed):
            return inventory
    return _render_once(start_driver, base_url, product_path)[0]


def _render_once(
    start_driver: Callable[[], AbstractContextManager[PageDriver]],
    base_url: str,
    product_path: str,
) -> tuple[PageInventory, list[str]]:
    with start_driver() as driver:
        open_checkout(driver, base_url, product_path)
        return _inventory(driver)


def _inventory(driver: PageDriver, url: str | None = None) -> tuple[PageInventory, list[str]]:
    """The page's inventory, and the RequireJS modules that failed on it or were still awaited
    when the wait's cap ended it (`jQuery.active` for requests in flight)."""
    if url is not None:
        driver.get(url)
    settled = driver.run_async(_SETTLE, _SETTLE_CAP_MS)
    # Unsound: a module failed, or the page was still loading its own when the cap came (a
    # store slow under load); another host's script that never answers is pending by design.
    failed = [str(module) for module in (*settled["failed"], *settled["pending"])]
    data = driver.run_async(_READ_PAGE, list(_HEADERS))
    if "error" in data:
        raise RuntimeError(f"reading the page's scripts failed in the browser: {data['error']}")
    page = str(data["url"])
    scripts = tuple(
        PageScript(
            urljoin(page, item["src"]) if item["src"] else None,
            item["integrity"] or None,
            _sha256(item["text"]),
            None if item["src"] or item["text"] is None else _shape(item["text"]),
        )
        for item in data["scripts"]
    )
    inventory = PageInventory(
        url=page,
        scripts=scripts,
        loaded=tuple(sorted(set(data["loaded"]))),
        headers={str(k): str(v) for k, v in data["headers"].items()},
        csp_meta=tuple(data["csp_meta"]),
    )
    return inventory, failed


def open_checkout(driver: PageDriver, base_url: str, product_path: str) -> str:
    """A product in the cart, then the checkout page (Magento redirects an empty cart)."""
    base = base_url.rstrip("/")
    driver.get(f"{base}/{product_path.lstrip('/')}")
    driver.run_async(_SETTLE, _SETTLE_CAP_MS)
    driver.run("window.__magentoIrProductPage = true;")
    if not driver.run(_ADD_TO_CART):
        raise RuntimeError(f"{product_path}: no add-to-cart form on the page (out of stock?)")
    # The form posts; Magento answers with a redirect (to the cart, or back to the product page
    # by default: checkout/cart/redirect_to_cart). Wait until another document has loaded.
    deadline = time.monotonic() + _ADD_TIMEOUT
    while driver.run(_LOADED_ELSEWHERE) is not True:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{product_path}: adding to the cart did not finish in time")
        time.sleep(0.1)
    checkout = f"{base}/checkout/"
    driver.get(checkout)
    landed = driver.run("return location.pathname;")
    if isinstance(landed, str) and "/cart" in landed:
        raise RuntimeError(
            f"{product_path}: the cart stayed empty (Magento sent the checkout back to the cart)"
        )
    return checkout


# --- comparing --------------------------------------------------------------------------------
def _policy(text: str | None) -> dict[str, set[str]]:
    directives: dict[str, set[str]] = {}
    for part in (text or "").split(";"):
        tokens = part.split()
        if tokens:
            # A nonce is new on every response (Magento_Csp sends one on checkout).
            sources = ("'nonce-*'" if t.startswith("'nonce-") else t for t in tokens[1:])
            directives.setdefault(tokens[0].lower(), set()).update(sources)
    return directives


def _finding(  # noqa: PLR0917 - a finding's parts, in Finding's order
    rule: str, title: str, severity: Severity, entity: str, snippet: str, why: str
) -> Finding:
    return Finding(
        rule=rule,
        title=title,
        severity=severity,
        entity_type="payment_page",
        entity_id=entity,
        field="scripts" if rule.startswith("page-script") else "content-security-policy",
        snippet=snippet[:160],
        why=why,
        source=_SOURCE,
    )


def _csp_findings(url: str, before: str | None, after: str | None) -> list[Finding]:
    if before is None:
        return []
    if after is None:
        return [
            _finding(
                "page-csp-weakened", "The payment page's CSP was removed", "high", url,
                before, "the Content-Security-Policy header the baseline had is gone",
            )
        ]  # fmt: skip
    old, new = _policy(before), _policy(after)
    found = []
    for directive in _PROTECTIVE:
        if directive in old and directive not in new:
            found.append(
                _finding(
                    "page-csp-weakened", f"CSP {directive} dropped", "high", url,
                    f"{directive} {' '.join(sorted(old[directive]))}",
                    f"{directive} limited the page in the baseline and is gone",
                )
            )  # fmt: skip
        elif directive in new and (added := new[directive] - old.get(directive, set())):
            if directive not in old:
                continue  # a directive that did not exist before only narrows default-src
            found.append(
                _finding(
                    "page-csp-weakened", f"CSP {directive} allows more", "high", url,
                    f"{directive} +{' '.join(sorted(added))}",
                    f"sources added to {directive} since the baseline let more scripts run or "
                    "more places receive data",
                )
            )  # fmt: skip
    return found


def compare(baseline: PageInventory, current: PageInventory) -> list[Finding]:
    """What changed on the payment page since the baseline (PCI DSS 11.6.1)."""
    url = baseline.url
    found: list[Finding] = []
    before = {script.key: script for script in baseline.scripts}
    after = {script.key: script for script in current.scripts}
    for key, script in after.items():
        old = before.get(key)
        if old is None:
            where = script.src or f"inline script sha256 {script.sha256}"
            found.append(
                _finding(
                    "page-script-added", "New script on the payment page", "high", url, where,
                    "a script not in the authorised inventory (PCI DSS 6.4.3) runs on the "
                    "payment page",
                )
            )  # fmt: skip
        elif script.src is not None and (old.sha256, old.integrity) != (
            script.sha256,
            script.integrity,
        ):
            found.append(
                _finding(
                    "page-script-changed", "A payment-page script changed", "high", url,
                    f"{key} sha256 {old.sha256} -> {script.sha256}",
                    "the script's content or integrity attribute differs from the baseline",
                )
            )  # fmt: skip
    found += [
        _finding(
            "page-script-removed", "Script gone from the payment page", "low", url, key,
            "a script of the baseline is no longer on the page (update the inventory)",
        )
        for key in sorted(set(before) - set(after))
    ]  # fmt: skip
    known = set(baseline.loaded) | {s.src for s in baseline.scripts if s.src}
    found += [
        _finding(
            "page-script-added", "New script loaded by the payment page", "high", url, src,
            "the page fetched a script the baseline never loaded (injected at run time?)",
        )
        for src in current.loaded
        if src not in known and src not in after
    ]  # fmt: skip
    headers_before = baseline.headers.get("content-security-policy")
    headers_after = current.headers.get("content-security-policy")
    found += _csp_findings(url, headers_before, headers_after)
    if headers_before is not None and headers_after is None:
        report_only = current.headers.get("content-security-policy-report-only")
        if report_only is not None:
            found[-1] = _finding(
                "page-csp-weakened", "The payment page's CSP is only reported now", "high", url,
                report_only, "Content-Security-Policy became Report-Only: nothing is enforced",
            )  # fmt: skip
    return found


# --- authorization (PCI DSS 6.4.3) ------------------------------------------------------------
class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ScriptAuthorization(_Frozen):
    """One authorized script (or family of scripts) and why it is on the payment page.

    Exactly one of: `src` (the whole URL), `src_prefix` (URLs starting with it), `origin`
    (`https://host[:port]`: any script from there), `sha256` (an inline script's content)."""

    src: str | None = None
    src_prefix: str | None = None
    origin: str | None = None
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    justification: str = Field(min_length=10)
    authorized_by: str
    last_reviewed: dt.date

    @model_validator(mode="after")
    def _one_match(self) -> ScriptAuthorization:
        given = [m for m in (self.src, self.src_prefix, self.origin, self.sha256) if m]
        if len(given) != 1:
            raise ValueError("give exactly one of src, src_prefix, origin, sha256")
        return self

    def covers(self, src: str | None, sha256: str | None) -> bool:
        if self.sha256 is not None:
            return sha256 == self.sha256
        if src is None:
            return False
        if self.src is not None:
            return src == self.src
        if self.src_prefix is not None:
            return src.startswith(self.src_prefix)
        parts = urlsplit(src)
        return f"{parts.scheme}://{parts.netloc}" == (self.origin or "").rstrip("/")

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class _AuthorizationFile(_Frozen):
    title: str
    source: str
    last_reviewed: dt.date
    scripts: tuple[ScriptAuthorization, ...] = ()


@dataclass(frozen=True, slots=True)
class ScriptAuthorizations:
    """The payment page's authorized scripts, from a TOML file (docs/detection.md)."""

    title: str
    source: str
    last_reviewed: dt.date
    scripts: tuple[ScriptAuthorization, ...]
    path: str = "<authorizations>"

    @classmethod
    def parse(cls, text: str, *, path: str = "<authorizations>") -> ScriptAuthorizations:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise ConfigurationError(f"{path}: not valid TOML: {error}") from None
        try:
            parsed = _AuthorizationFile.model_validate(data)
        except ValidationError as error:
            first = error.errors()[0]
            loc = tuple(first["loc"])
            index = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
            key = str(loc[-1]) if len(loc) > (2 if index is not None else 0) else "scripts"
            line = line_of(text, key, index, array="scripts", table="")
            where = ".".join(map(str, loc)) or "(file)"
            raise ConfigurationError(f"{path}:{line}: {where}: {first['msg']}") from None
        return cls(parsed.title, parsed.source, parsed.last_reviewed, parsed.scripts, path)

    @classmethod
    def load(cls, path: Path) -> ScriptAuthorizations:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigurationError(
                f"{path}: cannot read the script authorizations: {error.strerror}"
            ) from None
        return cls.parse(text, path=str(path))

    def justify(self, src: str | None, sha256: str | None) -> ScriptAuthorization | None:
        """The first entry that covers this script, or None (unjustified)."""
        return next((entry for entry in self.scripts if entry.covers(src, sha256)), None)

    def for_inventory(self, inventory: PageInventory) -> dict[str, dict[str, Any] | None]:
        """Each script of the page (by key; fetched URLs too) with its justification."""
        found: dict[str, dict[str, Any] | None] = {}
        for script in inventory.scripts:
            entry = self.justify(script.src, script.sha256)
            found[script.key] = entry.to_json() if entry else None
        for src in inventory.loaded:
            if src not in found:
                entry = self.justify(src, None)
                found[src] = entry.to_json() if entry else None
        return found


def unjustified(inventory: PageInventory, authorizations: ScriptAuthorizations) -> list[Finding]:
    """Every script on the page (element or fetched URL) no authorization covers (6.4.3)."""
    return [
        _finding(
            "page-script-unjustified", "Payment-page script without a justification", "medium",
            inventory.url, key,
            f"no entry of {authorizations.path} authorizes this script with a written "
            "justification (PCI DSS 6.4.3)",
        )
        for key, entry in authorizations.for_inventory(inventory).items()
        if entry is None
    ]  # fmt: skip


# --- the evidence log -----------------------------------------------------------------------
def record_baseline(
    log: EvidenceLog,
    inventory: PageInventory,
    authorizations: ScriptAuthorizations | None = None,
) -> Record:
    """Keep the inventory as the baseline, in the evidence log (tamper-evident); with
    `authorizations`, each script's justification (None: unjustified) and the file's source."""
    payload = inventory.to_json()
    if authorizations is not None:
        payload["justifications"] = authorizations.for_inventory(inventory)
        payload["authorizations"] = {
            "path": authorizations.path,
            "title": authorizations.title,
            "source": authorizations.source,
            "last_reviewed": authorizations.last_reviewed.isoformat(),
        }
    return log.append(RECORD_TYPE, payload)


def latest_baseline(records: Iterable[Record], url: str | None = None) -> PageInventory | None:
    """The last baseline recorded (of `url`, when given)."""
    found = None
    for record in records:
        if record.type == RECORD_TYPE and (url is None or record.payload.get("url") == url):
            found = record.payload
    return None if found is None else PageInventory.from_json(found)
