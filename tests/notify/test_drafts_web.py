"""The approval web page end to end over HTTP: loopback only, token in the URL, CSRF-safe POST
of the exact draft's hash, decisions in the evidence log."""

from __future__ import annotations

import re
import socket
from typing import TYPE_CHECKING

import httpx
import pytest

from magento_ir.evidence import EvidenceLog, SigningKey, verify
from magento_ir.notify.approval_web import ApprovalServer
from magento_ir.notify.approvals import decisions, status
from magento_ir.notify.drafts import Draft, render_draft
from tests.notify.drafting import FACTS, NOW, details, obligation_for

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

KEY = SigningKey.generate("magento-ir-test")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[ApprovalServer, list[Path]]]:
    notice = render_draft(
        "us-ca-individuals",
        details=details(),
        obligation=obligation_for("us-state-notice"),
        facts=FACTS,
        now=NOW,
    )
    brief = render_draft("executive-brief", details=details(), facts=FACTS, now=NOW)
    paths = [notice.save(tmp_path / "drafts"), brief.save(tmp_path / "drafts")]
    with (
        EvidenceLog.open(tmp_path / "journal.log", key=KEY) as log,
        ApprovalServer(paths, log=log, approver="Dana DPO", role="dpo") as server,
    ):
        yield server, paths


def _form(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))


def test_approve_over_http(served: tuple[ApprovalServer, list[Path]]) -> None:
    """Open the index, follow the draft's link, approve: the log records it and verifies."""
    server, paths = served
    assert server.url.startswith("http://127.0.0.1:")
    index = httpx.get(server.url)
    assert index.status_code == 200
    assert index.headers["cache-control"] == "no-store"
    assert index.headers["referrer-policy"] == "same-origin"
    assert "frame-ancestors 'none'" in index.headers["content-security-policy"]
    links = re.findall(r'<a href="([^"]+)">Review draft', index.text)
    assert len(links) == 1  # the internal brief needs no DPO
    page = httpx.get(f"http://127.0.0.1:{server.port}{links[0]}")
    assert "Notice of Data Breach" in page.text
    assert "waiting for legal, dpo" in page.text
    html = httpx.get(f"http://127.0.0.1:{server.port}{links[0]}/html")
    assert html.text == Draft.load(paths[0]).parts["text/html"]
    assert "sandbox" in html.headers["content-security-policy"]
    form = {**_form(page.text), "decision": "approve"}
    done = httpx.post(f"http://127.0.0.1:{server.port}{links[0]}", data=form)
    assert done.status_code == 200
    assert 'role="status">Recorded: you approved this draft' in done.text
    assert "you approved this version as dpo; waiting for legal" in done.text
    found = decisions(server.log.records())
    draft = Draft.load(paths[0])
    assert [(d.approver, d.role, d.sha256) for d in found] == [("Dana DPO", "dpo", draft.sha256)]
    assert status(draft, found).missing == ("legal",)
    server.log.checkpoint()
    assert verify(server.log.path, verifier=KEY.verifier()).ok


def test_reject_needs_a_reason(served: tuple[ApprovalServer, list[Path]]) -> None:
    """A rejection without a reason is refused with a message; with one it is recorded."""
    server, _ = served
    url = f"{server.url}draft/1"
    form = {**_form(httpx.get(url).text), "decision": "reject"}
    refused = httpx.post(url, data=form)
    assert refused.status_code == 400
    assert 'role="alert"' in refused.text
    assert "say why the draft is rejected" in refused.text
    assert decisions(server.log.records()) == []
    recorded = httpx.post(url, data={**form, "reason": "Wrong dates"})
    assert recorded.status_code == 200
    assert [d.reason for d in decisions(server.log.records())] == ["Wrong dates"]


def test_a_page_of_an_older_version_cannot_approve(
    served: tuple[ApprovalServer, list[Path]],
) -> None:
    """The form carries the hash shown; once the draft file changes, that POST is refused."""
    server, paths = served
    url = f"{server.url}draft/1"
    form = {**_form(httpx.get(url).text), "decision": "approve"}
    paths[0].write_text(paths[0].read_text().replace("Luma", "Lima"), encoding="utf-8")
    refused = httpx.post(url, data=form)
    assert refused.status_code == 409
    assert "the draft changed after you opened it" in refused.text
    assert decisions(server.log.records()) == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"token": "wrong"}, 404),
        ({"host": "evil.example.com"}, 404),
        ({"csrf": "forged"}, 403),
        ({"origin": "http://evil.example.com"}, 403),
        ({"json": True}, 415),
    ],
)
def test_forged_requests_are_refused(
    served: tuple[ApprovalServer, list[Path]], change: dict[str, object], code: int
) -> None:
    """Wrong token or Host (DNS rebinding), a forged CSRF value or Origin, or another body type:
    nothing is recorded."""
    server, _ = served
    form = {**_form(httpx.get(f"{server.url}draft/1").text), "decision": "approve"}
    token = change.get("token", server.token)
    url = f"http://127.0.0.1:{server.port}/{token}/draft/1"
    headers = {}
    if "host" in change:
        headers["Host"] = str(change["host"])
    if "origin" in change:
        headers["Origin"] = str(change["origin"])
    if "csrf" in change:
        form["csrf"] = str(change["csrf"])
    if change.get("json"):
        response = httpx.post(url, json=form, headers=headers)
    else:
        response = httpx.post(url, data=form, headers=headers)
    assert response.status_code == code
    assert decisions(server.log.records()) == []
    assert server.token not in response.text


def test_only_loopback(served: tuple[ApprovalServer, list[Path]]) -> None:
    """The server listens on 127.0.0.1 only; unknown paths are a plain 404."""
    server, _ = served
    assert server._server.server_address[0] == "127.0.0.1"
    assert httpx.get(f"http://127.0.0.1:{server.port}/").status_code == 404
    assert httpx.get(f"{server.url}draft/9").status_code == 404
    assert httpx.get(f"{server.url}draft/2").status_code == 404  # not this role's draft


def test_oversized_or_malformed_bodies_are_refused(
    served: tuple[ApprovalServer, list[Path]],
) -> None:
    """A body over 64 KiB, or a Content-Length that is not a number, is refused unread."""
    server, _ = served
    url = f"{server.url}draft/1"
    big = httpx.post(
        url,
        content=b"a=" + b"x" * 70_000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert big.status_code == 413
    # httpx will not send a bad Content-Length; a raw socket will.
    with socket.create_connection(("127.0.0.1", server.port)) as raw:
        raw.sendall(
            f"POST /{server.token}/draft/1 HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: -1\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        assert raw.recv(64).startswith(b"HTTP/1.0 413")
    assert decisions(server.log.records()) == []
