"""Cassettes are scrubbed before they are written, and no committed cassette holds a secret.

`python -m tests.test_cassettes` re-records cassettes/scrubbing_demo.json from the local exchange
below (an httpx.MockTransport answering like the 2.4.7 recordings); see cassettes/README.md.
"""

from __future__ import annotations

import copy
import gzip
import io
import json
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import vcr.request
from hypothesis import given, settings
from hypothesis import strategies as st

from magento_ir import AdminCredentials, MagentoClient, OAuth1Credentials
from magento_ir.testing import (
    DEFAULT_PSEUDONYM_KEY,
    REDACTED,
    find_cassette_secrets,
    magento_vcr,
    pseudonymize_email,
    scrub_body,
    scrub_headers,
    scrub_json,
    scrub_request,
    scrub_response,
    scrub_text,
    scrub_uri,
    vcr_config,
)
from tests.conftest import RECORDINGS_DIR, REPO_ROOT

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

CASSETTES_DIR = REPO_ROOT / "cassettes"
DEMO_CASSETTE = "scrubbing_demo"
STORE = "https://store.example.com"

# Stand-ins for what a real recording session handles; none of them may reach a cassette.
ADMIN_PASSWORD = "Admin123!local"
CUSTOMER_PASSWORD = "Customer123!local"
TOTP_CODE = "492039"
CUSTOMER_EMAIL = "jane.doe@shopper-mail.test"
OAUTH_HEADER = (
    'OAuth oauth_consumer_key="cccccccccccccccccccccccccccccccc", oauth_nonce="n0nc3", '
    'oauth_signature="NoV%2Bfva3WJUnFXC9WjaSed%2FUhJ%2F0%2FZxxQbNv55Nhbs4%3D", '
    'oauth_signature_method="HMAC-SHA256", oauth_timestamp="1700000000", '
    'oauth_token="tttttttttttttttttttttttttttttttt", oauth_version="1.0"'
)
SECRETS = [
    ADMIN_PASSWORD,
    CUSTOMER_PASSWORD,
    TOTP_CODE,
    CUSTOMER_EMAIL,
    "cccccccccccccccccccccccccccccccc",
    "tttttttttttttttttttttttttttttttt",
    "NoV",
    "eyJ",
]


def recorded_body(name: str) -> Any:
    recording = json.loads((RECORDINGS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return recording["response"]["body"]


def magento_response(status: int, body: object) -> httpx.Response:
    # Success headers exactly as 2.4.7 sends them (error responses lack X-Frame-Options).
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if status < 400:
        headers["X-Frame-Options"] = "SAMEORIGIN"
    return httpx.Response(status, headers=headers, content=json.dumps(body).encode())


def customer_search_page() -> dict[str, Any]:
    customer = {**recorded_body("customer_me_ok"), "email": CUSTOMER_EMAIL}
    email_filter = {"field": "email", "value": CUSTOMER_EMAIL, "condition_type": "eq"}
    return {
        "items": [customer],
        "search_criteria": {"filter_groups": [{"filters": [email_filter]}], "page_size": 1},
        "total_count": 1,
    }


# Route -> (needs a token, body). Token answers are the recorded (signature-redacted) JWTs.
DEMO_ROUTES: dict[tuple[str, str], tuple[bool, Callable[[], object]]] = {
    ("POST", "/rest/V1/integration/admin/token"): (
        False,
        lambda: recorded_body("auth_admin_token_ok"),
    ),
    ("POST", "/rest/V1/tfa/provider/google/authenticate"): (
        False,
        lambda: recorded_body("auth_admin_token_ok"),
    ),
    ("POST", "/graphql"): (
        False,
        lambda: {
            "data": {"generateCustomerToken": {"token": recorded_body("auth_customer_token_ok")}}
        },
    ),
    ("GET", "/rest/V1/customers/search"): (True, customer_search_page),
    ("GET", "/rest/V1/customers/3"): (
        True,
        lambda: {**recorded_body("customer_me_ok"), "email": CUSTOMER_EMAIL},
    ),
    ("GET", "/rest/V1/products/IR-SKU-001"): (True, lambda: recorded_body("product_get")),
}


def demo_store(request: httpx.Request) -> httpx.Response:
    """A loopback stand-in for a 2.4.7 store: the routes the demo uses, with recorded bodies."""
    route = DEMO_ROUTES.get((request.method, request.url.path))
    if route is None:
        return magento_response(404, recorded_body("err_route_not_found"))
    needs_token, body = route
    if needs_token and "authorization" not in request.headers:
        return magento_response(401, recorded_body("auth_no_token"))
    return magento_response(200, body())


def run_demo_exchange(client: httpx.Client) -> list[Any]:
    """The requests of the demo cassette; returns each response's decoded JSON body."""
    admin_token = client.post(
        "/rest/V1/integration/admin/token", json={"username": "admin", "password": ADMIN_PASSWORD}
    ).json()
    tfa_token = client.post(
        "/rest/V1/tfa/provider/google/authenticate",
        json={"username": "admin", "password": ADMIN_PASSWORD, "otp": TOTP_CODE},
    ).json()
    bearer = {"Authorization": f"Bearer {admin_token}"}
    search = client.get(
        "/rest/V1/customers/search",
        params={
            "searchCriteria[filter_groups][0][filters][0][field]": "email",
            "searchCriteria[filter_groups][0][filters][0][value]": CUSTOMER_EMAIL,
            "searchCriteria[filter_groups][0][filters][0][condition_type]": "eq",
            "searchCriteria[pageSize]": "1",
        },
        headers=bearer,
    ).json()
    customer = client.get("/rest/V1/customers/3", headers=bearer).json()
    mutation = (
        f'mutation {{ generateCustomerToken(email: "{CUSTOMER_EMAIL}", '
        f'password: "{CUSTOMER_PASSWORD}") {{ token }} }}'
    )
    graphql = client.post("/graphql", json={"query": mutation}).json()
    product = client.get(
        "/rest/V1/products/IR-SKU-001", headers={"Authorization": OAUTH_HEADER}
    ).json()
    return [admin_token, tfa_token, search, customer, graphql, product]


def demo_client(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.Client:
    # Fixed headers so a re-recording is byte-for-byte reproducible on any httpx version.
    headers = {"User-Agent": "magento-ir-cassette-demo", "Accept-Encoding": "identity"}
    return httpx.Client(base_url=STORE, transport=httpx.MockTransport(handler), headers=headers)


def record_demo_cassette(library: Path) -> Path:
    """Record the demo exchange through the scrubbing vcr into `library`; returns the file."""
    recorder = magento_vcr(library, record_mode="all", pseudonym_key=DEFAULT_PSEUDONYM_KEY)
    with recorder.use_cassette(DEMO_CASSETTE), demo_client(demo_store) as client:
        run_demo_exchange(client)
    return library / f"{DEMO_CASSETTE}.json"


def interactions(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))["interactions"]


# --- committed cassettes --------------------------------------------------------------------


def committed_files() -> list[Path]:
    return sorted(path for path in CASSETTES_DIR.rglob("*") if path.is_file())


def test_cassette_directory_holds_the_demo_and_a_readme() -> None:
    """cassettes/ has the recorded demo cassette and the README explaining recording."""
    names = {path.name for path in committed_files()}
    assert {f"{DEMO_CASSETTE}.json", "README.md"} <= names


@pytest.mark.parametrize("path", committed_files(), ids=lambda path: path.name)
def test_committed_file_holds_no_secret(path: Path) -> None:
    """No file under cassettes/ contains a JWT, credential, password, OTP or foreign e-mail."""
    assert find_cassette_secrets(path.read_text(encoding="utf-8")) == []


def test_fresh_recording_equals_the_committed_demo(tmp_path: Path) -> None:
    """Recording the demo exchange again produces exactly the committed (scrubbed) cassette."""
    fresh = record_demo_cassette(tmp_path)
    assert interactions(fresh) == interactions(CASSETTES_DIR / f"{DEMO_CASSETTE}.json")


def test_fresh_recording_contains_none_of_the_secrets_sent(tmp_path: Path) -> None:
    """Passwords, the OTP, tokens, OAuth values and the customer's address never reach the file."""
    text = record_demo_cassette(tmp_path).read_text(encoding="utf-8")
    leaked = [secret for secret in SECRETS if secret in text]
    assert leaked == []
    assert find_cassette_secrets(text) == []


def test_committed_demo_replays_without_the_store() -> None:
    """The committed cassette answers the demo's requests (secrets and all) without a transport."""

    def no_network(request: httpx.Request) -> httpx.Response:
        pytest.fail(f"the cassette should have answered {request.method} {request.url}")

    replayer = magento_vcr(CASSETTES_DIR, record_mode="none", pseudonym_key=DEFAULT_PSEUDONYM_KEY)
    with replayer.use_cassette(DEMO_CASSETTE), demo_client(no_network) as client:
        admin_token, tfa_token, search, customer, graphql, product = run_demo_exchange(client)
    pseudonym = pseudonymize_email(CUSTOMER_EMAIL)
    assert admin_token == REDACTED
    assert tfa_token == REDACTED
    assert search["items"][0]["email"] == pseudonym
    assert search["search_criteria"]["filter_groups"][0]["filters"][0]["value"] == pseudonym
    assert customer["email"] == pseudonym
    assert graphql == {"data": {"generateCustomerToken": {"token": REDACTED}}}
    assert product == recorded_body("product_get")


def test_sdk_client_traffic_is_scrubbed_and_replays(tmp_path: Path) -> None:
    """The SDK's own admin login and OAuth-signed calls record clean and replay offline."""
    admin = AdminCredentials("admin", ADMIN_PASSWORD)
    integration = OAuth1Credentials(
        "cccccccccccccccccccccccccccccccc",
        "consumer-secret-value",
        "tttttttttttttttttttttttttttttttt",
        "token-secret-value",
    )
    recorder = magento_vcr(tmp_path, record_mode="all")
    with recorder.use_cassette("sdk"):
        for auth in (admin, integration):
            with MagentoClient(STORE, auth=auth, transport=httpx.MockTransport(demo_store)) as c:
                assert c.products.retrieve("IR-SKU-001").sku == "IR-SKU-001"
    text = (tmp_path / "sdk.json").read_text(encoding="utf-8")
    assert find_cassette_secrets(text) == []
    assert [s for s in [*SECRETS, "consumer-secret-value", "token-secret-value"] if s in text] == []

    def no_network(request: httpx.Request) -> httpx.Response:
        pytest.fail(f"the cassette should have answered {request.method} {request.url}")

    with magento_vcr(tmp_path, record_mode="none").use_cassette("sdk"):
        for auth in (AdminCredentials("admin", "any"), integration):
            with MagentoClient(STORE, auth=auth, transport=httpx.MockTransport(no_network)) as c:
                assert c.products.retrieve("IR-SKU-001").custom_attribute("url_key") == (
                    "incident-test-product-1"
                )


# --- the scan fails on dirty copies ---------------------------------------------------------

REAL_JWT = recorded_body("auth_admin_token_ok")


def _set_request_header(cassette: dict[str, Any], name: str, value: str) -> None:
    cassette["interactions"][2]["request"]["headers"][name] = [value]


def _set_request_body(cassette: dict[str, Any], field: str, value: str) -> None:
    request = cassette["interactions"][1]["request"]
    body = json.loads(request["body"])
    body[field] = value
    request["body"] = json.dumps(body)


def _set_response_body(cassette: dict[str, Any], value: object) -> None:
    cassette["interactions"][0]["response"]["body"]["string"] = json.dumps(value)


DIRTY_EDITS: dict[str, Callable[[dict[str, Any]], None]] = {
    "bearer header": lambda c: _set_request_header(c, "Authorization", f"Bearer {REAL_JWT}"),
    "opaque bearer header": lambda c: _set_request_header(c, "Authorization", "Bearer 0123abcd"),
    "oauth header": lambda c: _set_request_header(c, "Authorization", OAUTH_HEADER),
    "cookie header": lambda c: _set_request_header(c, "Cookie", "admin=0f3a9c"),
    "jwt answer": lambda c: _set_response_body(c, REAL_JWT),
    "token field": lambda c: _set_response_body(c, {"data": {"x": {"token": "0123abcd"}}}),
    "password field": lambda c: _set_request_body(c, "password", "hunter2"),
    "otp field": lambda c: _set_request_body(c, "otp", "123456"),
    "consumer secret": lambda c: _set_request_body(c, "consumer_secret", "s3cr3t"),
    "foreign email": lambda c: _set_response_body(c, {"email": "victim@gmail.com"}),
    "encoded email in uri": lambda c: c["interactions"][2]["request"].update(
        uri=f"{STORE}/rest/V1/customers/search?searchCriteria[value]=victim%40gmail.com"
    ),
    "oauth form body": lambda c: c["interactions"][1]["request"].update(
        body="oauth_consumer_key=abc&oauth_token=def"
    ),
    "oauth token in uri": lambda c: c["interactions"][2]["request"].update(
        uri=f"{STORE}/rest/V1/products?oauth_token=abcdef0123456789"
    ),
}


@pytest.mark.parametrize("edit", DIRTY_EDITS.values(), ids=DIRTY_EDITS.keys())
def test_scan_fails_on_a_dirty_copy(tmp_path: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    """A copy of the clean cassettes with one secret planted is reported by the scan."""
    shutil.copytree(CASSETTES_DIR, tmp_path / "cassettes")
    dirty_path = tmp_path / "cassettes" / f"{DEMO_CASSETTE}.json"
    cassette = json.loads(dirty_path.read_text(encoding="utf-8"))
    edit(cassette)
    dirty_path.write_text(json.dumps(cassette, indent=4), encoding="utf-8")
    findings = {
        path: find_cassette_secrets(path.read_text(encoding="utf-8"))
        for path in (tmp_path / "cassettes").rglob("*")
        if path.is_file()
    }
    assert findings[dirty_path] != []
    assert all(found == [] for path, found in findings.items() if path != dirty_path)


def test_findings_never_repeat_the_secret() -> None:
    """A finding names the place but shows only 4 characters, so CI logs do not leak it."""
    findings = find_cassette_secrets(f'{{"password": "hunter2-long-secret", "t": "{REAL_JWT}"}}')
    assert findings
    assert not any("hunter2-long-secret" in found or REAL_JWT in found for found in findings)


def test_scan_flags_authorization_lines_in_other_formats() -> None:
    """A YAML-style or HTTP-style Authorization line outside JSON cassettes is flagged too."""
    assert find_cassette_secrets("Authorization: Bearer abc.def\n") != []
    assert find_cassette_secrets("    authorization:\n    - OAuth oauth_token=x\n") != []
    assert find_cassette_secrets("Authorization: REDACTED\n") == []
    assert find_cassette_secrets("    Authorization:\n    - REDACTED\n") == []


# --- the scrubbers, one by one --------------------------------------------------------------


def test_pseudonym_is_stable_and_case_insensitive() -> None:
    """The same address, in any case, always maps to the same example.com pseudonym."""
    first = pseudonymize_email("Jane.Doe@Shopper-Mail.test")
    assert first == pseudonymize_email("jane.doe@shopper-mail.test")
    assert first.endswith("@example.com")
    assert "jane" not in first
    assert first != pseudonymize_email("john.doe@shopper-mail.test")


def test_pseudonym_depends_on_the_key() -> None:
    """A private key gives different pseudonyms, so public guesses cannot be confirmed."""
    assert pseudonymize_email(CUSTOMER_EMAIL, key=b"private") != pseudonymize_email(CUSTOMER_EMAIL)


def test_example_com_addresses_are_kept() -> None:
    """Addresses already at example.com (the recordings' seed customers) are not rewritten."""
    assert pseudonymize_email("ir.customer01@example.com") == "ir.customer01@example.com"
    assert scrub_text("mail ir.customer01@EXAMPLE.com now") == "mail ir.customer01@EXAMPLE.com now"


def test_scrub_text_redacts_jwts_and_graphql_secrets() -> None:
    """JWTs anywhere and `password:` / `otp:` / `token:` GraphQL arguments become REDACTED."""
    text = f'token={REAL_JWT}; mutation {{ x(email: "a@example.com", password: "p\\"w") }}'
    assert scrub_text(text) == (
        f'token={REDACTED}; mutation {{ x(email: "a@example.com", password: "{REDACTED}") }}'
    )


def test_scrub_text_pseudonymizes_encoded_addresses_consistently() -> None:
    """`jane%40shop.test` in a query becomes the same pseudonym as the plain address, encoded."""
    pseudonym = pseudonymize_email("jane+vip@shop.test")
    assert scrub_text("value=jane%2Bvip%40shop.test") == "value=" + pseudonym.replace("@", "%40")


def test_scrub_json_redacts_secret_fields_at_any_depth() -> None:
    """Secret-named fields are redacted wherever they sit; nulls stay null; others are kept."""
    body = {
        "customer": {"email": "a@example.com", "password_hash": "$2y$..."},
        "currentPassword": "old",
        "newPassword": "new",
        "resetToken": "r",
        "tfaToken": "t",
        "consumer_secret": "c",
        "access_token_secret": "a",
        "signatureResponse": "s",
        "token": None,
        "items": [{"oauth_verifier": "v", "sku": "A"}],
    }
    assert scrub_json(body) == {
        "customer": {"email": "a@example.com", "password_hash": REDACTED},
        "currentPassword": REDACTED,
        "newPassword": REDACTED,
        "resetToken": REDACTED,
        "tfaToken": REDACTED,
        "consumer_secret": REDACTED,
        "access_token_secret": REDACTED,
        "signatureResponse": REDACTED,
        "token": None,
        "items": [{"oauth_verifier": REDACTED, "sku": "A"}],
    }


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (json.dumps(REAL_JWT).encode(), json.dumps(REDACTED).encode()),
        (b'"0123456789abcdefghij0123456789ab"', json.dumps(REDACTED).encode()),
        (b'"pending"', b'"pending"'),
        (b"true", b"true"),
        (b'{"sku": "A"}', b'{"sku": "A"}'),
        (b"", b""),
        (None, None),
        (b"\xff\xd8\xff\xe0 jpeg", b"\xff\xd8\xff\xe0 jpeg"),
        (
            b"oauth_token=0123abcd&oauth_token_secret=4567efgh",
            b"oauth_token=REDACTED&oauth_token_secret=REDACTED",
        ),
        (
            b"<p>Mail jane@shop.test</p>",
            f"<p>Mail {pseudonymize_email('jane@shop.test')}</p>".encode(),
        ),
    ],
    ids=[
        "bare-jwt",
        "bare-opaque-token",
        "bare-status-string",
        "bare-true",
        "clean-json-untouched",
        "empty",
        "none",
        "binary",
        "oauth-handshake-form",
        "html",
    ],
)
def test_scrub_body(body: bytes | None, expected: bytes | None) -> None:
    """Token answers, form-encoded OAuth secrets and e-mails in text are scrubbed; the rest kept."""
    assert scrub_body(body) == expected


def test_scrub_uri_redacts_query_secrets_and_emails() -> None:
    """OAuth query parameters are redacted, addresses pseudonymized, clean URLs left identical."""
    clean = f"{STORE}/rest/V1/products?searchCriteria%5BpageSize%5D=5"
    assert scrub_uri(clean) == clean
    assert scrub_uri(f"{STORE}/rest/V1/products") == f"{STORE}/rest/V1/products"
    in_path = scrub_uri(f"{STORE}/rest/V1/x/jane@shop.test?a=1")
    assert in_path == f"{STORE}/rest/V1/x/{pseudonymize_email('jane@shop.test')}?a=1"
    scrubbed = scrub_uri(f"{STORE}/rest/V1/x?oauth_signature=abc&q=jane%40shop.test")
    pseudonym = pseudonymize_email("jane@shop.test").replace("@", "%40")
    assert scrubbed == f"{STORE}/rest/V1/x?oauth_signature=REDACTED&q={pseudonym}"


def test_scrub_headers_replaces_credentials_and_keeps_shape() -> None:
    """Authorization, Cookie and Set-Cookie become REDACTED; list values stay lists."""
    headers = {
        "Authorization": OAUTH_HEADER,
        "Proxy-Authorization": "Basic dXNlcjpwYXNz",
        "cookie": "PHPSESSID=abc",
        "Set-Cookie": ["admin=1; HttpOnly", "PHPSESSID=2"],
        "Content-Type": ["application/json"],
        "X-Reply-To": "ops@shop.test",
    }
    assert scrub_headers(headers) == {
        "Authorization": REDACTED,
        "Proxy-Authorization": REDACTED,
        "cookie": REDACTED,
        "Set-Cookie": [REDACTED, REDACTED],
        "Content-Type": ["application/json"],
        "X-Reply-To": pseudonymize_email("ops@shop.test"),
    }


def test_scrub_request_leaves_the_original_untouched() -> None:
    """scrub_request returns a scrubbed copy; the request it was given is not modified."""
    body = json.dumps({"username": "admin", "password": ADMIN_PASSWORD}).encode()
    original = vcr.request.Request(
        "POST", f"{STORE}/rest/V1/x?email=jane%40shop.test", body, {"Authorization": "Bearer a"}
    )
    scrubbed = scrub_request(original)
    assert json.loads(scrubbed.body) == {"username": "admin", "password": REDACTED}
    assert scrubbed.headers["Authorization"] == REDACTED
    assert "shop.test" not in scrubbed.uri
    assert original.body == body
    assert original.headers["Authorization"] == "Bearer a"
    assert original.uri.endswith("jane%40shop.test")


@pytest.mark.parametrize(
    "body",
    [
        io.BytesIO(b'{"password": "hunter2"}'),
        iter([b'{"password": ', b'"hunter2"}']),
        '{"password": "hunter2"}',
    ],
    ids=["file", "chunks", "str"],
)
def test_scrub_request_reads_every_body_shape(body: object) -> None:
    """File-like, chunked and text request bodies are read and scrubbed like bytes."""
    request = vcr.request.Request("POST", f"{STORE}/rest/V1/x", body, {})
    scrubbed = scrub_request(request).body
    if isinstance(scrubbed, io.IOBase):
        scrubbed = scrubbed.read()
    elif not isinstance(scrubbed, bytes):
        scrubbed = b"".join(scrubbed)
    assert json.loads(scrubbed) == {"password": REDACTED}


def test_scrub_body_refuses_what_it_cannot_read() -> None:
    """A body of an unknown type stops the recording instead of being written unscrubbed."""
    request = vcr.request.Request("POST", f"{STORE}/rest/V1/x", b"", {})
    request._body = 42
    with pytest.raises(TypeError, match="refusing to record"):
        scrub_request(request)


def test_scrub_response_without_body_keeps_status() -> None:
    """A response dict without a body (HEAD, 204) is scrubbed header by header only."""
    response = {"status": {"code": 204, "message": "No Content"}, "headers": {"Set-Cookie": ["a"]}}
    assert scrub_response(response) == {
        "status": {"code": 204, "message": "No Content"},
        "headers": {"Set-Cookie": [REDACTED]},
    }


def test_scrub_response_leaves_the_original_untouched() -> None:
    """scrub_response returns a scrubbed copy of vcrpy's response dict."""
    response = {
        "status": {"code": 200, "message": "OK"},
        "headers": {"Content-Type": ["application/json"]},
        "body": {"string": json.dumps(REAL_JWT).encode()},
    }
    before = copy.deepcopy(response)
    scrubbed = scrub_response(response)
    assert scrubbed["body"]["string"] == json.dumps(REDACTED).encode()
    assert scrubbed["status"] == {"code": 200, "message": "OK"}
    assert response == before


def test_vcr_config_replays_only_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without MAGENTO_IR_RECORD_MODE a cassette is replay-only; the variable opts in to record."""
    monkeypatch.delenv("MAGENTO_IR_RECORD_MODE", raising=False)
    assert vcr_config()["record_mode"] == "none"
    monkeypatch.setenv("MAGENTO_IR_RECORD_MODE", "once")
    assert vcr_config()["record_mode"] == "once"
    assert vcr_config(record_mode="all")["record_mode"] == "all"


def test_pseudonym_key_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """MAGENTO_IR_CASSETTE_KEY keys the pseudonyms written by a recording."""
    monkeypatch.setenv("MAGENTO_IR_CASSETTE_KEY", "private-key")

    def answer_email(_: httpx.Request) -> httpx.Response:
        return magento_response(200, {"email": CUSTOMER_EMAIL})

    with (
        magento_vcr(tmp_path, record_mode="all").use_cassette("keyed"),
        demo_client(answer_email) as client,
    ):
        client.get("/rest/V1/customers/3")
    (interaction,) = interactions(tmp_path / "keyed.json")
    written = json.loads(interaction["response"]["body"]["string"])
    assert written == {"email": pseudonymize_email(CUSTOMER_EMAIL, key=b"private-key")}


def test_compressed_responses_are_decoded_before_scrubbing(tmp_path: Path) -> None:
    """A gzip-encoded token answer is decompressed and scrubbed, not written as opaque bytes."""

    def gzipped_token(_: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
            content=gzip.compress(json.dumps(REAL_JWT).encode()),
        )

    with (
        magento_vcr(tmp_path, record_mode="all").use_cassette("gzip"),
        demo_client(gzipped_token) as client,
    ):
        assert client.post("/rest/V1/integration/admin/token", json={}).json() == REAL_JWT
    text = (tmp_path / "gzip.json").read_text(encoding="utf-8")
    assert find_cassette_secrets(text) == []
    (interaction,) = interactions(tmp_path / "gzip.json")
    assert interaction["response"]["body"]["string"] == json.dumps(REDACTED)


if __name__ == "__main__":
    written = record_demo_cassette(CASSETTES_DIR)
    print(f"recorded {written.relative_to(REPO_ROOT)}")  # noqa: T201 - a maintainer's script


# --- properties -----------------------------------------------------------------------------

_TEXT_AROUND = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=20)


@settings(max_examples=100, deadline=None)
@given(parts=st.lists(st.one_of(_TEXT_AROUND, st.emails(), st.just(REAL_JWT)), max_size=6))
def test_scrubbed_text_has_no_jwt_or_foreign_email(parts: list[str]) -> None:
    """Whatever surrounds them, JWTs and foreign addresses are gone and scrubbing is idempotent."""
    scrubbed = scrub_text(" ".join(parts))
    findings = find_cassette_secrets(scrubbed)
    assert [found for found in findings if "JWT" in found or "e-mail" in found] == []
    assert scrub_text(scrubbed) == scrubbed


def test_importing_the_testing_module_does_not_need_vcrpy() -> None:
    """vcrpy (a dev extra) is imported only when a cassette recorder is built."""
    code = "import sys, magento_ir.testing; sys.exit('vcr' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True)  # noqa: S603
    assert result.returncode == 0, result.stderr


def test_scan_accepts_graphql_variable_references() -> None:
    """`password: $p` in a GraphQL document names a variable (whose value is scrubbed as a
    field), so it is no finding; a literal value in the same place still is."""
    mutation = (
        "mutation($e: String!, $p: String!) { generateCustomerToken(email: $e, password: $p) }"
    )
    assert (
        find_cassette_secrets(json.dumps({"query": mutation, "variables": {"p": REDACTED}})) == []
    )
    assert find_cassette_secrets("generateCustomerToken(password: hunter2)") != []
