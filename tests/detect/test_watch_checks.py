"""The watcher's scheduled checks: the guard's refusals, code integrity, the payment page."""

from __future__ import annotations

import contextlib
import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from unittest.mock import ANY

import httpx
import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from magento_ir._exceptions import ConfigurationError
from magento_ir.auth import AdminCredentials
from magento_ir.cli import app
from magento_ir.containment._context import StoreConnection
from magento_ir.detect import WatchConfig, Watcher, read_status
from magento_ir.detect.browser import BrowserError
from magento_ir.detect.page_integrity import ScriptAuthorizations, render_checkout
from magento_ir.detect.watch import CodeWatch, GuardWatch, PageWatch
from magento_ir.drill._staging import HEAD_SKIMMER_SCRIPT
from magento_ir.evidence import EvidenceLog, SigningKey, read_records
from magento_ir.sandbox import Sandbox, SandboxOptions
from magento_ir.sandbox.module_guard import Attempt, check
from magento_ir.sandbox.server import SandboxServer
from tests.conftest import REPO_ROOT, require_tool
from tests.detect.test_watch import SMALL, Clock, _watcher

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from magento_ir.testing import SandboxStore

ATTACKER = "203.0.113.9"
AUTHORIZATIONS = """
title = "Payment-page scripts of the test shop"
source = "change ticket SEC-7"
last_reviewed = 2026-12-01

[[scripts]]
origin = "https://pay.example"
justification = "The payment provider's hosted card fields"
authorized_by = "security lead"
last_reviewed = 2026-12-01
"""


def _refuse(sandbox: SandboxStore, times: int, ip: str = ATTACKER) -> None:
    """Placements the guard refuses, as the module's plugin records them."""
    with sandbox.sandbox.lock:
        state = sandbox.sandbox.state
        for n in range(times):
            attempt = Attempt("rest_guest", ip, f"t{n}@example.com", None, 100 + n, "checkmo")
            assert check(state.incident_response, attempt, sandbox.sandbox.now()) is not None


@SMALL
@pytest.mark.anyio
async def test_guard_refusals_open_one_incident_between_passes(
    magento_sandbox: SandboxStore, tmp_path: Path
) -> None:
    """Refusals read since the cursor: a source over the limit opens one episode and incident,
    more refusals in that episode open nothing, and a restart keeps the cursor."""
    magento_sandbox.client().incident_response.add_guard_rule("ip", [ATTACKER], reason="test")
    config = WatchConfig(guard=GuardWatch(limit=5, window=600))
    watcher = _watcher(magento_sandbox, tmp_path, config=config)
    await watcher.apass()
    _refuse(magento_sandbox, 4)
    assert await watcher.apoll_guard() == []
    _refuse(magento_sandbox, 2)
    found = await watcher.apoll_guard()
    assert [(f.rule, f.entity_type, f.entity_id, f.severity) for f in found] == [
        ("guard-refusals", "ip", ATTACKER, "medium")
    ]
    assert watcher.state["incidents"][-1]["rules"] == ["guard-refusals"]
    _refuse(magento_sandbox, 3)
    assert await watcher.apoll_guard() == []
    status = read_status(tmp_path / "watch-state.json")
    assert status["guard"]["cursor"] == 9
    assert status["guard"]["refused"] == 9
    assert status["guard"]["by_channel"] == {"rest_guest": 9}
    assert status["guard"]["store_blocked"] == 9
    assert status["guard"]["counters"] == {
        "1": {"rule_type": "ip", "blocked": 9, "last_blocked_at": ANY}
    }
    shown = CliRunner().invoke(
        app, ["watch", "--status", "--state", str(tmp_path / "watch-state.json")]
    )
    assert "; guard refused 9 in all: rule 1 (ip) 9" in shown.output
    schema = json.loads((REPO_ROOT / "docs" / "schemas" / "watch-status.json").read_text("utf-8"))
    Draft202012Validator(schema).validate(status)
    restarted = _watcher(magento_sandbox, tmp_path, config=config)
    assert await restarted.apoll_guard() == []
    assert restarted.state["guard"]["refused"] == 9


class _Paths(httpx.AsyncBaseTransport):
    """The sandbox's transport, keeping the path of every module route called."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if "/incident-response/" in request.url.path:
            self.paths.append(request.url.path.rsplit("/incident-response/", 1)[1])
        return await self.inner.handle_async_request(request)


@SMALL
@pytest.mark.anyio
async def test_a_quiet_guard_poll_reads_only_the_counters(
    magento_sandbox: SandboxStore, tmp_path: Path
) -> None:
    """The refusals are fetched only when the newest refusal's id passed the cursor."""
    magento_sandbox.client().incident_response.add_guard_rule("ip", [ATTACKER], reason="test")
    transport = _Paths(magento_sandbox.transport())
    watcher = _watcher(magento_sandbox, tmp_path, transport, config=WatchConfig(guard=GuardWatch()))
    assert await watcher.apoll_guard() == []
    assert transport.paths == ["guard/counters"]
    _refuse(magento_sandbox, 2)
    transport.paths.clear()
    await watcher.apoll_guard()
    assert transport.paths == ["guard/counters", "guard/blocks"]
    assert watcher.state["guard"]["refused"] == 2
    transport.paths.clear()
    await watcher.apoll_guard()
    assert transport.paths == ["guard/counters"]
    # A store whose refusal log went back (restored from a backup): read from the start.
    with magento_sandbox.sandbox.lock:
        magento_sandbox.sandbox.state.incident_response.guard_blocks.clear()
    _refuse(magento_sandbox, 1)
    await watcher.apoll_guard()
    assert (watcher.state["guard"]["cursor"], watcher.state["guard"]["refused"]) == (1, 3)


class _NoCounters(_Paths):
    """A module that predates the counters route: Magento's 404 for it."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/guard/counters"):
            self.paths.append("guard/counters")
            return httpx.Response(404, json={"message": "Request does not match any route."})
        return await super().handle_async_request(request)


@SMALL
@pytest.mark.anyio
async def test_a_module_without_counters_is_still_watched(
    magento_sandbox: SandboxStore, tmp_path: Path
) -> None:
    magento_sandbox.client().incident_response.add_guard_rule("ip", [ATTACKER], reason="test")
    _refuse(magento_sandbox, 2)
    transport = _NoCounters(magento_sandbox.transport())
    watcher = _watcher(magento_sandbox, tmp_path, transport, config=WatchConfig(guard=GuardWatch()))
    await watcher.apoll_guard()
    assert transport.paths == ["guard/counters", "guard/blocks", "guard/blocks"]
    assert (watcher.state["guard"]["refused"], watcher.state["guard"]["store_blocked"]) == (2, None)


@SMALL
@pytest.mark.anyio
async def test_the_loop_reads_the_guard_between_passes(
    magento_sandbox: SandboxStore, tmp_path: Path
) -> None:
    """With a 30 s guard interval and 120 s passes, three guard reads fall between two passes."""
    reads: list[str] = []
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    config = WatchConfig(interval=120, guard=GuardWatch(interval=30))
    watcher = _watcher(magento_sandbox, tmp_path, config=config, sleep=sleep)
    original = watcher.apoll_guard

    async def counted() -> list[Any]:
        reads.append("guard")
        return await original()

    watcher.apoll_guard = counted  # type: ignore[method-assign]
    await watcher.arun(max_passes=2)
    assert sleeps == [30.0, 30.0, 30.0, 30.0]
    assert len(reads) == 3
    assert watcher.state["guard"]["last_read_at"] is not None


@SMALL
@pytest.mark.anyio
async def test_code_integrity_baseline_then_changes_on_its_schedule(
    magento_sandbox: SandboxStore, tmp_path: Path
) -> None:
    """The first check signs a baseline; a planted, an altered and a deleted file are findings
    when the check is next due (not before); an altered baseline is a finding of its own."""
    key = SigningKey.generate("code-watch")
    config = WatchConfig(interval=300, code_integrity=CodeWatch(interval=3600))
    clock = Clock()
    watcher = _watcher(magento_sandbox, tmp_path, config=config, key=key, now=clock)
    first = await watcher.apass()
    assert any(note.startswith("code baseline taken") for note in first.notes)
    baseline = tmp_path / "code-baseline.jsonl"
    assert baseline.with_name(baseline.name + ".note").exists()
    with magento_sandbox.sandbox.lock:
        module = magento_sandbox.sandbox.state.incident_response
        now = magento_sandbox.sandbox.now()
        module.write_code_file("pub/media/wysiwyg/x.php", b"<?php eval($_POST[1]);", now)
        module.write_code_file("pub/index.php", b"<?php /* changed */", now)
        module.remove_code_file("app/etc/di.xml")
    early = await watcher.apass()  # five minutes later: not due
    assert early.new_findings == ()
    clock.now += timedelta(hours=1)
    due = await watcher.apass()
    assert sorted((f.rule, f.entity_id) for f in due.new_findings) == [
        ("code-file-added", "pub/media/wysiwyg/x.php"),
        ("code-file-changed", "pub/index.php"),
        ("code-file-removed", "app/etc/di.xml"),
    ]
    assert due.incident is not None
    code = read_status(tmp_path / "watch-state.json")["code"]
    assert (code["added"], code["changed"], code["removed"]) == (1, 1, 1)
    baseline.write_bytes(baseline.read_bytes().replace(b"pub/index.php", b"pub/indey.php"))
    clock.now += timedelta(hours=1)
    tampered = await watcher.apass()
    assert [f.rule for f in tampered.new_findings] == ["code-baseline-invalid"]


def test_code_integrity_needs_the_key(tmp_path: Path) -> None:
    """The baseline is signed: a watcher without the key is refused at once."""
    store = StoreConnection(base_url="https://shop.example", auth=AdminCredentials("a", "b"))
    with pytest.raises(ConfigurationError, match="evidence key"):
        Watcher(
            store, state_path=tmp_path / "s.json", config=WatchConfig(code_integrity=CodeWatch())
        )


class FakePage:
    """A checkout as take_inventory reads it in the browser: `scripts` and the CSP header."""

    def __init__(self) -> None:
        self.scripts = [{"src": "https://pay.example/hosted.js", "integrity": None, "text": None}]
        self.csp = "default-src 'self'; script-src 'self' https://pay.example"
        self.fail: str | None = None
        self.failed: list[list[str]] = []  # per render of the checkout, from the first
        self.url = ""

    def get(self, url: str) -> None:
        self.url = url
        if self.fail:
            raise BrowserError(self.fail)

    def run(self, script: str, *args: Any) -> Any:  # noqa: ARG002
        return True  # the add-to-cart form was found

    def run_async(self, script: str, *args: Any) -> Any:  # noqa: ARG002
        if "settled:" in script:  # the settle: RequireJS modules that failed on the checkout
            checkout = self.url.endswith("/checkout/") and self.failed
            failed = self.failed.pop(0) if checkout else []
            # A module still awaited at the cap counts as one that failed (`pending:` prefix).
            pending = [m.removeprefix("pending:") for m in failed if m.startswith("pending:")]
            failed = [m for m in failed if not m.startswith("pending:")]
            return {"settled": not pending, "failed": failed, "pending": pending}
        if "performance.getEntriesByType" not in script:
            return True  # waiting for the cart page
        return {
            "url": "http://sandbox.magento.test/checkout/",
            "headers": {"content-security-policy": self.csp},
            "scripts": self.scripts,
            "loaded": [s["src"] for s in self.scripts if s["src"]],
            "csp_meta": [],
        }


@pytest.fixture
def page() -> FakePage:
    return FakePage()


EMAIL = "Magento_Checkout/js/view/form/element/email"


@pytest.mark.parametrize(
    ("failed", "browsers"),
    [
        ([], 1),
        ([[EMAIL], []], 2),  # magento/magento2#38274: a new browser renders it whole
        ([[EMAIL], [EMAIL], [EMAIL], []], 3),  # broken every time: the third is kept
        ([["https://evil.example/x.js"]], 1),  # another host's script: fails alike each time
        ([["//cdn.example/x.js"]], 1),
        ([["https://evil.example/x.js", EMAIL], []], 2),
        ([["pending:mage/trim-input"], []], 2),  # the store too slow for the cap: again
        ([["pending:jQuery.active"], []], 2),
        ([["pending:https://evil.example/x.js"]], 1),  # its host never answers: by design
    ],
)
def test_a_render_the_stores_own_module_broke_is_taken_again_in_a_new_browser(
    page: FakePage, failed: list[list[str]], browsers: int
) -> None:
    page.failed = list(failed)
    started = []

    def start() -> contextlib.AbstractContextManager[FakePage]:
        started.append(page)
        return contextlib.nullcontext(page)

    inventory = render_checkout(start, "http://sandbox.magento.test", "blue-widget.html")
    assert len(started) == browsers
    assert inventory.url == "http://sandbox.magento.test/checkout/"


@SMALL
@pytest.mark.anyio
async def test_page_integrity_baseline_justification_changes_and_browser_failures(
    magento_sandbox: SandboxStore, tmp_path: Path, page: FakePage
) -> None:
    """The first render is the baseline (in the evidence log, with each script's justification);
    a new script and an unjustified one are findings; a browser that fails is alerted once,
    backs off on its own schedule and does not fail the pass."""
    authorizations = ScriptAuthorizations.parse(AUTHORIZATIONS, path="scripts.toml")
    settings = PageWatch(product="blue-widget.html", interval=60, authorizations=authorizations)
    config = WatchConfig(interval=300, page_integrity=settings)
    key = SigningKey.generate("page-watch")
    log_path = tmp_path / "watch.log"
    with EvidenceLog.open(log_path, key=key) as log:
        watcher = _watcher(
            magento_sandbox,
            tmp_path,
            config=config,
            log=log,
            page_driver=lambda: contextlib.nullcontext(page),
        )
        first = await watcher.apass()
        # The reference store's footer-promo block (the scan), nothing on the page.
        assert [f.source for f in first.new_findings] == ["builtin"]
        page.scripts.append(
            {"src": "https://evil.example/gtag.js", "integrity": None, "text": None}
        )
        page.csp = page.csp.replace("'self' https", "'self' 'unsafe-inline' https")
        second = await watcher.apass()
        assert sorted((f.rule, f.snippet) for f in second.new_findings) == [
            ("page-csp-weakened", "script-src +'unsafe-inline'"),
            ("page-script-added", "https://evil.example/gtag.js"),
            ("page-script-unjustified", "https://evil.example/gtag.js"),
        ]
        assert second.incident is not None
        page.fail = "chromedriver not answering"
        failed = [await watcher.apass() for _ in range(3)]
        assert all(report.reachable for report in failed)
        assert watcher.state["page"]["failures"] == 3
        page.fail = None
        (await watcher.apass())
        assert watcher.state["page"]["failures"] == 0
    records = list(read_records(log_path))
    baseline = next(r for r in records if r.type == "detect.page_baseline")
    assert baseline.payload["justifications"] == {
        "https://pay.example/hosted.js": {
            "origin": "https://pay.example",
            "justification": "The payment provider's hosted card fields",
            "authorized_by": "security lead",
            "last_reviewed": "2026-12-01",
        }
    }
    alerts = [r.payload["kind"] for r in records if r.type == "detect.alert"]
    assert alerts == ["page_check_failed", "page_check_ok"]


def test_watch_config_reads_the_checks(tmp_path: Path) -> None:
    """[guard], [code_integrity] and [page_integrity], relative paths from the file's folder."""
    (tmp_path / "scripts.toml").write_text(AUTHORIZATIONS, encoding="utf-8")
    path = tmp_path / "watch.toml"
    path.write_text(
        "[guard]\nenabled = true\nlimit = 7\n"
        '[code_integrity]\nenabled = true\ninterval = 600\nbaseline = "code.base"\n'
        '[page_integrity]\nenabled = true\nproduct = "blue-widget.html"\n'
        'authorizations = "scripts.toml"\n',
        encoding="utf-8",
    )
    config = WatchConfig.from_toml(path)
    assert config.guard == GuardWatch(limit=7)
    assert config.code_integrity == CodeWatch(interval=600, baseline=tmp_path / "code.base")
    assert config.page_integrity is not None
    assert config.page_integrity.authorizations is not None
    assert config.page_integrity.authorizations.title == "Payment-page scripts of the test shop"
    path.write_text("[page_integrity]\nenabled = true\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"page_integrity\.product"):
        WatchConfig.from_toml(path)
    path.write_text("[guard]\nenabled = true\nlimits = 3\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"guard\.limits"):
        WatchConfig.from_toml(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (AUTHORIZATIONS.replace('origin = "https://pay.example"\n', ""),
         "scripts.toml:6: scripts.0: Value error, give exactly one of"),
        (AUTHORIZATIONS.replace("justification = \"The payment provider's hosted card fields\"\n",
                                ""), "scripts.toml:6: scripts.0.justification: Field required"),
        (AUTHORIZATIONS.replace("source =", 'owner = "me"\nsource ='),
         "scripts.toml:3: owner: Extra inputs"),
    ],
    ids=["no-match", "no-justification", "unknown-key"],
)  # fmt: skip
def test_a_bad_authorization_file_names_the_line_and_key(text: str, message: str) -> None:
    """A mistake in the authorizations is refused with the file, the line and the key."""
    with pytest.raises(ConfigurationError) as caught:
        ScriptAuthorizations.parse(text, path="scripts.toml")
    assert str(caught.value).startswith(message)


@pytest.fixture
def served() -> Iterator[tuple[Sandbox, str]]:
    sandbox = Sandbox(SandboxOptions(products=5, customers=5, orders=0))
    with SandboxServer(sandbox) as server:
        yield sandbox, server.base_url


@pytest.mark.tools
@pytest.mark.anyio
async def test_watch_renders_the_checkout_in_chromium_and_finds_the_head_skimmer(
    served: tuple[Sandbox, str], tmp_path: Path
) -> None:
    """The watcher's own Chromium: the staged design/head/includes skimmer is a new script on
    the payment page, found without being told where. (About 6 s: the watcher starts Chromium
    for each check, twice here.)"""

    sandbox, base_url = served
    chromium, chromedriver = require_tool("chromium"), require_tool("chromedriver")
    settings = PageWatch(product="blue-widget.html", chromium=chromium, chromedriver=chromedriver)
    watcher = Watcher(
        StoreConnection(
            base_url=base_url, auth=AdminCredentials("admin", sandbox.options.admin_password)
        ),
        state_path=tmp_path / "state.json",
        config=WatchConfig(page_integrity=settings),
        now=Clock(),
    )
    await watcher.apass()
    assert watcher.state["page"]["baseline"]["headers"]["content-security-policy"]
    with sandbox.lock:
        state = sandbox.state
        state.set_config(
            "design/head/includes",
            (state.config_value("design/head/includes") or "") + HEAD_SKIMMER_SCRIPT,
        )
    watcher.state["page"]["next_at"] = None  # due now
    report = await watcher.apass()
    assert ("page-script-added", "https://static-analytics.example.org/gtag.js") in {
        (f.rule, f.snippet) for f in report.new_findings
    }
    assert json.loads((tmp_path / "state.json").read_text())["page"]["scripts"] == 2
