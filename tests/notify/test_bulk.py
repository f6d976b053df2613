"""Bulk notices exactly once: the outbox journal, resuming, bounces, the ambiguous window, and a
sender SIGKILLed mid-way through 20,000 recipients whose rerun leaves each exactly one message."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import pytest

from magento_ir.cli._store import KEY_NAME
from magento_ir.evidence import EvidenceLog, SigningKey, read_records, verify
from magento_ir.notify import AffectedGroup, Facts
from magento_ir.notify.channels import AmbiguousDeliveryError, Message, SmtpChannel
from magento_ir.notify.outbox import (
    AmbiguousRecipientsError,
    read_journal,
    read_message_ids,
    send_bulk,
)
from tests.conftest import REPO_ROOT
from tests.notify.conftest import SMTP_PASSWORD, SMTP_USER, draft_and_approve

if TYPE_CHECKING:
    from pathlib import Path

    from tests.evidence.conftest import LoopbackCA
    from tests.notify.servers import MailServer

NOTICE = Message(
    key="INC-1:customer-notice",
    incident_id="INC-1",
    subject="Important information about your payment card",
    text="We are writing to tell you about a security incident.\n",
    html='<!doctype html><html lang="en"><body><h1>Security incident</h1></body></html>',
)


def _channel(server: MailServer, ca: LoopbackCA) -> SmtpChannel:
    return SmtpChannel(
        "127.0.0.1",
        server.port,
        sender="privacy@shop.example",
        username=SMTP_USER,
        password=SMTP_PASSWORD,
        ssl_context=ca.client_context(),
    )


def _people(count: int) -> list[str]:
    return [f"customer{number:05d}@example.com" for number in range(count)]


def test_each_recipient_once_and_a_rerun_sends_nothing(
    mail_server: MailServer, test_ca: LoopbackCA, tmp_path: Path
) -> None:
    """Duplicates in the input and a second run never make a second message."""
    people = _people(30)
    journal = tmp_path / "outbox.jsonl"
    with _channel(mail_server, test_ca) as channel:
        first = send_bulk(channel, NOTICE, [*people, people[0].upper()], journal, batch=7)
    with _channel(mail_server, test_ca) as channel:
        second = send_bulk(channel, NOTICE, people, journal)
    assert (first.total, first.sent_now, first.delivered) == (30, 30, 30)
    assert (second.sent_now, second.delivered) == (0, 30)
    assert all(mail_server.mailbox.count(person) == 1 for person in people)
    state = read_journal(journal)
    assert all(reply.startswith("250 2.0.0 Ok: queued as Q") for reply in state.done.values())


def test_bounces_are_kept_deferrals_retried_bad_addresses_never_sent(
    mail_server: MailServer, test_ca: LoopbackCA, tmp_path: Path
) -> None:
    """5xx is final, 4xx is tried again by the next run, a malformed address never reaches SMTP."""
    people = ["ok@example.com", "bounce1@example.com", "defer1@example.com",
              "evil@example.com\r\nBcc: x@example.com"]  # fmt: skip
    journal = tmp_path / "outbox.jsonl"
    with _channel(mail_server, test_ca) as channel:
        result = send_bulk(channel, NOTICE, people, journal)
    assert result.delivered == 1
    assert result.refused["bounce1@example.com"].startswith("550 5.1.1")
    assert (
        result.refused["evil@example.com\r\nbcc: x@example.com"] == "local: not an e-mail address"
    )
    assert result.deferred["defer1@example.com"].startswith("451")
    with _channel(mail_server, test_ca) as channel:
        again = send_bulk(channel, NOTICE, people, journal)
    attempts = [line for line in journal.read_text().splitlines() if '"intent"' in line]
    assert sum("defer1" in line for line in attempts) == 2  # deferred: tried again
    assert sum("bounce1" in line for line in attempts) == 1  # bounced: never again
    assert again.sent_now == 0
    assert mail_server.mailbox.total() == 1


class _DropsAfterData:
    """A channel whose connection dies right after one recipient's data was sent."""

    def __init__(self, inner: SmtpChannel, victim: str) -> None:
        self.inner = inner
        self.sender = inner.sender
        self.victim = victim

    def submit(self, recipient: str, data: bytes, *, before_data: object = None) -> str:
        reply = self.inner.submit(recipient, data, before_data=before_data)  # type: ignore[arg-type]
        if recipient == self.victim:
            raise AmbiguousDeliveryError("lost", channel="smtp", retryable=False)
        return reply


def test_the_ambiguous_recipient_is_named_and_settled_by_the_relay_log(
    mail_server: MailServer, test_ca: LoopbackCA, tmp_path: Path
) -> None:
    """A run that lost the answer to one recipient's DATA leaves it undecided; the next run
    refuses to guess, then the relay's log of accepted Message-IDs settles it: one message."""
    people = _people(10)
    journal = tmp_path / "outbox.jsonl"
    with _channel(mail_server, test_ca) as channel:
        broken = _DropsAfterData(channel, people[4])
        with pytest.raises(AmbiguousDeliveryError):
            send_bulk(broken, NOTICE, people, journal)  # type: ignore[arg-type]
    with _channel(mail_server, test_ca) as channel, pytest.raises(AmbiguousRecipientsError) as e:
        send_bulk(channel, NOTICE, people, journal)
    assert [to for to, _mid in e.value.recipients] == [people[4]]
    assert "--delivered-ids" in str(e.value)
    assert mail_server.accepted_log is not None
    accepted = read_message_ids(mail_server.accepted_log)
    with _channel(mail_server, test_ca) as channel:
        result = send_bulk(channel, NOTICE, people, journal, delivered_ids=accepted)
    assert result.resolved_delivered == 1
    assert result.delivered == 10
    assert all(mail_server.mailbox.count(person) == 1 for person in people)


def test_resend_policy_allows_at_most_one_duplicate_and_counts_it(
    mail_server: MailServer, test_ca: LoopbackCA, tmp_path: Path
) -> None:
    """--ambiguous resend is the documented at-most-one-duplicate choice, counted in the result."""
    people = _people(5)
    journal = tmp_path / "outbox.jsonl"
    with _channel(mail_server, test_ca) as channel, pytest.raises(AmbiguousDeliveryError):
        send_bulk(_DropsAfterData(channel, people[2]), NOTICE, people, journal)  # type: ignore[arg-type]
    with _channel(mail_server, test_ca) as channel:
        result = send_bulk(channel, NOTICE, people, journal, ambiguous="resend")
    assert result.resent == 1
    assert mail_server.mailbox.count(people[2]) == 2
    assert all(mail_server.mailbox.count(p) == 1 for p in people if p != people[2])


def test_a_journal_belongs_to_one_notice(
    mail_server: MailServer, test_ca: LoopbackCA, tmp_path: Path
) -> None:
    journal = tmp_path / "outbox.jsonl"
    with _channel(mail_server, test_ca) as channel:
        send_bulk(channel, NOTICE, _people(1), journal)
        other = Message(key="INC-1:other", incident_id="INC-1", subject="s", text="t")
        with pytest.raises(Exception, match="give each notice its own journal"):
            send_bulk(channel, other, _people(1), journal)


def _send(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "magento_ir", "notify", "send", *args],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.slow
def test_sigkill_during_20000_recipients_then_rerun_leaves_exactly_one_each(
    mail_server: MailServer, test_ca: LoopbackCA, tmp_path: Path
) -> None:
    """The done-means test: kill -9 the sender of an approved notice mid-way, rerun with the
    relay's log; every recipient has exactly one message in the mailbox, the evidence log
    verifies."""
    people = _people(20_000)
    (tmp_path / "recipients.txt").write_text("\n".join(people) + "\n")
    key = SigningKey.generate(KEY_NAME)
    key.save(tmp_path / "journal.key")
    with EvidenceLog.open(tmp_path / "journal.log", key=key) as log:
        facts = Facts(
            clock={},
            affected=(
                AffectedGroup(jurisdiction="US-CA", count=20_000,
                              categories=frozenset({"contact", "payment_card.pan"})),
            ),
        )  # fmt: skip
        draft = draft_and_approve(log, tmp_path, template="customer-notice", facts=facts)
    env = {**os.environ, "MAGENTO_IR_SMTP_PASSWORD": SMTP_PASSWORD, "PYTHONPATH": str(REPO_ROOT)}
    args = [
        "--recipients", str(tmp_path / "recipients.txt"), "--draft", str(draft),
        "--from", "privacy@shop.example",
        "--smtp-host", "127.0.0.1", "--smtp-port", str(mail_server.port),
        "--smtp-user", SMTP_USER, "--ca-file", str(test_ca.ca),
        "--outbox", str(tmp_path / "outbox.jsonl"), "--obligation", "customer-notice",
        "--incident", "INC-1", "--journal", str(tmp_path / "journal.log"),
        "--key", str(tmp_path / "journal.key"),
    ]  # fmt: skip
    first = _send(args, env)
    deadline = time.monotonic() + 120
    while mail_server.mailbox.total() < 3_000:
        assert first.poll() is None, (mail_server.mailbox.total(), first.communicate()[1][-300:])
        assert time.monotonic() < deadline, "the sender made no progress"
        time.sleep(0.01)
    first.send_signal(signal.SIGKILL)
    first.communicate()
    assert first.returncode == -signal.SIGKILL
    before = mail_server.mailbox.total()
    assert 3_000 <= before < 20_000

    assert mail_server.accepted_log is not None
    rerun = _send([*args, "--delivered-ids", str(mail_server.accepted_log), "--json"], env)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err.decode()
    result = json.loads(out)
    assert result["delivered"] == 20_000
    assert result["sent_now"] + result["resolved_delivered"] + before >= 20_000
    assert "ETA" in err.decode()

    counts = {person: mail_server.mailbox.count(person) for person in people}
    assert set(counts.values()) == {1}, {p: c for p, c in counts.items() if c != 1}
    assert mail_server.mailbox.total() == 20_000

    report = verify(tmp_path / "journal.log", key.verifier())
    assert report.ok, report.summary()
    bulk = [r.payload for r in read_records(tmp_path / "journal.log") if r.type == "notify.bulk"]
    assert [entry["phase"] for entry in bulk] == ["started", "started", "finished"]
    assert bulk[-1]["delivered"] == 20_000
    assert len(bulk[-1]["journal_sha256"]) == 64
