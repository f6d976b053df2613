"""Redaction of secrets for logs, reprs and exception messages.

Text a server sends back (error bodies, GraphQL errors, plain-text 500 pages, debug dumps) may
echo what it was sent or what it holds: tokens, passwords, session cookies. `redact_text` is
applied to every such text before it reaches `str()`, `repr()` or a log line.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from magento_ir._core.encoding import encode_query

if TYPE_CHECKING:
    from magento_ir._exceptions import JSONValue

REDACTED = "[REDACTED]"
# Key fragments that mark a secret in a JSON body or query string (compared without _ and -).
_SECRET_KEY_PARTS = ("password", "secret", "token", "signature", "passcode", "otp")
# Further fragments for names in text a server wrote: API keys, session ids, auth headers.
_SECRET_NAME_PARTS = ("apikey", "sessid", "sessionid", "authorization", "cookie", "credential")
# Short names that are secrets when they stand alone (`key=`, `sid=`, `code=`, `auth=`; the
# Magento admin session cookie is called `admin`, the CSRF token `form_key`).
_SECRET_NAMES = frozenset({"key", "sid", "code", "auth", "session", "admin", "formkey", "pwd"})
_OAUTH_PARAM = re.compile(r'(oauth_[a-z_]+)="[^"]*"')
_BEARER = re.compile(r"(?i)\b(bearer)\s+[^\s,'\"]+")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^\s/]*@")
# `Authorization: ...`, `Cookie: ...`, `Set-Cookie: ...` header lines: the rest of the line.
_HEADER_LINE = re.compile(
    r"(?i)\b((?:proxy-)?authorization|(?:set-)?cookie)([ \t]*:[ \t]*)[^\r\n]+"
)
# `"name": "value"`, `'name': 'value'` and header tuples `(b'Set-Cookie', b'value')`.
_QUOTED_PAIR = re.compile(
    r"""b?(["'])([\w.\[\]-]+)\1(\s*[:,]\s*)b?(["'])((?:(?!\4)[^\\]|\\.)*)\4"""
)
# `name=value` as in query strings, cookies and form bodies.
_EQUALS_PAIR = re.compile(r"""(?<![\w.\[\]-])([\w.\[\]-]+)=("[^"]*"|'[^']*'|[^\s&;,"'<>)]*)""")
# `password: value` in prose (strong secret names only, so `code: 500` stays readable).
_COLON_PAIR = re.compile(r"""(?<![\w.-])([\w.-]+)([ \t]*:[ \t]*)([^\s,;'"]+)""")


def is_secret_key(name: str) -> bool:
    """Whether a field or parameter name holds a secret (password, token, signature, OTP...)."""
    normalised = name.lower().replace("_", "").replace("-", "")
    return any(part in normalised for part in _SECRET_KEY_PARTS)


def _is_strong_secret_name(name: str) -> bool:
    normalised = name.lower().replace("_", "").replace("-", "")
    return is_secret_key(name) or any(part in normalised for part in _SECRET_NAME_PARTS)


def is_secret_name(name: str) -> bool:
    """Whether a name in server text or a URL marks a secret value (also `key`, `sid`, `code`)."""
    normalised = name.lower().replace("_", "").replace("-", "")
    return _is_strong_secret_name(name) or normalised in _SECRET_NAMES


def redact_url(url: str) -> str:
    """The URL with user info dropped and secret-named query values replaced."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    pairs = [
        (name, REDACTED if is_secret_name(name) else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit((parts.scheme, netloc, parts.path, encode_query(pairs), parts.fragment))


def display_url(text: str) -> str:
    """A base URL as typed, fit to echo in an error: any `user:password@` replaced."""
    scheme, separator, rest = text.partition("://")
    if not separator:
        scheme, rest = "", text
    authority_end = min((rest.find(mark) for mark in "/?#" if mark in rest), default=len(rest))
    at = rest.rfind("@", 0, authority_end)
    if at < 0:
        return text
    return f"{scheme}{separator}{REDACTED}@{rest[at + 1 :]}"


def _quoted(match: re.Match[str]) -> str:
    if not is_secret_name(match.group(2)):
        return match.group(0)
    quote = match.group(4)
    prefix = match.group(0)[: match.start(4) - match.start(0)]
    return f"{prefix}{quote}{REDACTED}{quote}"


def _equals(match: re.Match[str]) -> str:
    if not is_secret_name(match.group(1)):
        return match.group(0)
    value = match.group(2)
    quote = value[0] if value[:1] in {'"', "'"} else ""
    return f"{match.group(1)}={quote}{REDACTED}{quote}"


def _colon(match: re.Match[str]) -> str:
    if not _is_strong_secret_name(match.group(1)) or match.group(3) == REDACTED:
        return match.group(0)
    return f"{match.group(1)}{match.group(2)}{REDACTED}"


def redact_text(text: str) -> str:
    """Free text with tokens, JWTs, secret-named values, cookies and URL passwords replaced."""
    text = _URL_USERINFO.sub(rf"\1{REDACTED}@", text)
    text = _HEADER_LINE.sub(rf"\1\2{REDACTED}", text)
    text = _OAUTH_PARAM.sub(rf'\1="{REDACTED}"', text)
    text = _QUOTED_PAIR.sub(_quoted, text)
    text = _EQUALS_PAIR.sub(_equals, text)
    text = _COLON_PAIR.sub(_colon, text)
    text = _BEARER.sub(rf"\1 {REDACTED}", text)
    return _JWT.sub(REDACTED, text)


def redact_json(value: JSONValue) -> JSONValue:
    """Decoded JSON from a server with every string redacted and secret-named values replaced."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, list):
        return [redact_json(item) for item in value]
    if isinstance(value, dict):
        return {
            key: REDACTED if is_secret_name(str(key)) else redact_json(item)
            for key, item in value.items()
        }
    return value
