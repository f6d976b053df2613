"""vcrpy cassettes that are safe to commit (public through `magento_ir.testing`).

`magento_vcr()` (or `vcr_config()` for pytest-recording's `vcr_config` fixture) records HTTP
exchanges into `cassettes/` and scrubs every interaction *before* it is written: Authorization,
Cookie and Set-Cookie headers, JWTs anywhere, token / password / OTP / OAuth-secret fields in JSON,
form and query data (GraphQL arguments included), and e-mail addresses outside example.com, which
become stable pseudonyms at example.com. `find_cassette_secrets()` checks a written cassette.

The scrubbers are pure functions; vcrpy is imported only by `magento_vcr()` (it is a dev extra).
See docs/cassettes.md for recording against a real store.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import io
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

if TYPE_CHECKING:
    from collections.abc import Mapping, MutableMapping

__all__ = [
    "ALLOWED_EMAIL_DOMAIN",
    "DEFAULT_PSEUDONYM_KEY",
    "REDACTED",
    "find_cassette_secrets",
    "magento_vcr",
    "pseudonymize_email",
    "scrub_body",
    "scrub_headers",
    "scrub_json",
    "scrub_request",
    "scrub_response",
    "scrub_text",
    "scrub_uri",
    "vcr_config",
]

# What every scrubbed secret becomes: plain letters survive URL- and form-encoding unchanged.
REDACTED = "REDACTED"
# The one e-mail domain allowed in a cassette (RFC 2606 reserved); every other address is replaced.
ALLOWED_EMAIL_DOMAIN = "example.com"
# Default key of the e-mail pseudonyms. Public, so anyone can confirm a guessed address: set
# MAGENTO_IR_CASSETTE_KEY to a private value when recording real customers (docs/cassettes.md).
DEFAULT_PSEUDONYM_KEY = b"magento-ir-cassettes"
PSEUDONYM_KEY_ENV = "MAGENTO_IR_CASSETTE_KEY"
RECORD_MODE_ENV = "MAGENTO_IR_RECORD_MODE"

# Header values replaced wholesale (request and response side).
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})

# Field names (compared lower-case without `_` / `-`) whose values are secrets: Magento's
# `password`, `currentPassword`, `newPassword`, `passwordHash`, `otp`, `passcode`, `resetToken`,
# `tfaToken`, GraphQL `token`, OAuth's `oauth_token`, `oauth_token_secret`, `oauth_consumer_key`,
# `oauth_signature`, `oauth_verifier`, consumer / access-token secrets, and Duo `signatureResponse`.
_SECRET_KEY_SUFFIXES = (
    "password",
    "passwordhash",
    "otp",
    "passcode",
    "token",
    "secret",
    "consumerkey",
    "signature",
    "signatureresponse",
    "verifier",
)

# A JWT or JWE: base64url JSON header ("eyJ" is `{"`), then 2 to 4 more dot-separated parts.
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){2,4}")
# A bare opaque token as pre-2.4.4 token routes and integrations answer it: 32 lower-case alnum.
_OPAQUE_TOKEN = re.compile(r"[a-z0-9]{32}")
# An e-mail address, also with the `@` percent-encoded as it appears in query strings.
_EMAIL = re.compile(
    r"(?P<local>[A-Za-z0-9._%+-]+)(?P<at>@|%40)(?P<domain>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"
)
# A secret argument inside GraphQL text (`password: "..."`) or raw JSON text (`"password": "..."`).
_QUOTED_SECRET_ARGUMENT = re.compile(
    r"""(?P<name>\b(?:password|currentPassword|newPassword|otp|passcode|token)"?\s*:\s*)"""
    r'''"(?:[^"\\]|\\.)*"'''
)


class _RecordedRequest(Protocol):
    """The parts of a `vcr.request.Request` the scrubber reads and replaces."""

    uri: str
    body: object  # bytes, str, a file-like copy or an iterator of chunks

    @property
    def headers(self) -> MutableMapping[str, str]: ...

    @headers.setter
    def headers(self, value: Mapping[str, str]) -> None: ...


RequestT = TypeVar("RequestT", bound=_RecordedRequest)


def _is_secret_key(name: str) -> bool:
    normalized = name.lower().replace("_", "").replace("-", "")
    return normalized.endswith(_SECRET_KEY_SUFFIXES)


def _is_secret_value(value: object) -> bool:
    # Strings and numbers (an OTP may be sent as a number). Objects under a secret-sounding name,
    # like GraphQL's `generateCustomerToken { token }`, are searched instead; flags are not secrets.
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def pseudonymize_email(address: str, *, key: bytes = DEFAULT_PSEUDONYM_KEY) -> str:
    """A stable stand-in at example.com for an address elsewhere; example.com ones stay as they are.

    The same address (case-insensitively) always maps to the same pseudonym under the same key, so
    a cassette stays consistent: the customer a search found is the customer a later GET returns.
    """
    local, _, domain = address.rpartition("@")
    if domain.lower() == ALLOWED_EMAIL_DOMAIN:
        return address
    digest = hmac.new(key, address.lower().encode(), hashlib.sha256).hexdigest()[:12]
    return f"user-{digest}@{ALLOWED_EMAIL_DOMAIN}" if local else address


def scrub_text(text: str, *, key: bytes = DEFAULT_PSEUDONYM_KEY) -> str:
    """Text with JWTs and quoted secret arguments redacted and foreign e-mails pseudonymized."""
    text = _JWT.sub(REDACTED, text)
    text = _QUOTED_SECRET_ARGUMENT.sub(lambda match: f'{match["name"]}"{REDACTED}"', text)

    def replace_email(match: re.Match[str]) -> str:
        encoded = match["at"] != "@"
        local = unquote(match["local"]) if encoded else match["local"]
        pseudonym = pseudonymize_email(f"{local}@{match['domain']}", key=key)
        if pseudonym.lower() == f"{local}@{match['domain']}".lower():
            return match[0]
        return pseudonym.replace("@", "%40") if encoded else pseudonym

    return _EMAIL.sub(replace_email, text)


def scrub_json(value: Any, *, key: bytes = DEFAULT_PSEUDONYM_KEY) -> Any:  # noqa: ANN401 - any JSON
    """A decoded JSON value with secret fields redacted and every string run through scrub_text."""
    if isinstance(value, dict):
        return {
            name: REDACTED
            if _is_secret_key(name) and _is_secret_value(item)
            else scrub_json(item, key=key)
            for name, item in value.items()
        }
    if isinstance(value, list):
        return [scrub_json(item, key=key) for item in value]
    if isinstance(value, str):
        return scrub_text(value, key=key)
    return value


def _scrub_pairs(pairs: list[tuple[str, str]], *, key: bytes) -> list[tuple[str, str]]:
    return [
        (name, REDACTED if _is_secret_key(name) else scrub_text(value, key=key))
        for name, value in pairs
    ]


def scrub_uri(uri: str, *, key: bytes = DEFAULT_PSEUDONYM_KEY) -> str:
    """A URL with secret query parameters redacted and e-mails in path and query pseudonymized.

    The query is re-encoded only when something changed, so clean URLs stay byte-identical.
    """
    parts = urlsplit(uri)
    parts = parts._replace(path=scrub_text(parts.path, key=key))
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    scrubbed = _scrub_pairs(pairs, key=key)
    if scrubbed != pairs:
        parts = parts._replace(query=urlencode(scrubbed))
    scrubbed_uri = urlunsplit(parts)
    return uri if scrubbed_uri == urlunsplit(urlsplit(uri)) else scrubbed_uri


def _is_bare_token(value: object) -> bool:
    return isinstance(value, str) and _OPAQUE_TOKEN.fullmatch(value) is not None


def scrub_body(body: bytes | None, *, key: bytes = DEFAULT_PSEUDONYM_KEY) -> bytes | None:
    """A request or response body with its secrets removed: JSON structurally (a bare JSON-string
    token answer becomes `"REDACTED"`), form data pair by pair, anything else as text.

    Bodies that are not UTF-8 (images, archives) are returned unchanged.
    """
    if not body:
        return body
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return body
    try:
        decoded = json.loads(text)
    except ValueError:
        decoded = None
    else:
        scrubbed = REDACTED if _is_bare_token(decoded) else scrub_json(decoded, key=key)
        if scrubbed == decoded:
            return body
        return json.dumps(scrubbed, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False)
    if pairs and "=" in text and not any(character.isspace() for character in text):
        scrubbed_pairs = _scrub_pairs(pairs, key=key)
        return body if scrubbed_pairs == pairs else urlencode(scrubbed_pairs).encode("utf-8")
    scrubbed_text = scrub_text(text, key=key)
    return body if scrubbed_text == text else scrubbed_text.encode("utf-8")


def scrub_headers(
    headers: Mapping[str, Any], *, key: bytes = DEFAULT_PSEUDONYM_KEY
) -> dict[str, Any]:
    """Headers with credentials and cookies replaced by REDACTED and other values scrubbed as text.

    Values may be strings (vcrpy requests) or lists of strings (vcrpy responses); shapes are kept.
    """

    def scrub_value(name: str, value: str) -> str:
        return REDACTED if name.lower() in _SECRET_HEADERS else scrub_text(value, key=key)

    return {
        name: [scrub_value(name, item) for item in value]
        if isinstance(value, list)
        else scrub_value(name, value)
        for name, value in headers.items()
    }


def _with_content_length(headers: dict[str, Any], length: int) -> dict[str, Any]:
    # A scrubbed body is shorter or longer than the original: keep the header truthful for replay.
    return {
        name: ([str(length)] if isinstance(value, list) else str(length))
        if name.lower() == "content-length"
        else value
        for name, value in headers.items()
    }


def _as_bytes(body: object) -> bytes | None:
    # vcrpy hands over bytes, str, a fresh file-like copy or an iterator of chunks. A body we
    # cannot read must stop the recording rather than be written unscrubbed.
    if body is None or isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, io.IOBase):
        return _as_bytes(body.read())
    if isinstance(body, Iterable):
        return b"".join(_as_bytes(chunk) or b"" for chunk in body)
    raise TypeError(f"cannot scrub a body of type {type(body).__name__}; refusing to record it")


def scrub_request(request: RequestT, *, key: bytes = DEFAULT_PSEUDONYM_KEY) -> RequestT:
    """A scrubbed copy of a vcrpy request (headers, URL query, body); the original is untouched."""
    scrubbed = copy.copy(request)
    headers = scrub_headers(request.headers, key=key)
    scrubbed.uri = scrub_uri(request.uri, key=key)
    original = request.body
    body = _as_bytes(original)
    scrubbed_body = scrub_body(body, key=key)
    if scrubbed_body != body:
        # vcrpy replays a chunked body as an iterator over what is stored: store one chunk.
        chunked = not isinstance(original, bytes | str | io.IOBase) and original is not None
        scrubbed.body = [scrubbed_body] if chunked else scrubbed_body
        headers = _with_content_length(headers, len(scrubbed_body or b""))
    scrubbed.headers = headers
    return scrubbed


def scrub_response(
    response: Mapping[str, Any], *, key: bytes = DEFAULT_PSEUDONYM_KEY
) -> dict[str, Any]:
    """A scrubbed copy of a vcrpy response dict (`status`, `headers`, `body.string`)."""
    scrubbed = copy.deepcopy(dict(response))
    scrubbed["headers"] = scrub_headers(response.get("headers", {}), key=key)
    body = scrubbed.get("body")
    if isinstance(body, dict):
        content = _as_bytes(body.get("string"))
        scrubbed_content = scrub_body(content, key=key)
        if scrubbed_content != content:
            body["string"] = scrubbed_content
            scrubbed["headers"] = _with_content_length(
                scrubbed["headers"], len(scrubbed_content or b"")
            )
    return scrubbed


def _pseudonym_key() -> bytes:
    configured = os.environ.get(PSEUDONYM_KEY_ENV)
    return configured.encode("utf-8") if configured else DEFAULT_PSEUDONYM_KEY


def vcr_config(
    cassette_library_dir: str | os.PathLike[str] = "cassettes",
    *,
    record_mode: str | None = None,
    pseudonym_key: bytes | None = None,
) -> dict[str, Any]:
    """Keyword arguments for `vcr.VCR(...)` (or pytest-recording's `vcr_config` fixture).

    JSON cassettes under `cassette_library_dir`, compressed responses decoded so their bodies can
    be scrubbed, and every interaction scrubbed before it is written. `record_mode` defaults to
    `$MAGENTO_IR_RECORD_MODE`, else `"none"`: replay only, so a missing cassette fails instead of
    calling a live store. `pseudonym_key` defaults to `$MAGENTO_IR_CASSETTE_KEY`, else the public
    DEFAULT_PSEUDONYM_KEY.
    """
    key = pseudonym_key if pseudonym_key is not None else _pseudonym_key()

    def before_record_request(request: _RecordedRequest) -> _RecordedRequest:
        return scrub_request(request, key=key)

    def before_record_response(response: Mapping[str, Any]) -> dict[str, Any]:
        return scrub_response(response, key=key)

    def with_json_suffix(path: str) -> str:
        return path if path.endswith(".json") else f"{path}.json"

    return {
        "cassette_library_dir": os.fspath(Path(cassette_library_dir)),
        "serializer": "json",
        "path_transformer": with_json_suffix,
        "record_mode": record_mode or os.environ.get(RECORD_MODE_ENV) or "none",
        "decode_compressed_response": True,
        "before_record_request": before_record_request,
        "before_record_response": before_record_response,
        "match_on": ("method", "scheme", "host", "port", "path", "query"),
    }


def magento_vcr(
    cassette_library_dir: str | os.PathLike[str] = "cassettes",
    *,
    record_mode: str | None = None,
    pseudonym_key: bytes | None = None,
) -> Any:  # noqa: ANN401 - vcrpy ships no type information
    """A `vcr.VCR` configured by `vcr_config()`: `with magento_vcr().use_cassette("x"): ...`."""
    import vcr  # noqa: PLC0415 - vcrpy is a dev extra; import it only when a cassette is used

    return vcr.VCR(
        **vcr_config(cassette_library_dir, record_mode=record_mode, pseudonym_key=pseudonym_key)
    )


def _hint(secret: str) -> str:
    # Enough to find the spot in the file, never the secret itself (findings end up in CI logs).
    return f"{secret[:4]}... ({len(secret)} chars)"


_PASSWORD_TEXT = re.compile(
    r"""(?i)\b(?P<name>password|currentpassword|newpassword|otp|passcode)\b\\?["']?\s*[:=]\s*\\?["']?"""
    r"""(?P<value>[^"'\\\s,&}]*)"""
)
_GRAPHQL_VARIABLE = re.compile(r"\$[_A-Za-z][_0-9A-Za-z]*\)?$")
_AUTHORIZATION_TEXT = re.compile(
    r"""(?i)\bauthorization\b["']?\s*[:=]\s*(?:-\s+)?\[?\s*["']?(?P<value>[^"'\s\]]+)"""
)


def _text_findings(where: str, text: str) -> list[str]:
    findings = [f"{where}: JWT {_hint(match[0])}" for match in _JWT.finditer(text)]
    for candidate in (text, unquote(text)):
        findings.extend(
            f"{where}: e-mail outside {ALLOWED_EMAIL_DOMAIN} at {_hint(match[0])}"
            for match in _EMAIL.finditer(candidate)
            if match["domain"].lower() != ALLOWED_EMAIL_DOMAIN
        )
    findings.extend(
        f"{where}: {match['name']} with value {_hint(match['value'])}"
        for match in _PASSWORD_TEXT.finditer(text)
        if match["value"] not in {REDACTED, "", "null", "None"}
        # `password: $p` in a GraphQL document names a variable (scrubbed as a field).
        and not _GRAPHQL_VARIABLE.match(match["value"])
    )
    findings.extend(
        f"{where}: Authorization value {_hint(match['value'])}"
        for match in _AUTHORIZATION_TEXT.finditer(text)
        if match["value"] != REDACTED
    )
    return sorted(set(findings))


def _json_findings(where: str, value: object) -> list[str]:
    if isinstance(value, dict):
        findings: list[str] = []
        for name, item in value.items():
            if _is_secret_key(name) and _is_secret_value(item) and item != REDACTED:
                findings.append(f"{where}.{name}: secret field with value {_hint(str(item))}")
            else:
                findings.extend(_json_findings(f"{where}.{name}", item))
        return findings
    if isinstance(value, list):
        return [
            found
            for index, item in enumerate(value)
            for found in _json_findings(f"{where}[{index}]", item)
        ]
    return []


def _body_findings(where: str, body: object) -> list[str]:
    if not isinstance(body, str) or not body:
        return []
    try:
        return _json_findings(where, json.loads(body))
    except ValueError:
        pairs = parse_qsl(body, keep_blank_values=True) if "=" in body else []
        return [
            f"{where}: form field {name} with value {_hint(value)}"
            for name, value in pairs
            if _is_secret_key(name) and value != REDACTED
        ]


def _interaction_findings(index: int, interaction: Mapping[str, Any]) -> list[str]:
    findings: list[str] = []
    for side in ("request", "response"):
        part = interaction.get(side) or {}
        where = f"interactions[{index}].{side}"
        for name, values in (part.get("headers") or {}).items():
            if name.lower() in _SECRET_HEADERS:
                findings.extend(
                    f"{where}.headers.{name}: value {_hint(str(value))}"
                    for value in (values if isinstance(values, list) else [values])
                    if value != REDACTED
                )
        body = part.get("body")
        body = body.get("string") if isinstance(body, dict) else body
        findings.extend(_body_findings(f"{where}.body", body))
        if side == "request":
            query = urlsplit(str(part.get("uri", ""))).query
            findings.extend(
                f"{where}.uri: query parameter {name} with value {_hint(value)}"
                for name, value in parse_qsl(query, keep_blank_values=True)
                if _is_secret_key(name) and value != REDACTED
            )
    return findings


def find_cassette_secrets(text: str) -> list[str]:
    """What in a cassette file (or any committed text) looks like a secret; empty when clean.

    Flags JWTs, e-mails outside example.com, password / OTP values, Authorization values other
    than REDACTED and, in vcrpy JSON cassettes, every secret header, body field or query parameter
    left unredacted. Findings name the place and show 4 characters, never the whole secret.
    """
    findings = _text_findings("text", text)
    try:
        cassette = json.loads(text)
    except ValueError:
        return findings
    if isinstance(cassette, dict) and isinstance(cassette.get("interactions"), list):
        for index, interaction in enumerate(cassette["interactions"]):
            if isinstance(interaction, dict):
                findings.extend(_interaction_findings(index, interaction))
    return findings
