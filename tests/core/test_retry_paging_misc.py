"""Retry decisions, page maths, JWT expiry, TOTP, URLs and redaction."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest

from magento_ir import ConfigurationError, InvalidArgumentError, SearchCriteria
from magento_ir._core.jwt import is_expired, jwt_expiry
from magento_ir._core.paging import (
    has_more_keyset_pages,
    has_more_pages,
    keyset_criteria,
    keyset_position,
    last_page,
)
from magento_ir._core.redact import (
    display_url,
    is_secret_key,
    is_secret_name,
    redact_json,
    redact_text,
    redact_url,
)
from magento_ir._core.retry import (
    Failure,
    RetryPolicy,
    backoff_delay,
    may_repeat,
    parse_retry_after,
    should_retry,
)
from magento_ir._core.search_criteria import KeysetField
from magento_ir._core.totp import decode_secret, hotp, totp
from magento_ir._core.urls import (
    build_query,
    check_plaintext_credentials,
    check_rest_path,
    is_loopback_host,
    parse_base_url,
)
from tests.client._support import load_recording

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("method", "idempotent", "status", "failure", "done", "expected"),
    [
        ("GET", None, 503, None, 0, True),
        ("HEAD", None, 408, None, 0, True),
        ("GET", None, 500, None, 0, False),
        ("GET", None, 429, None, 2, False),
        ("POST", None, 503, None, 0, False),
        ("POST", True, 503, None, 0, True),
        ("GET", False, 503, None, 0, False),
        ("POST", None, None, Failure.CONNECT, 0, True),
        ("POST", None, None, Failure.TRANSPORT, 0, False),
        ("GET", None, None, Failure.TRANSPORT, 1, True),
        ("GET", None, None, Failure.UNREACHABLE, 0, False),
    ],
)
def test_should_retry(  # noqa: PLR0917 - one parametrised case per row
    method: str,
    idempotent: bool | None,
    status: int | None,
    failure: Failure | None,
    done: int,
    expected: bool,
) -> None:
    """Reads and idempotent writes retry on 408/429/502/503/504; unsent requests always may."""
    assert (
        should_retry(
            method=method,
            idempotent=idempotent,
            status_code=status,
            failure=failure,
            retries_done=done,
            max_retries=2,
        )
        is expected
    )


def test_may_repeat_is_case_insensitive() -> None:
    """`get` counts as a safe method."""
    assert may_repeat("get", None)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, None),
        ("  ", None),
        ("12", 12.0),
        ("soon", None),
        ("Sun, 22 Nov 2026 10:00:30 GMT", 30.0),
        ("Sun, 22 Nov 2026 09:59:00 GMT", 0.0),
    ],
)
def test_parse_retry_after(header: str | None, seconds: float | None) -> None:
    """Retry-After in delta-seconds or HTTP-date; past dates mean now; junk is ignored."""
    assert parse_retry_after(header, NOW) == seconds


def test_backoff() -> None:
    """Exponential from 0.5 s capped at 8 s, minus up to 25% jitter; Retry-After capped at 60 s."""
    policy = RetryPolicy()
    assert [backoff_delay(n, 0.0, policy) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert backoff_delay(0, 1.0, policy) == 0.375
    assert backoff_delay(0, 0.5, policy, retry_after=600.0) == 60.0
    assert backoff_delay(0, 0.5, policy, retry_after=-3.0) == 0.0


def test_page_maths() -> None:
    """Offset paging stops by total_count or an empty page; keyset when a page held every match."""
    assert has_more_pages(page=1, page_size=3, total_count=7, items_on_page=3)
    assert not has_more_pages(page=3, page_size=3, total_count=7, items_on_page=1)
    assert not has_more_pages(page=2, page_size=3, total_count=70, items_on_page=0)
    assert (last_page(7, 3), last_page(6, 3), last_page(0, 3)) == (3, 2, 0)
    assert has_more_keyset_pages(items_on_page=3, total_count=5)
    assert not has_more_keyset_pages(items_on_page=3, total_count=3)
    assert not has_more_keyset_pages(items_on_page=0, total_count=3)


def test_keyset_criteria_keep_user_filters() -> None:
    """Keyset criteria AND the user's filters with `id gt last`, sort by id ASC, page 1."""
    key = KeysetField("entity_id", "entity_id")
    params = keyset_criteria(SearchCriteria().where("state", "eq", "new"), key, 41, 100).to_params()
    assert params["searchCriteria[filter_groups][1][filters][0][field]"] == "entity_id"
    assert params["searchCriteria[filter_groups][1][filters][0][value]"] == "41"
    assert params["searchCriteria[filter_groups][1][filters][0][condition_type]"] == "gt"
    assert params["searchCriteria[currentPage]"] == "1"


@pytest.mark.parametrize(("value", "position"), [(7, 7), ("12", 12)])
def test_keyset_position(value: object, position: int) -> None:
    """Ids come as ints (or digit strings from some stores)."""
    assert keyset_position(value, KeysetField("entity_id")) == position


@pytest.mark.parametrize("value", [None, True, "x1", 1.5])
def test_keyset_position_needs_an_integer_id(value: object) -> None:
    """Without an integer id keyset paging cannot continue, and says which key is missing."""
    with pytest.raises(InvalidArgumentError, match="'id'"):
        keyset_position(value, KeysetField("entity_id"))


def _jwt(claims: object) -> str:
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"eyJraWQiOiIxIiwiYWxnIjoiSFMyNTYifQ.{body}.sig"


def test_jwt_expiry() -> None:
    """`exp` is read from real-shaped tokens; anything unreadable has no expiry."""
    recorded = load_recording("auth_admin_token_ok")["response"]["body"]
    assert jwt_expiry(recorded) == 1795343224
    assert jwt_expiry("opaque-token") is None
    assert jwt_expiry("a.!!!.c") is None
    assert jwt_expiry(_jwt([1])) is None
    assert jwt_expiry(_jwt({"exp": True})) is None
    assert jwt_expiry(_jwt({"uid": 1})) is None


def test_is_expired_with_leeway() -> None:
    """A token counts as expired 30 s before `exp`; tokens without `exp` never expire."""
    token = _jwt({"exp": 1000})
    assert not is_expired(token, now=969)
    assert is_expired(token, now=970)
    assert not is_expired("opaque", now=10**12)


RFC6238_SHA1 = b"12345678901234567890"
RFC6238_SHA256 = b"12345678901234567890123456789012"
RFC6238_SHA512 = b"1234567890123456789012345678901234567890123456789012345678901234"


@pytest.mark.parametrize(
    ("time", "sha1", "sha256", "sha512"),
    [
        (59, "94287082", "46119246", "90693936"),
        (1111111109, "07081804", "68084774", "25091201"),
        (1111111111, "14050471", "67062674", "99943326"),
        (1234567890, "89005924", "91819424", "93441116"),
        (2000000000, "69279037", "90698825", "38618901"),
        (20000000000, "65353130", "77737706", "47863826"),
    ],
)
def test_rfc6238_vectors(time: int, sha1: str, sha256: str, sha512: str) -> None:
    """TOTP matches RFC 6238 Appendix B for SHA1/256/512, 8 digits, and the 6-digit tail."""
    assert totp(RFC6238_SHA1, time, digits=8) == sha1
    assert totp(RFC6238_SHA256, time, digits=8, algorithm="sha256") == sha256
    assert totp(RFC6238_SHA512, time, digits=8, algorithm="sha512") == sha512
    assert totp(RFC6238_SHA1, time) == sha1[2:]


def test_rfc4226_hotp_and_base32_secrets() -> None:
    """HOTP matches RFC 4226's first vector; base32 secrets ignore spaces, case and padding."""
    assert hotp(RFC6238_SHA1, 0) == "755224"
    assert decode_secret("gezd gnbv gy3t qojq gezd gnbv gy3t qojq") == RFC6238_SHA1


def test_url_helpers() -> None:
    """Store-scoped URLs, the GraphQL endpoint, and path checks."""
    store = parse_base_url("https://shop.example.com/shop", store="de")
    assert (
        store.rest_url("/async/bulk/V1/products/bySku")
        == "https://shop.example.com/shop/rest/de/async/bulk/V1/products/bySku"
    )
    assert store.graphql_url() == "https://shop.example.com/shop/graphql"
    assert (
        store.with_store(None).rest_url("/V1/x", "a=1")
        == "https://shop.example.com/shop/rest/V1/x?a=1"
    )
    with pytest.raises(InvalidArgumentError):
        check_rest_path("/V1/products?x=1")
    with pytest.raises(ConfigurationError, match="store code"):
        store.with_store("all stores")


def test_build_query() -> None:
    """Flat parameters encode in order, booleans as Magento's 1/0, nothing for no parameters."""
    assert build_query({"editMode": True, "forceReload": False, "storeId": 2}) == (
        "editMode=1&forceReload=0&storeId=2"
    )
    assert build_query(None) == ""
    assert build_query({}) == ""


def test_redaction() -> None:
    """Secret-named query values, bearer tokens, JWTs and OAuth header values are replaced."""
    assert (
        redact_url("https://u:p@shop/rest/V1/x?access_token=abc&sku=A")
        == "https://shop/rest/V1/x?access_token=%5BREDACTED%5D&sku=A"
    )
    assert is_secret_key("newPassword")
    assert is_secret_key("oauth_signature")
    assert not is_secret_key("searchCriteria[pageSize]")
    text = 'Bearer abc.def OAuth oauth_token="t1", oauth_signature="s1" eyJa.eyJb.c'
    redacted = redact_text(text)
    for secret in ("abc.def", "t1", "s1", "eyJa.eyJb.c"):
        assert secret not in redacted


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("password=pw1&sku=A", "password=[REDACTED]&sku=A"),
        ('oauth_token="t1"', 'oauth_token="[REDACTED]"'),
        ("key=k1 sid=s1 code=c1 auth=a1 country_code=DE", None),
        ("Set-Cookie: PHPSESSID=abc; path=/\nnext", "Set-Cookie: [REDACTED]\nnext"),
        ("[(b'Set-Cookie', b'c1'), (b'Content-Type', b'text/html')]", None),
        ('{"password": "p \\" w", "sku": "A"}', '{"password": "[REDACTED]", "sku": "A"}'),
        ("password: pw1, user: bob", "password: [REDACTED], user: bob"),
        ("Error code: 500", "Error code: 500"),
        ("see https://u:p@ss@shop/x", "see https://[REDACTED]@shop/x"),
    ],
)
def test_redact_text_cases(text: str, expected: str | None) -> None:
    """Secret-named values in every form servers write them are replaced; the rest is kept."""
    redacted = redact_text(text)
    if expected is not None:
        assert redacted == expected
    for secret in ("k1", "s1", "c1", "a1"):
        assert f"={secret}" not in redacted
        assert f"'{secret}'" not in redacted
    assert "country_code=DE" in redacted or "country_code" not in text
    assert "Content-Type', b'text/html'" in redacted or "Content-Type" not in text


def test_redact_json_and_display_url() -> None:
    """JSON from a server: secret-named values and secrets in strings go; URLs lose user info."""
    value = {"password": "x", "items": ["Bearer t1", 3, None], "n": 1}
    assert redact_json(value) == {
        "password": "[REDACTED]",
        "items": ["Bearer [REDACTED]", 3, None],
        "n": 1,
    }
    assert display_url("user:pw@shop.example.com") == "[REDACTED]@shop.example.com"
    assert display_url("https://u:p@ss@shop/rest") == "https://[REDACTED]@shop/rest"
    assert display_url("https://shop/a@b") == "https://shop/a@b"
    assert display_url("https://shop") == "https://shop"
    assert is_secret_name("PHPSESSID")
    assert is_secret_name("sid")
    assert not is_secret_name("sku")


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("localhost", True),
        ("LOCALHOST.", True),
        ("store.localhost", True),
        ("127.0.0.1", True),
        ("127.9.9.9", True),
        ("[::1]", True),
        ("10.0.0.1", False),
        ("shop.example.com", False),
        ("localhost.example.com", False),
    ],
)
def test_is_loopback_host(host: str, expected: bool) -> None:
    """Only this machine counts as loopback: 127/8, ::1, localhost and *.localhost."""
    assert is_loopback_host(host) is expected


def test_check_plaintext_credentials() -> None:
    """Credentials over http:// to another host are refused unless allowed; else no-op."""
    remote = parse_base_url("http://shop.example.com/magento")
    with pytest.raises(ConfigurationError, match=r"https://shop\.example\.com/magento"):
        check_plaintext_credentials(remote, sends_credentials=True, allow_insecure_http=False)
    for sends, allow in ((False, False), (True, True)):
        check_plaintext_credentials(remote, sends_credentials=sends, allow_insecure_http=allow)
    for url in ("https://shop.example.com", "http://127.0.0.1:8080"):
        check_plaintext_credentials(
            parse_base_url(url), sends_credentials=True, allow_insecure_http=False
        )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://[::1", "is not a valid URL"),
        ("https://" + "a" * 70_000, "characters long"),
        ("https://" + "a" * 64 + ".example.com", "longer than DNS allows"),
        ("https://" + "ab." * 90 + "com", "longer than DNS allows"),
    ],
)
def test_a_malformed_or_oversized_base_url_is_a_configuration_error(url: str, message: str):
    """Never a ValueError from urlsplit or httpx's 'URL too long' later: one clear error now."""
    with pytest.raises(ConfigurationError, match=message) as raised:
        parse_base_url(url)
    assert len(str(raised.value)) < 400
