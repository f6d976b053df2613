"""Local receivers that speak each service's real protocol on loopback, for the channel tests.

`MailServer` is aiosmtpd (STARTTLS, AUTH) storing every message it accepts in a mailbox and, as
a relay's log does, the Message-ID of each accepted message in a file. `HttpReceiver` is a
threaded http.server answering with a function of the request (PagerDuty's 202 with a
dedup_key, ServiceNow's 201 with a sys_id, Slack's 200 `ok` ...).
"""

from __future__ import annotations

import json
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

if TYPE_CHECKING:
    import ssl
    from collections.abc import Callable
    from pathlib import Path

    from aiosmtpd.smtp import SMTP, Envelope, Session

_MESSAGE_ID = re.compile(rb"^Message-ID: *(<[^>\r\n]+>)", re.MULTILINE | re.IGNORECASE)


@dataclass
class Mailbox:
    """Every accepted message, per recipient, and the connections they came on."""

    messages: dict[str, list[bytes]] = field(default_factory=lambda: defaultdict(list))
    peers: list[tuple[str, int]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    tls: list[bool] = field(default_factory=list)

    def count(self, recipient: str) -> int:
        return len(self.messages.get(recipient, []))

    def total(self) -> int:
        # The SMTP thread adds recipients while a test polls: copy the values in one C call (atomic
        # under the GIL) before iterating, or iteration fails with "dictionary changed size".
        return sum(len(items) for items in tuple(self.messages.values()))


class _Handler:
    def __init__(self, mailbox: Mailbox, accepted_log: Path | None) -> None:
        self.mailbox = mailbox
        self.lock = threading.Lock()
        self.log = accepted_log.open("ab", buffering=0) if accepted_log else None
        self.queued = 0

    async def handle_EHLO(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: SMTP,  # noqa: ARG002 - aiosmtpd's signature
        session: Session,
        envelope: Envelope,  # noqa: ARG002
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        # aiosmtpd reads commands one line at a time, so pipelined commands work: say so
        # (as Postfix does), and the client sends MAIL, RCPT and DATA in one write.
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: SMTP,  # noqa: ARG002 - aiosmtpd's signature
        session: Session,  # noqa: ARG002
        envelope: Envelope,
        address: str,
        options: list[str],  # noqa: ARG002
    ) -> str:
        if address.startswith("bounce"):
            return "550 5.1.1 <" + address + ">: Recipient address rejected: User unknown"
        if address.startswith("defer"):
            return "451 4.3.0 Temporary lookup failure"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: SMTP,  # noqa: ARG002 - aiosmtpd's signature
        session: Session,
        envelope: Envelope,
    ) -> str:
        content = envelope.original_content or b""
        if any(rcpt.startswith("spam") for rcpt in envelope.rcpt_tos):
            return "554 5.7.1 Message rejected as spam"
        found = _MESSAGE_ID.search(content)
        with self.lock:
            self.queued += 1
            queue_id = f"Q{self.queued:08d}"
            for recipient in envelope.rcpt_tos:
                self.mailbox.messages[recipient].append(content)
            self.mailbox.peers.append(session.peer)
            self.mailbox.tls.append(session.ssl is not None)
            if self.log is not None and found:
                # As Postfix's cleanup logs it: the queue id and the message-id, once queued.
                self.log.write(f"{queue_id}: message-id={found.group(1).decode()}\n".encode())
        return f"250 2.0.0 Ok: queued as {queue_id}"


class MailServer:
    """aiosmtpd on loopback; with `tls` STARTTLS is required and AUTH only after it."""

    def __init__(
        self,
        port: int,
        *,
        tls: ssl.SSLContext | None = None,
        users: dict[str, str] | None = None,
        accepted_log: Path | None = None,
    ) -> None:
        self.port = port
        self.mailbox = Mailbox()
        self.accepted_log = accepted_log
        self.handler = _Handler(self.mailbox, accepted_log)
        self.users = users or {}
        options: dict[str, Any] = {}
        if tls is not None:
            options.update(tls_context=tls, require_starttls=True)
        if self.users:
            options.update(authenticator=self._authenticate, auth_require_tls=tls is not None)
        self.controller = Controller(
            self.handler,
            hostname="127.0.0.1",
            port=port,
            decode_data=False,
            # aiosmtpd's readiness probe would need the same TLS; it is not needed on loopback.
            ready_timeout=10,
            **options,
        )

    def _authenticate(
        self,
        server: SMTP,  # noqa: ARG002
        session: Session,  # noqa: ARG002
        envelope: Envelope,  # noqa: ARG002
        mechanism: str,  # noqa: ARG002
        data: Any,
    ) -> AuthResult:
        if isinstance(data, LoginPassword):
            user, password = data.login.decode(), data.password.decode()
            if self.users.get(user) == password:
                self.mailbox.logins.append(user)
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    def start(self) -> MailServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
        if self.handler.log is not None:
            self.handler.log.close()


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class HttpReceiver:
    """A loopback HTTP server that records every request and answers with `respond(seen)`."""

    def __init__(self, respond: Callable[[Seen], tuple[int, dict[str, str], bytes]]) -> None:
        self.seen: list[Seen] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                seen = Seen(
                    self.command,
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length),
                )
                receiver.seen.append(seen)
                status, headers, body = respond(seen)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PATCH = _handle  # noqa: N815 - http.server's names

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def json_reply(status: int, document: Any, **headers: str) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json", **headers}, json.dumps(document).encode()
