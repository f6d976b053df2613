"""Bulk notices: messages per second through the journaled outbox vs a plain smtplib loop.

Both send the same notice (text + HTML, one message per recipient, the same bytes) over one
reused SMTP connection to the same local server, run alternately `--rounds` times; the figures
are each side's median. The outbox also writes its journal (intents fsynced per group of
`--batch`, outcomes written at once) and checks every reply, which is what it costs to be
exactly-once and resumable.

The server runs in its own process: by default a minimal SMTP sink (asyncio, no TLS, answers
as Postfix does, PIPELINING offered: the outbox then sends MAIL, RCPT and DATA in one write,
which smtplib's sendmail cannot), so the client is what is measured; `--server aiosmtpd`
uses aiosmtpd instead (slower: the server then bounds both sides).

Goal (issue 13): at least 1,000 messages/s on 2 cores and at least 0.8 of the plain loop.
Not a timed test: it prints the figures.

    python benchmarks/notify_bulk.py [--messages 20000] [--rounds 3] [--server sink|aiosmtpd]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import smtplib
import statistics
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from _goals import goal

from magento_ir.notify.channels import Message, SmtpChannel
from magento_ir.notify.outbox import NoticeTemplate, send_bulk

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

SENDER = "privacy@shop.example"
GOAL = 1_000
NOTICE = Message(
    key="INC-BENCH:customer-notice",
    incident_id="INC-BENCH",
    subject="Important: your personal data was involved in a data breach",
    text=("We are writing to tell you that some of your personal data was involved. " * 6 + "\n")
    * 12,
    html="<!doctype html><html lang='en'><body>"
    + "<p>We are writing to tell you that some of your personal data was involved.</p>" * 30
    + "</body></html>",
)


class _Sink(asyncio.Protocol):
    """Just enough SMTP: EHLO/HELO, MAIL, RCPT, DATA ... CRLF.CRLF, RSET, NOOP, QUIT."""

    queued = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]
        self.buffer = b""
        self.in_data = False
        transport.write(b"220 sink ESMTP\r\n")  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            if self.in_data:
                end = self.buffer.find(b"\r\n.\r\n")
                if end < 0:
                    return
                self.buffer = self.buffer[end + 5 :]
                self.in_data = False
                _Sink.queued += 1
                self.transport.write(f"250 2.0.0 Ok: queued as {_Sink.queued:X}\r\n".encode())
                continue
            end = self.buffer.find(b"\r\n")
            if end < 0:
                return
            line, self.buffer = self.buffer[:end], self.buffer[end + 2 :]
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.transport.write(b"250-sink\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
            elif verb == b"DATA":
                self.in_data = True
                self.buffer = b"\r\n" + self.buffer  # the end mark may follow at once
                self.transport.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
            elif verb == b"QUIT":
                self.transport.write(b"221 2.0.0 Bye\r\n")
                self.transport.close()
                return
            else:
                self.transport.write(b"250 2.0.0 Ok\r\n")


def _serve(pipe: Connection, kind: str) -> None:
    if kind == "aiosmtpd":
        from aiosmtpd.controller import Controller  # noqa: PLC0415

        class Handler:
            async def handle_DATA(self, *_args: object) -> str:  # noqa: N802 - aiosmtpd's hook
                return "250 2.0.0 Ok: queued"

        controller = Controller(Handler(), hostname="127.0.0.1", port=0)
        controller.start()
        pipe.send(controller.server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        pipe.recv()
        controller.stop()
        return

    async def run() -> None:
        server = await asyncio.get_running_loop().create_server(_Sink, "127.0.0.1", 0)
        pipe.send(server.sockets[0].getsockname()[1])
        await asyncio.get_running_loop().run_in_executor(None, pipe.recv)
        server.close()

    asyncio.run(run())


def _plain(port: int, people: list[str]) -> float:
    template = NoticeTemplate(NOTICE, sender=SENDER)
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for person in people:
            smtp.sendmail(SENDER, [person], template.render(person, template.message_id(person)))
    return len(people) / (time.perf_counter() - started)


def _outbox(port: int, people: list[str], batch: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        channel = SmtpChannel("127.0.0.1", port, sender=SENDER, security="none")
        started = time.perf_counter()
        with channel:
            result = send_bulk(channel, NOTICE, people, Path(folder) / "outbox.jsonl", batch=batch)
        elapsed = time.perf_counter() - started
    assert result.delivered == len(people), result  # noqa: S101 - a benchmark's sanity check
    return len(people) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--server", choices=["sink", "aiosmtpd"], default="sink")
    args = parser.parse_args()

    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=_serve, args=(child, args.server), daemon=True)
    server.start()
    port = parent.recv()
    plain: list[float] = []
    outbox: list[float] = []
    try:
        for round_number in range(args.rounds):
            people = [f"p{round_number}-{n:06d}@example.com" for n in range(args.messages)]
            plain.append(_plain(port, people))
            outbox.append(_outbox(port, people, args.batch))
            print(f"round {round_number + 1}: plain {plain[-1]:,.0f} msg/s, "
                  f"outbox {outbox[-1]:,.0f} msg/s")  # fmt: skip
    finally:
        parent.send("stop")
        server.join(10)
    plain_rate, outbox_rate = statistics.median(plain), statistics.median(outbox)
    size = len(NoticeTemplate(NOTICE, sender=SENDER).render("p@example.com", "<m@x>"))
    print(f"{args.messages:,} messages of {size:,} bytes to a local {args.server} server, "
          f"median of {args.rounds} rounds:")  # fmt: skip
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"  (load average {load} on {os.cpu_count()} cores: figures drop on a busy machine)")
    print(f"  plain smtplib loop (one connection): {plain_rate:,.0f} msg/s")
    print(f"  outbox (journaled, exactly once):     {outbox_rate:,.0f} msg/s")
    print(
        f"  ratio outbox / plain: {outbox_rate / plain_rate:.2f} (goal >= 0.80); "
        f"goal >= 1,000 msg/s: {'met' if outbox_rate >= GOAL else 'NOT met'}"
    )
    # The same verdicts for run_all's table: paired per round, on the median.
    goal("bulk notices: outbox msg/s", outbox, ">=", GOAL, spec=",.0f")
    ratios = [ours / theirs for ours, theirs in zip(outbox, plain, strict=True)]
    goal("bulk notices: outbox ÷ plain smtplib loop", ratios, ">=", 0.8, spec=".2f")


if __name__ == "__main__":
    main()
