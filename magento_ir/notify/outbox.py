"""Bulk customer notices, exactly once per person, resumable after the process is killed.

An outbox journal (JSON lines, next to the incident journal) records every send:

    {"t":"open","campaign":C,"boot":B,"pid":P,"time":T}   each run
    {"t":"intent","to":A,"mid":M}                          before the recipient is tried
    {"t":"data","to":A}                                    just before the message data is sent
    {"t":"sent","to":A,"reply":"250 ... queued as X"}      the server accepted it
    {"t":"refused","to":A,"reply":"550 ..."}               a bounce: never retried
    {"t":"deferred","to":A,"reply":"451 ..."}              4xx: the next run tries again
    {"t":"resolved","to":A,"as":"delivered"|"resend"|"skip","how":...}

**fsync policy.** Intents are written and fsynced in groups (`batch`, default 200) before any of
the group is tried: a crash never loses the fact that a recipient may have been tried. `data`
and outcomes are written with one unbuffered `write()` each, at once: a killed *process* loses
nothing (the kernel holds the bytes), and they are fsynced with the next group's intents, so a
machine crash loses at most one group's outcomes. A record of the boot id tells the two apart.

**The ambiguous window** is between the end of the message data and the recording of the
server's answer. After a killed process it holds at most one recipient (the one with `data`
and no outcome); after a machine crash (the boot id changed), every recipient whose intent has
no outcome. Ambiguous recipients are never guessed: the next run stops and names them unless
they are resolved, by the relay's record of accepted Message-IDs (`delivered_ids`: Postfix logs
`message-id=<...>` for each queued message; most providers can search by Message-ID), or by
an explicit policy: `resend` (at most one duplicate each, counted) or `skip` (none sent,
listed for follow-up). docs/notifications.md explains the choice.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import formatdate
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal

from magento_ir._exceptions import MagentoIRError
from magento_ir._files import private_open
from magento_ir.notify.channels.smtp import (
    AmbiguousDeliveryError,
    RecipientRefusedError,
    message_id,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from magento_ir.notify.channels._base import Message
    from magento_ir.notify.channels.smtp import SmtpChannel

__all__ = [
    "AmbiguousRecipientsError",
    "BulkProgress",
    "BulkResult",
    "JournalState",
    "NoticeTemplate",
    "read_journal",
    "read_message_ids",
    "send_bulk",
]

Ambiguity = Literal["stop", "resend", "skip"]
_PERMANENT = 500
_TO = "@@MAGENTO-IR-TO@@"
_MID = "@@MAGENTO-IR-MID@@"
_MESSAGE_ID = re.compile(r"<[^<>\s@]+@[^<>\s]+>")
# ASCII addresses only (no SMTPUTF8), no spaces, quotes or angle brackets.
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}")


class AmbiguousRecipientsError(MagentoIRError):
    """Recipients whose message may or may not have been accepted: resolve them first."""

    def __init__(self, recipients: list[tuple[str, str]]) -> None:
        shown = ", ".join(f"{to} {mid}" for to, mid in recipients[:5])
        more = f" and {len(recipients) - 5} more" if len(recipients) > 5 else ""  # noqa: PLR2004
        super().__init__(
            f"{len(recipients)} recipients may already have their notice ({shown}{more}): the "
            "run before stopped between sending and recording. Look their Message-IDs up in "
            "the relay's log and pass it with --delivered-ids, or choose --ambiguous resend "
            "(at most one duplicate each) or --ambiguous skip (follow them up by hand)"
        )
        self.recipients = recipients


class NoticeTemplate:
    """One notice rendered once to bytes, with the recipient and Message-ID filled per send.

    Rendering MIME per recipient costs more than the SMTP exchange; the bytes differ only in
    the To and Message-ID headers, so they are built once and substituted.
    """

    def __init__(self, message: Message, *, sender: str) -> None:
        mail = EmailMessage()
        mail["From"] = sender
        mail["To"] = _TO
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(usegmt=True)
        mail["Message-ID"] = _MID
        mail["Content-Language"] = message.locale
        mail.set_content(message.text)
        if message.html is not None:
            mail.add_alternative(message.html, subtype="html")
        raw = mail.as_bytes(policy=policy.SMTP)
        self.key = message.key
        self.domain = sender.rsplit("@", 1)[1]
        self._head, rest = raw.split(_TO.encode(), 1)
        self._middle, self._tail = rest.split(_MID.encode(), 1)

    def message_id(self, recipient: str) -> str:
        return message_id(self.key, recipient, self.domain)

    def render(self, recipient: str, msgid: str) -> bytes:
        return self._head + recipient.encode() + self._middle + msgid.encode() + self._tail


@dataclass
class JournalState:
    """What an outbox journal says about each recipient."""

    done: dict[str, str] = field(default_factory=dict)  # address -> server reply
    refused: dict[str, str] = field(default_factory=dict)
    deferred: dict[str, str] = field(default_factory=dict)
    skipped: set[str] = field(default_factory=set)
    intents: dict[str, str] = field(default_factory=dict)  # address -> Message-ID
    data: set[str] = field(default_factory=set)
    boot: str | None = None
    campaign: str | None = None
    resends: int = 0

    def ambiguous(self, *, crashed_machine: bool) -> list[tuple[str, str]]:
        settled = self.done.keys() | self.refused.keys() | self.deferred.keys() | self.skipped
        return [
            (to, mid)
            for to, mid in self.intents.items()
            if to not in settled and (crashed_machine or to in self.data)
        ]


def read_journal(path: Path) -> JournalState:  # noqa: C901 - one branch per entry kind
    """Replay a journal; a torn last line (a crash mid-write) is ignored."""
    state = JournalState()
    if not path.exists():
        return state
    with path.open("rb") as handle:
        for line in handle:
            if not line.endswith(b"\n"):
                break
            entry = json.loads(line)
            kind, to = entry["t"], entry.get("to", "")
            if kind == "open":
                state.boot = entry["boot"]
                state.campaign = state.campaign or entry["campaign"]
            elif kind == "intent":
                state.intents[to] = entry["mid"]
                state.deferred.pop(to, None)
                state.data.discard(to)
            elif kind == "data":
                state.data.add(to)
            elif kind == "sent":
                state.done[to] = entry["reply"]
            elif kind == "refused":
                state.refused[to] = entry["reply"]
            elif kind == "deferred":
                state.deferred[to] = entry["reply"]
            elif kind == "resolved":
                _resolve(state, to, entry)
    return state


def _resolve(state: JournalState, to: str, entry: dict[str, str]) -> None:
    if entry["as"] == "delivered":
        state.done[to] = entry["how"]
    elif entry["as"] == "skip":
        state.skipped.add(to)
    else:
        state.resends += 1
        state.data.discard(to)
        state.intents.pop(to, None)


def read_message_ids(path: Path) -> set[str]:
    """Every `<...@...>` token in a file: a relay's log, or one Message-ID a line."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        return {found for line in handle for found in _MESSAGE_ID.findall(line)}


def boot_id() -> str:
    """This boot of the machine (Linux), so a run can tell a killed process from a power cut."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        return "unknown"


@dataclass(frozen=True)
class BulkProgress:
    sent: int
    total: int
    rate: float  # messages per second in this run
    eta_seconds: float | None

    def line(self) -> str:
        eta = "--:--" if self.eta_seconds is None else _clock(self.eta_seconds)
        return f"sent {self.sent:,}/{self.total:,} ({self.rate:,.0f} msg/s), ETA {eta}"


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


@dataclass(frozen=True)
class BulkResult:
    """What a run did, and what the journal now says in total."""

    total: int
    sent_now: int
    delivered: int
    refused: dict[str, str]
    deferred: dict[str, str]
    skipped: tuple[str, ...]
    resolved_delivered: int
    resent: int
    journal: Path

    def to_json(self) -> dict[str, object]:
        return {
            "total": self.total,
            "sent_now": self.sent_now,
            "delivered": self.delivered,
            "refused": self.refused,
            "deferred": self.deferred,
            "skipped": list(self.skipped),
            "resolved_delivered": self.resolved_delivered,
            "resent": self.resent,
            "journal": str(self.journal),
        }


class _Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[bytes] = private_open(path, "ab", buffering=0)
        self._fd = self._handle.fileno()

    def write(self, entry: dict[str, str | int]) -> None:
        os.write(self._fd, json.dumps(entry, ensure_ascii=False).encode() + b"\n")

    def write_many(self, entries: list[dict[str, str]]) -> None:
        if entries:
            lines = b"".join(json.dumps(e, ensure_ascii=False).encode() + b"\n" for e in entries)
            os.write(self._fd, lines)

    def sync(self) -> None:
        os.fsync(self._fd)

    def close(self) -> None:
        self.sync()
        self._handle.close()


def send_bulk(  # noqa: C901, PLR0912, PLR0915 - one loop; its steps are the journal's protocol
    channel: SmtpChannel,
    message: Message,
    recipients: Iterable[str],
    journal_path: Path,
    *,
    delivered_ids: set[str] | None = None,
    ambiguous: Ambiguity = "stop",
    batch: int = 200,
    progress: Callable[[BulkProgress], None] | None = None,
    progress_seconds: float = 1.0,
    clock: Callable[[], float] = time.monotonic,
) -> BulkResult:
    """Send `message` to every recipient exactly once, journaled in `journal_path`.

    Recipients are e-mail addresses (compared case-insensitively, each once). Rerun with the
    same journal to resume: delivered and bounced recipients are not tried again, deferred
    ones are. Raises AmbiguousRecipientsError when the journal holds recipients that may have
    been delivered and neither `delivered_ids` nor `ambiguous` settles them.
    """
    if batch < 1:
        raise ValueError("batch must be at least 1")
    unique = list(dict.fromkeys(r.strip().lower() for r in recipients if r.strip()))
    invalid = [to for to in unique if not _ADDRESS.fullmatch(to)]
    state = read_journal(journal_path)
    if state.campaign is not None and state.campaign != message.key:
        raise MagentoIRError(
            f"{journal_path} journals the notice {state.campaign!r}, not {message.key!r}: "
            "give each notice its own journal"
        )
    this_boot = boot_id()
    crashed_machine = state.boot is not None and state.boot != this_boot
    journal = _Journal(journal_path)
    template = NoticeTemplate(message, sender=channel.sender)
    resolved_delivered = resent = 0
    try:
        journal.write(
            {"t": "open", "campaign": message.key, "boot": this_boot, "pid": os.getpid(),
             "time": formatdate(usegmt=True)}
        )  # fmt: skip
        unresolved: list[tuple[str, str]] = []
        for to, mid in state.ambiguous(crashed_machine=crashed_machine):
            if delivered_ids is not None:
                if mid in delivered_ids:
                    journal.write({"t": "resolved", "to": to, "as": "delivered", "how": mid})
                    state.done[to] = "accepted per the relay's log"
                    resolved_delivered += 1
                    continue
                # The relay's log is the record of what it accepted: absent means not sent.
                journal.write({"t": "resolved", "to": to, "as": "resend", "how": "not in log"})
                state.intents.pop(to, None)
                continue
            if ambiguous == "resend":
                journal.write({"t": "resolved", "to": to, "as": "resend", "how": "policy"})
                state.intents.pop(to, None)
                resent += 1
            elif ambiguous == "skip":
                journal.write({"t": "resolved", "to": to, "as": "skip", "how": "policy"})
                state.skipped.add(to)
            else:
                unresolved.append((to, mid))
        for to in invalid:
            if to not in state.refused:
                # Never put a malformed address (a line break would inject headers) in a message.
                journal.write({"t": "refused", "to": to, "reply": "local: not an e-mail address"})
                state.refused[to] = "local: not an e-mail address"
        journal.sync()
        if unresolved:
            raise AmbiguousRecipientsError(unresolved)
        settled = state.done.keys() | state.refused.keys() | state.skipped
        todo = [to for to in unique if to not in settled]
        total, already = len(unique), len(unique) - len(todo)
        sent_now = 0
        started = last_report = clock()
        for start in range(0, len(todo), batch):
            group = todo[start : start + batch]
            mids = {to: template.message_id(to) for to in group}
            journal.write_many([{"t": "intent", "to": to, "mid": mids[to]} for to in group])
            # One fsync for the group's intents and the previous group's outcomes.
            journal.sync()
            for to in group:
                try:
                    reply = channel.submit(
                        to,
                        template.render(to, mids[to]),
                        before_data=partial(journal.write, {"t": "data", "to": to}),
                    )
                except RecipientRefusedError as refusal:
                    kind = "refused" if refusal.code >= _PERMANENT else "deferred"
                    text = f"{refusal.code} {refusal.reply}"
                    journal.write({"t": kind, "to": to, "reply": text})
                    (state.refused if kind == "refused" else state.deferred)[to] = text
                    continue
                except AmbiguousDeliveryError:
                    journal.sync()
                    raise
                journal.write({"t": "sent", "to": to, "reply": reply})
                state.done[to] = reply
                sent_now += 1
                now = clock()
                if progress is not None and now - last_report >= progress_seconds:
                    last_report = now
                    progress(_progress(already + sent_now, total, sent_now, now - started))
        if progress is not None:
            progress(_progress(already + sent_now, total, sent_now, clock() - started))
    finally:
        journal.close()
    return BulkResult(
        total=len(unique),
        sent_now=sent_now,
        delivered=sum(1 for to in unique if to in state.done),
        refused={to: state.refused[to] for to in unique if to in state.refused},
        deferred={to: state.deferred[to] for to in unique if to in state.deferred},
        skipped=tuple(to for to in unique if to in state.skipped),
        resolved_delivered=resolved_delivered,
        resent=resent,
        journal=journal_path,
    )


def _progress(done: int, total: int, sent_now: int, elapsed: float) -> BulkProgress:
    rate = sent_now / elapsed if elapsed > 0 else 0.0
    eta = (total - done) / rate if rate > 0 else None
    return BulkProgress(sent=done, total=total, rate=rate, eta_seconds=eta)


def stderr_progress(update: BulkProgress) -> None:
    """Progress and ETA on stderr, one line each report."""
    sys.stderr.write(update.line() + "\n")
    sys.stderr.flush()
