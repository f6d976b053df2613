"""A small local web page to approve notice drafts, for approvers who do not use a terminal.

One server serves one approver in one role (`magento-ir notify approve --web --as NAME --role
dpo`). It binds to 127.0.0.1 only; every URL carries a random token (compared in constant time;
a wrong one is a plain 404), the Host header must be the loopback address it listens on (no DNS
rebinding), and a decision is a POST with a second random CSRF value and the SHA-256 of the
draft shown, so a page left open on an older version cannot approve a newer one. Responses are
never cached, send a referrer only to themselves (the token stays out of other sites' logs) and
may not be framed. The drafts are re-read from disk on every request; decisions go through
`approvals.decide`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from functools import cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import parse_qs

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from magento_ir._exceptions import MagentoIRError
from magento_ir.notify.approvals import (
    DEFAULT_POLICY,
    ApprovalPolicy,
    decide,
    decisions,
    status,
)
from magento_ir.notify.drafts import Draft

if TYPE_CHECKING:
    from collections.abc import Sequence

    from magento_ir.evidence import EvidenceLog

__all__ = ["ApprovalServer"]

_MAX_BODY = 64 * 1024
_ROLE_NAMES = {"dpo": "data protection officer", "hr": "Human Resources", "pr": "PR"}


@cache
def _pages() -> tuple[Environment, str]:
    folder = Path(str(resources.files("magento_ir.notify") / "templates"))
    environment = Environment(
        loader=FileSystemLoader(folder),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    css = (folder / "approval" / "approval.css").read_text(encoding="utf-8")
    return environment, css


def _style_hash(css: str) -> str:
    digest = hashlib.sha256(css.encode()).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


class ApprovalServer:
    """Serve the approval page for `approver` acting as `role` until `close()`."""

    def __init__(
        self,
        drafts: Sequence[Path],
        *,
        log: EvidenceLog,
        approver: str,
        role: str,
        policy: ApprovalPolicy = DEFAULT_POLICY,
        port: int = 0,
    ) -> None:
        self.drafts = [Path(p) for p in drafts]
        self.log = log
        self.approver = approver
        self.role = role
        self.policy = policy
        self.token = secrets.token_urlsafe(24)
        self.csrf = secrets.token_urlsafe(24)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self._server.daemon_threads = True
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{self.token}/"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # Pages -----------------------------------------------------------------------------------

    def _mine(self) -> list[tuple[int, Draft]]:
        """The drafts this role decides on, by their position in the list given."""
        found = []
        for number, path in enumerate(self.drafts, start=1):
            draft = Draft.load(path)
            if self.role in self.policy.roles_for(draft.audience):
                found.append((number, draft))
        return found

    def _state(self, draft: Draft) -> str:
        with self._lock:
            known = decisions(self.log.records())
        current = status(draft, known, self.policy)
        mine = [
            d
            for d in known
            if d.draft_id == draft.draft_id and d.sha256 == draft.sha256 and d.role == self.role
        ]
        parts = []
        if mine:
            parts.append(f"you {mine[-1].decision} this version as {self.role}")
        if current.sendable:
            parts.append("approved by every required role")
        elif current.rejected_by:
            parts.append("rejected")
        else:
            parts.append(f"waiting for {', '.join(current.missing)}")
        return "; ".join(parts)

    def render(self, name: str, **values: Any) -> str:  # noqa: ANN401 - template values
        environment, css = _pages()
        return environment.get_template(f"approval/{name}.html.j2").render(
            css=css,
            approver=self.approver,
            role_name=_ROLE_NAMES.get(self.role, self.role),
            **values,
        )

    def index_page(self) -> str:
        rows = [
            {
                "href": f"/{self.token}/draft/{number}",
                "subject": draft.subject,
                "recipient": draft.recipient_name or "(internal)",
                "state": self._state(draft),
            }
            for number, draft in self._mine()
        ]
        return self.render("index", rows=rows)

    def draft_page(self, number: int, draft: Draft, *, error: str = "", notice: str = "") -> str:
        text = draft.parts.get("text/plain") or draft.parts.get("application/json", "")
        return self.render(
            "draft",
            draft=draft,
            text=text,
            state=self._state(draft),
            needed=", ".join(self.policy.roles_for(draft.audience)) or "none",
            index_href=f"/{self.token}/",
            html_href=f"/{self.token}/draft/{number}/html" if "text/html" in draft.parts else "",
            post_href=f"/{self.token}/draft/{number}",
            csrf=self.csrf,
            error=error,
            notice=notice,
        )

    def find(self, number: int) -> Draft | None:
        return dict(self._mine()).get(number)

    def record(self, number: int, form: dict[str, list[str]]) -> tuple[HTTPStatus, str]:
        """Check the form and record the decision; the page to show and its status."""
        draft = self.find(number)
        if draft is None:
            return HTTPStatus.NOT_FOUND, "Not found"
        csrf = form.get("csrf", [""])[0]
        if not hmac.compare_digest(csrf.encode(), self.csrf.encode()):
            return HTTPStatus.FORBIDDEN, "Forbidden"
        if form.get("sha256", [""])[0] != draft.sha256:
            page = self.draft_page(
                number,
                draft,
                error="the draft changed after you opened it. Read this version and decide again.",
            )
            return HTTPStatus.CONFLICT, page
        choice = form.get("decision", [""])[0]
        if choice not in {"approve", "reject"}:
            page = self.draft_page(number, draft, error="choose Approve or Reject.")
            return HTTPStatus.BAD_REQUEST, page
        try:
            with self._lock:
                decide(
                    self.log,
                    draft,
                    approver=self.approver,
                    role=self.role,
                    approve=choice == "approve",
                    reason=form.get("reason", [""])[0],
                    policy=self.policy,
                )
        except MagentoIRError as error:
            return HTTPStatus.BAD_REQUEST, self.draft_page(number, draft, error=str(error))
        done = "approved" if choice == "approve" else "rejected"
        notice = f"Recorded: you {done} this draft (SHA-256 {draft.sha256[:12]}…)."
        return HTTPStatus.OK, self.draft_page(number, draft, notice=notice)


class _Handler(BaseHTTPRequestHandler):
    app: ApprovalServer
    server_version = "magento-ir-approval"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002, ANN401
        """Quiet: request lines carry the token."""

    def _route(self) -> list[str] | None:
        """The path after a valid token, or None (a 404 for anything else)."""
        if self.headers.get("Host") != f"127.0.0.1:{self.app.port}":
            return None
        token, _, rest = self.path.lstrip("/").partition("/")
        if not hmac.compare_digest(token.encode(), self.app.token.encode()):
            return None
        return [part for part in rest.split("?")[0].split("/") if part]

    def _send(
        self, code: HTTPStatus, body: str, *, kind: str = "text/html", email: bool = False
    ) -> None:
        data = body.encode()
        _, css = _pages()
        self.send_response(code)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "same-origin")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "DENY")
        if not email:
            policy = (
                f"default-src 'none'; style-src {_style_hash(css)}; form-action 'self'; "
                "frame-ancestors 'none'; base-uri 'none'"
            )
        else:
            # The e-mail itself: its own inline styles, no scripts, no requests.
            policy = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
        self.send_header("Content-Security-Policy", policy)
        self.end_headers()
        self.wfile.write(data)

    def _not_found(self) -> None:
        self._send(HTTPStatus.NOT_FOUND, "Not found", kind="text/plain")

    def do_GET(self) -> None:
        route = self._route()
        if route is None:
            return self._not_found()
        if not route:
            return self._send(HTTPStatus.OK, self.app.index_page())
        if route[0] == "draft" and len(route) in {2, 3} and route[1].isdigit():
            number = int(route[1])
            draft = self.app.find(number)
            if draft is None:
                return self._not_found()
            if len(route) == 2:  # noqa: PLR2004 - /draft/N
                return self._send(HTTPStatus.OK, self.app.draft_page(number, draft))
            if route[2] == "html" and "text/html" in draft.parts:
                return self._send(HTTPStatus.OK, draft.parts["text/html"], email=True)
        return self._not_found()

    def do_POST(self) -> None:
        route = self._route()
        if (
            route is None
            or len(route) != 2  # noqa: PLR2004 - /draft/N
            or route[0] != "draft"
            or not route[1].isdigit()
        ):
            return self._not_found()
        origin = self.headers.get("Origin")
        if origin is not None and origin != f"http://127.0.0.1:{self.app.port}":
            return self._send(HTTPStatus.FORBIDDEN, "Forbidden", kind="text/plain")
        if self.headers.get_content_type() != "application/x-www-form-urlencoded":
            return self._send(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported", kind="text/plain")
        declared = self.headers.get("Content-Length") or "0"
        length = int(declared) if declared.isdigit() else _MAX_BODY + 1
        if length > _MAX_BODY:
            too_large = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
            return self._send(too_large, "Too large", kind="text/plain")
        form = parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
        code, body = self.app.record(int(route[1]), form)
        plain = code in {HTTPStatus.NOT_FOUND, HTTPStatus.FORBIDDEN}
        return self._send(code, body, kind="text/plain" if plain else "text/html")


def _handler(app: ApprovalServer) -> type[BaseHTTPRequestHandler]:
    return type("ApprovalHandler", (_Handler,), {"app": app})
