"""The SMTP channel against aiosmtpd on loopback: STARTTLS, AUTH, reuse, idempotency, bounces."""

from __future__ import annotations

import email
import logging
from email import policy
from typing import TYPE_CHECKING

import pytest

from magento_ir.notify.channels import (
    DeliveryError,
    Message,
    RateLimiter,
    SmtpChannel,
    message_id,
)
from tests.notify.conftest import SMTP_PASSWORD, SMTP_USER

if TYPE_CHECKING:
    from tests.evidence.conftest import LoopbackCA
    from tests.notify.servers import MailServer

NOTICE = Message(
    key="incident-7/customer-notice",
    incident_id="incident-7",
    subject="Important: your payment card details may have been exposed",
    text="We are writing to tell you about an incident.\n",
    html='<!doctype html><html lang="en"><body><h1>An incident</h1></body></html>',
    recipients=("ana@example.com", "bo@example.com"),
)


def _channel(server: MailServer, ca: LoopbackCA, **options: object) -> SmtpChannel:
    return SmtpChannel(
        "127.0.0.1",
        server.port,
        sender="security@shop.example",
        username=SMTP_USER,
        password=SMTP_PASSWORD,
        ssl_context=ca.client_context(),
        **options,  # type: ignore[arg-type]
    )


def test_sends_one_message_per_recipient_over_starttls_with_auth(
    mail_server: MailServer, test_ca: LoopbackCA
) -> None:
    """Each recipient gets its own message, with its stable Message-ID, both MIME parts."""
    with _channel(mail_server, test_ca) as channel:
        receipt = channel.send(NOTICE)
    assert receipt.accepted == NOTICE.recipients
    assert mail_server.mailbox.logins == [SMTP_USER]
    assert mail_server.mailbox.tls == [True, True]
    for address in NOTICE.recipients:
        (raw,) = mail_server.mailbox.messages[address]
        parsed = email.message_from_bytes(raw, policy=policy.default)
        assert parsed["To"] == address
        assert parsed["Message-ID"] == message_id(NOTICE.key, address, "shop.example")
        plain = parsed.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert plain.replace("\r\n", "\n") == NOTICE.text
        assert "<h1>An incident</h1>" in parsed.get_body(("html",)).get_content()  # type: ignore[union-attr]
        assert receipt.provider_ids[address].startswith(parsed["Message-ID"] + " 250 ")
        assert "queued as Q" in receipt.provider_ids[address]


def test_a_long_notice_arrives_whole_with_crlf_line_ends(
    mail_server: MailServer, test_ca: LoopbackCA
) -> None:
    """Long bodies are sent as SMTP needs them (CRLF lines, leading dots doubled)."""
    paragraph = "Your card details may have been copied by a script. " * 40
    long = Message(
        key="k", incident_id="i", subject="s", text=paragraph + "\n.\n.a line with a dot\n",
        html=f"<p>{paragraph}</p>" * 20, recipients=("long@example.com",),
    )  # fmt: skip
    with _channel(mail_server, test_ca) as channel:
        receipt = channel.send(long)
    assert receipt.accepted == ("long@example.com",)
    (raw,) = mail_server.mailbox.messages["long@example.com"]
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    parsed = email.message_from_bytes(raw, policy=policy.default)
    plain = parsed.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    # Lines starting with a dot survive (dot-stuffed on the way, unstuffed by the server).
    assert plain.replace("\r\n", "\n") == paragraph + "\n.\n.a line with a dot\n"


def test_reuses_one_connection_for_many_messages(
    mail_server: MailServer, test_ca: LoopbackCA
) -> None:
    """One TCP connection (one peer port, one login) carries every message."""
    with _channel(mail_server, test_ca) as channel:
        for number in range(5):
            channel.send(
                Message(
                    key=f"k{number}",
                    incident_id="i",
                    subject="s",
                    text="t",
                    recipients=(f"p{number}@example.com",),
                )
            )
    assert len(set(mail_server.mailbox.peers)) == 1
    assert len(mail_server.mailbox.peers) == 5
    assert mail_server.mailbox.logins == [SMTP_USER]


def test_a_recipient_already_delivered_is_not_sent_twice(
    mail_server: MailServer, test_ca: LoopbackCA
) -> None:
    """Per-recipient idempotency: the same key to the same person is skipped."""
    delivered: set[str] = set()
    with _channel(mail_server, test_ca, delivered=delivered) as channel:
        channel.send(NOTICE)
    with _channel(mail_server, test_ca, delivered=delivered) as channel:
        again = channel.send(NOTICE)
    assert again.skipped == NOTICE.recipients
    assert again.accepted == ()
    assert mail_server.mailbox.count("ana@example.com") == 1


@pytest.mark.parametrize("pipelining", [True, False], ids=["pipelined", "one-by-one"])
def test_bounces_and_deferrals_are_recorded_per_recipient(
    mail_server: MailServer, test_ca: LoopbackCA, pipelining: bool
) -> None:
    """A 5xx at RCPT or after DATA is a bounce, a 4xx a deferral; the others get theirs, with
    MAIL, RCPT and DATA pipelined (RFC 2920) or sent one by one."""
    message = Message(
        key="k",
        incident_id="i",
        subject="s",
        text="t",
        recipients=(
            "bounce@example.com",
            "ok@example.com",
            "defer@example.com",
            "spam@example.com",
        ),
    )
    with _channel(mail_server, test_ca, pipelining=pipelining) as channel:
        assert channel.connect().has_extn("pipelining")
        receipt = channel.send(message)
    assert receipt.accepted == ("ok@example.com",)
    assert receipt.refused["bounce@example.com"].startswith("550 5.1.1")
    assert receipt.deferred["defer@example.com"].startswith("451 4.3.0")
    # Refused at the end of DATA: smtplib returns that reply instead of raising.
    assert receipt.refused["spam@example.com"] == "554 5.7.1 Message rejected as spam"
    assert mail_server.mailbox.total() == 1
    # Each refusal reset the transaction: the one connection went on to deliver the next.
    assert len(set(mail_server.mailbox.peers)) == 1


def test_a_wrong_password_is_a_clear_error_without_the_password(
    mail_server: MailServer, test_ca: LoopbackCA, caplog: pytest.LogCaptureFixture
) -> None:
    """The error names the user and the fix; no error, repr or log line shows the password."""
    caplog.set_level(logging.DEBUG)
    channel = SmtpChannel(
        "127.0.0.1",
        mail_server.port,
        sender="security@shop.example",
        username=SMTP_USER,
        password="wrong-password-123",
        ssl_context=test_ca.client_context(),
    )
    with pytest.raises(DeliveryError) as caught:
        channel.send(NOTICE)
    assert "check the user name and password" in str(caught.value)
    for text in (str(caught.value), repr(caught.value), repr(channel), caplog.text):
        assert "wrong-password-123" not in text
    assert "<hidden>" in repr(channel)


def test_starttls_is_required_and_certificates_are_checked(mail_server: MailServer) -> None:
    """Without the test CA the server's certificate is refused: no password goes out."""
    channel = SmtpChannel(
        "127.0.0.1",
        mail_server.port,
        sender="security@shop.example",
        username=SMTP_USER,
        password=SMTP_PASSWORD,
    )
    with pytest.raises(DeliveryError, match="TLS"):
        channel.send(NOTICE)
    assert mail_server.mailbox.logins == []


def test_no_password_without_tls() -> None:
    with pytest.raises(ValueError, match="without TLS"):
        SmtpChannel("127.0.0.1", 25, sender="a@b.c", username="u", password="p", security="none")


def test_rate_limiter_waits_for_tokens() -> None:
    """Bursts pass at once, then one message per 1/rate seconds."""
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(10, burst=2, clock=lambda: now[0], sleep=sleep)
    assert [limiter.acquire() for _ in range(2)] == [0.0, 0.0]
    assert limiter.acquire() == pytest.approx(0.1)
    now[0] += 0.25
    assert limiter.acquire() == 0.0
    assert waits == [pytest.approx(0.1)]
