"""E-mail over SMTP: STARTTLS (or implicit TLS) and AUTH, one connection reused across messages,
one message per recipient with a stable Message-ID, bounces recorded per recipient, rate limited.

Each recipient gets a message of its own, whose Message-ID is derived from the message key and
the address: the same notice to the same person always has the same id, so the channel (and the
bulk outbox, which journals it) can tell "already delivered" apart from "to send". A refused
recipient (5xx at RCPT or at the end of DATA) is a bounce: recorded in the receipt, never
retried; 4xx is a deferral the caller may retry later. Asynchronous bounces (DSNs sent back
later by the receiving side) arrive at the envelope sender's mailbox and are not read here.
"""

from __future__ import annotations

import hashlib
import logging
import re
import smtplib
import ssl
import time
from email import policy
from email.message import EmailMessage
from email.utils import formatdate
from typing import TYPE_CHECKING, Literal, Self

from magento_ir._secret import HoldsSecret
from magento_ir.notify.channels._base import DeliveryError, Message, Receipt, active_guard

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "RateLimiter",
    "RecipientRefusedError",
    "SmtpChannel",
    "build_email",
    "message_id",
]

logger = logging.getLogger("magento_ir.notify.channels")

_PERMANENT = 500
_TRANSIENT = 400
_OK = 250
_FORWARDED = 251
_START_DATA = 354
_LEADING_DOT = re.compile(rb"(?m)^\.")


def message_id(key: str, recipient: str, domain: str) -> str:
    """The stable Message-ID of the notice `key` to `recipient`: same inputs, same id."""
    digest = hashlib.sha256(f"{key}\0{recipient.lower()}".encode()).hexdigest()[:40]
    return f"<{digest}.magento-ir@{domain}>"


def build_email(message: Message, *, sender: str, recipient: str, msgid: str) -> bytes:
    """The RFC 5322 bytes: plain text, plus HTML as an alternative when the message has it."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = recipient
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = msgid
    mail["Content-Language"] = message.locale
    mail.set_content(message.text)
    if message.html is not None:
        mail.add_alternative(message.html, subtype="html")
    # CRLF line ends, as SMTP needs them: smtplib sends bytes as they are.
    return mail.as_bytes(policy=policy.SMTP)


class RateLimiter:
    """A token bucket: at most `rate` per second on average, bursts of `burst`."""

    def __init__(
        self,
        rate: float,
        *,
        burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("the rate must be a positive number of messages per second")
        self.rate = rate
        self.burst = float(burst if burst is not None else max(1, int(rate)))
        self._tokens = self.burst
        self._clock = clock
        self._sleep = sleep
        self._last = clock()

    def acquire(self) -> float:
        """Take one token, waiting for it if needed; returns the seconds waited."""
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now
        if self._tokens >= 1:
            self._tokens -= 1
            return 0.0
        wait = (1 - self._tokens) / self.rate
        self._sleep(wait)
        self._last = self._clock()
        self._tokens = 0.0
        return wait


class RecipientRefusedError(DeliveryError):
    """The server refused one recipient: `code` 5xx is a bounce, 4xx a deferral."""

    def __init__(self, recipient: str, code: int, reply: str) -> None:
        kind = "bounced" if code >= _PERMANENT else "deferred"
        super().__init__(
            f"smtp: {recipient} {kind}: {code} {reply}",
            channel="smtp",
            retryable=code < _PERMANENT,
            status=code,
        )
        self.recipient = recipient
        self.code = code
        self.reply = reply


class AmbiguousDeliveryError(DeliveryError):
    """The connection died after the message's end of data was sent and before the server's
    answer was read: it may or may not have been accepted."""


class SmtpChannel(HoldsSecret):
    """One SMTP submission server, one reused connection.

    `security`: "starttls" (port 587; refuses to go on if the server does not offer it),
    "tls" (implicit TLS, port 465) or "none" (loopback relays only; never with a password).
    `rate` limits messages per second. `delivered` is the set of Message-IDs known delivered
    (the idempotency memory); give a journal-backed set to make it survive restarts.
    """

    __slots__ = (
        "_connection",
        "_limiter",
        "_password",
        "_ssl_context",
        "delivered",
        "domain",
        "host",
        "local_hostname",
        "name",
        "pipelining",
        "port",
        "security",
        "sender",
        "timeout",
        "username",
    )

    def __init__(
        self,
        host: str,
        port: int = 587,
        *,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        security: Literal["starttls", "tls", "none"] = "starttls",
        ssl_context: ssl.SSLContext | None = None,
        rate: float | None = None,
        timeout: float = 30.0,
        local_hostname: str | None = None,
        delivered: set[str] | None = None,
        pipelining: bool = True,
    ) -> None:
        if "@" not in sender:
            raise ValueError(f"the sender must be an e-mail address, not {sender!r}")
        if security == "none" and password is not None:
            raise ValueError("refusing to send an SMTP password without TLS: use starttls or tls")
        if (username is None) != (password is None):
            raise ValueError("give both the SMTP username and password, or neither")
        self.name = "smtp"
        self.host = host
        self.port = port
        self.sender = sender
        self.domain = sender.rsplit("@", 1)[1]
        self.username = username
        self._password = password
        self.security = security
        # Made only when TLS is used: loading the system's CAs takes a noticeable moment.
        self._ssl_context: ssl.SSLContext | None = ssl_context
        self._limiter = RateLimiter(rate) if rate else None
        self.timeout = timeout
        self.local_hostname = local_hostname
        self.delivered: set[str] = delivered if delivered is not None else set()
        # RFC 2920 when the server offers it: half the round trips per message.
        self.pipelining = pipelining
        self._connection: smtplib.SMTP | None = None

    def __repr__(self) -> str:
        auth = f", username={self.username!r}, password=<hidden>" if self.username else ""
        return f"SmtpChannel({self.host}:{self.port}, security={self.security!r}{auth})"

    def connect(self) -> smtplib.SMTP:
        """The open connection, made (EHLO, STARTTLS, EHLO, AUTH) when there is none."""
        if self._connection is not None:
            return self._connection
        connection: smtplib.SMTP | None = None
        try:
            connection = self._open()
            connection.ehlo()
            if self.security == "starttls":
                if not connection.has_extn("starttls"):
                    raise DeliveryError(  # noqa: TRY301 - closed by the handler below
                        f"smtp: {self.host}:{self.port} does not offer STARTTLS; use the "
                        "submission port (587) or security='tls' on 465",
                        channel=self.name,
                        retryable=False,
                    )
                connection.starttls(context=self._tls())
                connection.ehlo()
            if self.username is not None and self._password is not None:
                connection.login(self.username, self._password)
        except smtplib.SMTPAuthenticationError as exc:
            _close(connection)
            raise DeliveryError(
                f"smtp: {self.host}:{self.port} refused the login of {self.username!r} "
                f"({exc.smtp_code}); check the user name and password",
                channel=self.name,
                retryable=False,
                status=exc.smtp_code,
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            _close(connection)
            raise DeliveryError(
                f"smtp: cannot open a session with {self.host}:{self.port} "
                f"({type(exc).__name__}: {exc}); check the host, port and TLS settings",
                channel=self.name,
                retryable=True,
            ) from None
        except BaseException:
            _close(connection)
            raise
        self._connection = connection
        return connection

    def _tls(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = ssl.create_default_context()
        return self._ssl_context

    def _open(self) -> smtplib.SMTP:
        if self.security == "tls":
            return smtplib.SMTP_SSL(
                self.host,
                self.port,
                timeout=self.timeout,
                context=self._tls(),
                local_hostname=self.local_hostname,
            )
        return smtplib.SMTP(
            self.host, self.port, timeout=self.timeout, local_hostname=self.local_hostname
        )

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.quit()
            except (OSError, smtplib.SMTPException):
                self._connection.close()
            self._connection = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def submit(  # noqa: C901 - the SMTP transaction, one step per reply
        self, recipient: str, data: bytes, *, before_data: Callable[[], None] | None = None
    ) -> str:
        """Send one message to one recipient; the server's final reply (e.g. "250 2.0.0 Ok:
        queued as 4X1Y") on acceptance.

        Raises RecipientRefusedError (bounce or deferral), AmbiguousDeliveryError when the
        connection dies once the data may have been committed, or DeliveryError.
        `before_data` runs just before the message data is sent (the outbox journals that the
        send may now happen).
        A connection lost before DATA is reopened once.
        """
        guard = active_guard()
        if guard is not None:
            guard.check_address(self.name, recipient)
        if self._limiter is not None:
            self._limiter.acquire()
        for attempt in (1, 2):
            connection = self.connect()
            pipelined = self.pipelining and connection.has_extn("pipelining")
            try:
                self._envelope(connection, recipient, pipelined=pipelined)
                break
            except smtplib.SMTPServerDisconnected:
                self._connection = None
                if attempt == 2:  # noqa: PLR2004
                    raise DeliveryError(
                        f"smtp: {self.host}:{self.port} keeps closing the connection",
                        channel=self.name,
                        retryable=True,
                    ) from None
            except OSError as exc:
                self._drop()
                raise DeliveryError(
                    f"smtp: {self.host}:{self.port} failed before DATA ({type(exc).__name__})",
                    channel=self.name,
                    retryable=True,
                ) from None
        if before_data is not None:
            before_data()
        try:
            if pipelined:
                # DATA was accepted already: the message, then the end-of-data mark.
                connection.send(_dot_stuffed(data))
                code, reply = connection.getreply()
            else:
                code, reply = connection.data(data)
            if code != _OK:
                # smtplib returns the final reply; only a refused DATA command raises.
                raise smtplib.SMTPDataError(code, reply)  # noqa: TRY301 - one handler
        except smtplib.SMTPDataError as exc:
            connection.rset()
            raise RecipientRefusedError(recipient, exc.smtp_code, _text(exc.smtp_error)) from None
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            self._drop()
            raise AmbiguousDeliveryError(
                f"smtp: the connection to {self.host}:{self.port} failed during DATA for "
                f"{recipient} ({type(exc).__name__}): the message may have been accepted",
                channel=self.name,
                retryable=False,
            ) from None
        return f"{code} {reply.decode(errors='replace')}"

    def _envelope(self, connection: smtplib.SMTP, recipient: str, *, pipelined: bool) -> None:
        """MAIL and RCPT (and, pipelined, DATA) up to where the message data may be sent.

        With PIPELINING (RFC 2920) the three commands go in one write and their replies are
        read together: two round trips per message instead of four. A refusal of any of them
        resets the transaction; nothing is committed before the end-of-data mark.
        """
        if not pipelined:
            code, reply = connection.mail(self.sender)
            if code != _OK:
                connection.rset()
                raise RecipientRefusedError(recipient, code, _text(reply))
            code, reply = connection.rcpt(recipient)
            if code not in (_OK, _FORWARDED):
                connection.rset()
                raise RecipientRefusedError(recipient, code, _text(reply))
            return
        connection.send(
            f"MAIL FROM:{smtplib.quoteaddr(self.sender)}\r\n"
            f"RCPT TO:{smtplib.quoteaddr(recipient)}\r\nDATA\r\n"
        )
        (mail, mail_reply), (rcpt, rcpt_reply), (data, data_reply) = (
            connection.getreply(),
            connection.getreply(),
            connection.getreply(),
        )
        envelope_ok = mail == _OK and rcpt in (_OK, _FORWARDED)
        if data == _START_DATA and not envelope_ok:
            # A server must refuse DATA without a recipient (RFC 2920 3.1); one that did not
            # is never sent an end-of-data mark: dropping the connection aborts the message.
            self._drop()
        elif data != _START_DATA:
            connection.rset()
        for code, reply in ((mail, mail_reply), (rcpt, rcpt_reply), (data, data_reply)):
            if code not in (_OK, _FORWARDED, _START_DATA):
                raise RecipientRefusedError(recipient, code, _text(reply))

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def send(self, message: Message) -> Receipt:
        """One message per recipient; recipients already delivered under this key are skipped,
        refused (5xx) and deferred (4xx: send again later) ones are listed with the server's
        reply."""
        if not message.recipients:
            raise ValueError("an SMTP message needs recipients")
        accepted: list[str] = []
        refused: dict[str, str] = {}
        skipped: list[str] = []
        ids: dict[str, str] = {}
        deferred: dict[str, str] = {}
        for recipient in message.recipients:
            msgid = message_id(message.key, recipient, self.domain)
            if msgid in self.delivered:
                skipped.append(recipient)
                continue
            data = build_email(message, sender=self.sender, recipient=recipient, msgid=msgid)
            try:
                reply = self.submit(recipient, data)
            except RecipientRefusedError as refusal:
                if refusal.code >= _PERMANENT:
                    refused[recipient] = f"{refusal.code} {refusal.reply}"
                else:
                    deferred[recipient] = f"{refusal.code} {refusal.reply}"
                continue
            self.delivered.add(msgid)
            accepted.append(recipient)
            ids[recipient] = f"{msgid} {reply}"
        return Receipt(
            channel=self.name,
            key=message.key,
            provider_ids=ids,
            accepted=tuple(accepted),
            refused=refused,
            skipped=tuple(skipped),
            deferred=deferred,
            action="sent",
        )


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


def _close(connection: smtplib.SMTP | None) -> None:
    if connection is not None:
        connection.close()


def _dot_stuffed(data: bytes) -> bytes:
    """The message as DATA carries it (RFC 5321 4.5.2): leading dots doubled, CRLF.CRLF."""
    stuffed = _LEADING_DOT.sub(b"..", data)
    if not stuffed.endswith(b"\r\n"):
        stuffed += b"\r\n"
    return stuffed + b".\r\n"
