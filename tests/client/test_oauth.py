"""OAuth 1.0a signing, checked against an independent RFC 5849 computation."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

import pytest

from magento_ir import InvalidArgumentError, OAuth1Credentials, SearchCriteria, set_testing
from magento_ir._core.encoding import encode_query
from tests.client._support import CLIENT_KINDS, call, close, json_response, make_client

if TYPE_CHECKING:
    import httpx

CONSUMER_SECRET = "consumer-secret"
TOKEN_SECRET = "token-secret"
CREDENTIALS = OAuth1Credentials(
    "cccccccccccccccccccccccccccccccc",
    CONSUMER_SECRET,
    "tttttttttttttttttttttttttttttttt",
    TOKEN_SECRET,
)
VECTOR_URL = (
    "https://shop.example.com/rest/V1/customers/search?"
    "searchCriteria%5Bfilter_groups%5D%5B0%5D%5Bfilters%5D%5B0%5D%5Bfield%5D=email"
    "&searchCriteria%5Bfilter_groups%5D%5B0%5D%5Bfilters%5D%5B0%5D%5Bvalue%5D=%25%40example.com"
    "&searchCriteria%5Bfilter_groups%5D%5B0%5D%5Bfilters%5D%5B0%5D%5Bcondition_type%5D=like"
    "&searchCriteria%5BpageSize%5D=50&searchCriteria%5BcurrentPage%5D=1"
)
EMPTY_PAGE = {"items": [], "search_criteria": {"filter_groups": []}, "total_count": 0}


def _rfc3986(text: str) -> str:
    return quote(text, safe="-._~")


def _header_params(authorization: str) -> dict[str, str]:
    assert authorization.startswith("OAuth ")
    params = {}
    for part in authorization.removeprefix("OAuth ").split(", "):
        name, _, quoted = part.partition("=")
        params[name] = unquote(quoted.strip('"'))
    return params


def _independent_signature(request: httpx.Request, oauth: dict[str, str]) -> str:
    """RFC 5849 §3.4 written out by hand: base string from the request as sent, HMAC-SHA256."""
    base_uri = f"{request.url.scheme}://{request.url.netloc.decode()}{request.url.raw_path.decode().split('?')[0]}"
    pairs = []
    query = request.url.query.decode()
    for piece in query.split("&") if query else []:
        name, _, value = piece.partition("=")
        pairs.append((unquote(name), unquote(value)))
    pairs += [(name, value) for name, value in oauth.items() if name != "oauth_signature"]
    encoded = sorted((_rfc3986(name), _rfc3986(value)) for name, value in pairs)
    parameter_string = "&".join(f"{name}={value}" for name, value in encoded)
    base_string = "&".join([request.method.upper(), _rfc3986(base_uri), _rfc3986(parameter_string)])
    key = f"{_rfc3986(CONSUMER_SECRET)}&{_rfc3986(TOKEN_SECRET)}"
    digest = hmac.new(key.encode(), base_string.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def test_reference_test_vector() -> None:
    """The signature of the magento-api.md §2.6 test vector is the one Magento computes."""
    authorization = CREDENTIALS.authorization(
        "GET", VECTOR_URL, nonce="n0nc3", timestamp="1700000000"
    )
    params = _header_params(authorization)
    assert params["oauth_signature"] == "NoV+fva3WJUnFXC9WjaSed/UhJ/0/ZxxQbNv55Nhbs4="
    assert params["oauth_signature_method"] == "HMAC-SHA256"


def test_criteria_encode_to_the_test_vector_query() -> None:
    """The searchCriteria builder produces the test vector's query string byte for byte."""
    criteria = SearchCriteria().where("email", "like", "%@example.com").page(50, 1)
    assert encode_query(criteria.to_params().items()) == VECTOR_URL.split("?", 1)[1]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_signed_get_with_brackets_and_awkward_sku(kind: str) -> None:
    """Bracketed searchCriteria and a SKU with `/`, `+` and a space sign as RFC 5849 says."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/products"):
            return json_response(200, EMPTY_PAGE)
        return json_response(200, {"sku": "IR/SKU+1 x", "id": 7})

    client = make_client(kind, handler, auth=CREDENTIALS)
    criteria = SearchCriteria().where("sku", "eq", "IR/SKU+1 x@y%").page(20, 1)
    await call(client.products.list(criteria))
    await call(client.products.retrieve("IR/SKU+1 x"))
    await close(client)

    listing, single = seen
    assert b"+" not in listing.url.query
    assert "%5Bfilter_groups%5D" in str(listing.url)
    assert single.url.raw_path == b"/rest/V1/products/IR%2FSKU%2B1%20x"
    for request in seen:
        oauth = _header_params(request.headers["Authorization"])
        assert oauth["oauth_signature_method"] == "HMAC-SHA256"
        assert oauth["oauth_signature"] == _independent_signature(request, oauth)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_each_attempt_gets_a_new_nonce(kind: str) -> None:
    """A retried signed GET carries a fresh nonce: Magento refuses a nonce it has seen."""
    nonces: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        nonces.append(_header_params(request.headers["Authorization"])["oauth_nonce"])
        return json_response(503 if len(nonces) == 1 else 200, {"sku": "A", "id": 1})

    set_testing(True)
    try:
        client = make_client(kind, handler, auth=CREDENTIALS)
        await call(client.products.retrieve("A"))
        await close(client)
    finally:
        set_testing(False)
    assert len(nonces) == 2
    assert nonces[0] != nonces[1]


def test_two_digit_index_is_refused_under_oauth() -> None:
    """An 11th filter group cannot be signed the way Magento checks it: refused up front."""
    criteria = SearchCriteria()
    for index in range(11):
        criteria = criteria.where(f"field{index}", "eq", index)
    url = "https://shop.example.com/rest/V1/products?" + encode_query(criteria.to_params().items())
    with pytest.raises(InvalidArgumentError, match="index of 10 or more"):
        CREDENTIALS.authorization("GET", url)


def test_empty_index_is_refused_under_oauth() -> None:
    """`name[]` pairs are signed differently by Magento, so explicit indexes are required."""
    with pytest.raises(InvalidArgumentError, match="explicit indexes"):
        CREDENTIALS.authorization("GET", "https://a/rest/V1/store/storeConfigs?storeCodes%5B%5D=de")


def test_sha1_is_selectable_and_sha256_is_default() -> None:
    """HMAC-SHA256 is the default; HMAC-SHA1 can be chosen for Magento 2.4.0-2.4.3."""
    sha1 = OAuth1Credentials("k", "cs", "t", "ts", signature_method="HMAC-SHA1")
    assert 'oauth_signature_method="HMAC-SHA1"' in sha1.authorization("GET", "https://a/rest/V1/x")
    assert 'oauth_signature_method="HMAC-SHA256"' in CREDENTIALS.authorization(
        "GET", "https://a/rest/V1/x"
    )
