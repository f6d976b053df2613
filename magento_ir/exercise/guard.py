"""The exercise guard: an exercise's messages reach its roster and nobody else (issue 15, item 2).

Three layers, so no code on the exercise path can reach a real regulator or customer:

1. The guard builds every channel itself, from the roster, and sends only by channel name
   (`send("war-room", message)`, `send("smtp", message)`): there is no way to hand it a
   production channel.
2. Before anything is sent, every recipient of the message (each e-mail address; the channel's
   endpoint) is checked against the roster; one outsider refuses the whole message.
3. While it sends, the guard is installed at the channels' transport seam
   (`notify.channels.guarded_delivery`): every HTTP request and every SMTP recipient of *any*
   channel in that context is checked too, so a channel built elsewhere is refused as well.

Every message is marked EXERCISE (`mark`): subject, text, HTML, the structured details (a
webhook event's `details`, PagerDuty's `custom_details`, a ServiceNow description, Slack
fields, an Adaptive Card's facts), its idempotency key and its incident id (so a PagerDuty
dedup key or a ServiceNow correlation id can never merge with a real incident's).

Errors::

    MagentoIRError
    └── ExerciseGuardError          a recipient or endpoint is not on the exercise's roster
"""

from __future__ import annotations

import hashlib
import html
import os
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from magento_ir._exceptions import ConfigurationError, MagentoIRError
from magento_ir.notify import channels as _channels
from magento_ir.notify.channels import guarded_delivery
from magento_ir.notify.channels.chat import SLACK_API_URL
from magento_ir.notify.channels.pagerduty import EVENTS_URL

if TYPE_CHECKING:
    import ssl
    from collections.abc import Callable, Iterable, Iterator, Mapping

    from magento_ir.exercise.roster import Roster, RosterChannel
    from magento_ir.notify.channels import Channel, Message, Receipt
    from magento_ir.notify.record import DeliveryRecorder

__all__ = ["BANNER", "MARK", "ExerciseGuard", "ExerciseGuardError", "mark"]

MARK = "[EXERCISE]"
BANNER = (
    "EXERCISE - this is a drill ({run}), not a real incident. Act on it only within the "
    "exercise; never forward it to a regulator, a customer or anyone outside the drill."
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


class ExerciseGuardError(MagentoIRError):
    """A recipient (an e-mail address, or an endpoint shown as scheme://host:port with a short
    hash of its full URL) is not on the exercise's roster; nothing was sent."""

    def __init__(self, channel: str, recipient: str, roster: str) -> None:
        self.channel = channel
        self.recipient = recipient
        super().__init__(
            f"exercise guard: refusing {channel} to {recipient}: it is not on the exercise's "
            f"contact list ({roster}); nothing was sent. An exercise reaches only its roster: "
            "if this recipient takes part, add them to the roster ([[participants]] email, "
            "observers, or a [[channels]] entry); otherwise take them out of the exercise"
        )


def mark(message: Message, run_id: str) -> Message:
    """The message marked EXERCISE everywhere a person or a system reads it (idempotent)."""
    if message.details.get("exercise") == run_id and message.subject.startswith(MARK):
        return message
    banner = BANNER.format(run=run_id)
    subject = message.subject if message.subject.startswith(MARK) else f"{MARK} {message.subject}"
    shown = f"<p><strong>{html.escape(banner)}</strong></p>"
    return replace(
        message,
        key=message.key
        if message.key.startswith("exercise:")
        else f"exercise:{run_id}:{message.key}",
        incident_id=(
            message.incident_id
            if message.incident_id.startswith("EXERCISE-")
            else f"EXERCISE-{message.incident_id}"
        ),
        subject=subject,
        text=f"{banner}\n\n{message.text}\n\n{banner}",
        html=None if message.html is None else f"{shown}\n{message.html}\n{shown}",
        # First, so it survives the channels' limits on the number of fields.
        details={
            "exercise": run_id,
            **{k: v for k, v in message.details.items() if k != "exercise"},
        },
    )


def _normal(url: str) -> tuple[str, str, int, str, str]:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    port = parts.port or _DEFAULT_PORTS.get(scheme, 0)
    return scheme, (parts.hostname or "").lower(), port, parts.path.rstrip("/"), parts.query


def _fingerprint(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:12]


class ExerciseGuard:
    """The roster as the only reachable world: builds the exercise's channels, marks and
    checks every message, and guards the transport seam while sending.

    `environ` holds the roster's secrets (passwords, tokens, webhook URLs); `ssl_context`
    is used by every channel it builds (a test CA on loopback, say).
    """

    def __init__(
        self,
        roster: Roster,
        *,
        run_id: str,
        environ: Mapping[str, str] | None = None,
        ssl_context: ssl.SSLContext | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.roster = roster
        self.run_id = run_id
        self._environ = os.environ if environ is None else environ
        self._ssl_context = ssl_context
        self._sleep = sleep
        self._addresses = frozenset(roster.addresses())
        self._urls: list[tuple[str, str, int, str, str]] = []
        self._channels: dict[str, Channel] = {}
        smtp = roster.smtp
        if (
            smtp is not None
            and smtp.username is not None
            and not self._environ.get(smtp.password_env)
        ):
            # Found now, before a drill starts, rather than at the first inject.
            raise ConfigurationError(f"[smtp]: set {smtp.password_env} (the SMTP password)")
        for entry in roster.channels:
            url = entry.resolved_url(self._environ) or _default_url(entry)
            self._urls.append(_normal(url))
            self._channels[entry.name] = self._build(entry, url)

    @property
    def shown(self) -> str:
        return f"roster {self.roster.title!r}"

    # The DeliveryGuard protocol (notify.channels): consulted at the transport seam.
    def check_address(self, channel: str, address: str) -> None:
        if address.strip().lower() not in self._addresses:
            raise ExerciseGuardError(channel, address, self.shown)

    def check_url(self, channel: str, url: str, shown: str) -> None:
        scheme, host, port, path, query = _normal(url)
        for a_scheme, a_host, a_port, a_path, a_query in self._urls:
            if (scheme, host, port) != (a_scheme, a_host, a_port):
                continue
            if not (path == a_path or path.startswith(f"{a_path}/")):
                continue
            if a_query and query != a_query:
                continue
            return
        raise ExerciseGuardError(channel, f"{shown} (URL sha256 {_fingerprint(url)}…)", self.shown)

    @property
    def channel_names(self) -> tuple[str, ...]:
        """What `send` accepts: "smtp" (when the roster has a mail server) and each channel."""
        return (*(("smtp",) if self.roster.smtp else ()), *self._channels)

    def check(self, name: str, message: Message) -> Message:
        """The message as it would be sent on `name`, marked; raises before anything is sent
        when any recipient is not on the roster."""
        marked = mark(message, self.run_id)
        if name == "smtp":
            if self.roster.smtp is None:
                raise ConfigurationError("the roster has no [smtp]: add host and sender")
            if not marked.recipients:
                raise ConfigurationError("an e-mailed inject needs recipients from the roster")
            for address in marked.recipients:
                self.check_address("smtp", address)
        elif name not in self._channels:
            raise ExerciseGuardError(name, f"channel {name!r}", self.shown)
        return marked

    def send(
        self, name: str, message: Message, *, recorder: DeliveryRecorder | None = None
    ) -> Receipt:
        """Mark, check every recipient, then send on the roster's channel `name` with the
        guard installed at the transport seam; through `recorder` (a notify DeliveryRecorder)
        the attempt and its receipt go into the evidence log. An outsider is refused before
        anything is sent or recorded."""
        marked = self.check(name, message)
        with guarded_delivery(self), self._target(name) as channel:
            if recorder is None:
                return channel.send(marked)
            return recorder.deliver(channel, marked, obligation=None)

    @contextmanager
    def _target(self, name: str) -> Iterator[Channel]:
        if name != "smtp":
            yield self._channels[name]
            return
        with self._mail() as mail:
            yield mail

    def recipients_for(self, roles: Iterable[str] = ()) -> tuple[str, ...]:
        """The e-mail addresses of the participants in `roles` (everyone when empty)."""
        wanted = set(roles)
        return tuple(
            person.email.lower()
            for person in self.roster.participants
            if person.email and (not wanted or wanted.intersection(person.roles))
        )

    def channels_for(self, roles: Iterable[str] = ()) -> tuple[str, ...]:
        """The shared channels watched by any of `roles` (all of them when empty, and those
        that name no roles always)."""
        wanted = set(roles)
        return tuple(
            entry.name
            for entry in self.roster.channels
            if not wanted or not entry.roles or wanted.intersection(entry.roles)
        )

    def _secret(self, entry: RosterChannel, key: str) -> str:
        name = getattr(entry, key)
        value = self._environ.get(name, "") if name else ""
        if not value:
            raise ConfigurationError(
                f"channel {entry.name!r}: set {name} (the exercise's {entry.kind} credential)"
            )
        return value

    def _retry_args(self) -> dict[str, Any]:
        return {} if self._sleep is None else {"sleep": self._sleep}

    def _build(self, entry: RosterChannel, url: str) -> Channel:
        context, extra = self._ssl_context, self._retry_args()
        try:
            if entry.kind == "slack-webhook":
                return _channels.SlackWebhookChannel(url, ssl_context=context, **extra)
            if entry.kind == "teams":
                return _channels.TeamsWorkflowChannel(url, ssl_context=context, **extra)
            if entry.kind == "slack":
                return _channels.SlackChannel(
                    self._secret(entry, "token_env"), entry.slack_channel or "",
                    api_url=url, ssl_context=context, **extra,
                )  # fmt: skip
            if entry.kind == "pagerduty":
                return _channels.PagerDutyChannel(
                    self._secret(entry, "routing_key_env"), source="magento-ir-exercise",
                    store="exercise", url=url, ssl_context=context, **extra,
                )  # fmt: skip
            if entry.kind == "servicenow":
                token = self._environ.get(entry.token_env or "") or None
                return _channels.ServiceNowChannel(
                    url,
                    username=None if token else self._secret(entry, "user_env"),
                    password=None if token else self._secret(entry, "password_env"),
                    token=token, table=entry.table, ssl_context=context, **extra,
                )  # fmt: skip
            return _channels.SignedWebhookChannel(
                url, self._secret(entry, "secret_env").encode(), ssl_context=context, **extra
            )
        except ValueError as error:
            raise ConfigurationError(f"channel {entry.name!r}: {error}") from None

    def _mail(self) -> _channels.SmtpChannel:
        smtp = self.roster.smtp
        if smtp is None:  # pragma: no cover - check() refused already
            raise ConfigurationError("the roster has no [smtp]: add host and sender")
        password = None if smtp.username is None else self._environ[smtp.password_env]
        try:
            return _channels.SmtpChannel(
                smtp.host, smtp.port, sender=smtp.sender, username=smtp.username,
                password=password, security=smtp.security, ssl_context=self._ssl_context,
            )  # fmt: skip
        except ValueError as error:
            raise ConfigurationError(f"[smtp]: {error}") from None


def _default_url(entry: RosterChannel) -> str:
    return EVENTS_URL if entry.kind == "pagerduty" else SLACK_API_URL
