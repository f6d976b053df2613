"""Replaying a recorded Magento 2.4.7 exchange against the sandbox and comparing the answers."""

from __future__ import annotations

import base64
import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from magento_ir.sandbox import Sandbox
from tests.conftest import RECORDINGS_DIR

if TYPE_CHECKING:
    from pathlib import Path

    import httpx

# The recording host's credentials (from the recordings themselves).
ADMIN_PASSWORD = "Admin123!local"
CUSTOMER_PASSWORD = "Customer123!local"
CUSTOMER_EMAIL = "ir.customer01@example.com"
GARBAGE_TOKEN = "not-a-real-token"
# Recordings that only make sense after others (state they rely on).
PRECONDITIONS = {"order_unhold": ("order_hold",)}
# Values that are times of the recording run: compared by format, not value.
TIME_KEYS = frozenset({"created_at", "updated_at", "creation_time", "update_time"})
TIME_FORMAT = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


def recordings() -> list[Path]:
    return sorted(path for path in RECORDINGS_DIR.glob("*.json"))


def load(name: str) -> dict[str, Any]:
    return json.loads((RECORDINGS_DIR / f"{name}.json").read_text(encoding="utf-8"))


def reference_sandbox() -> Sandbox:
    return Sandbox(
        admin_password=ADMIN_PASSWORD, customer_password=CUSTOMER_PASSWORD, developer_mode=True
    )


def _auth_headers(sandbox: Sandbox, recording: dict[str, Any]) -> dict[str, str]:
    request = recording["request"]
    auth = request["auth"]
    if auth == "none":
        return {}
    if auth.startswith("oauth1"):
        credentials = sandbox.inspect.integration_credentials("ERP Connector")
        params = {
            "oauth_consumer_key": credentials["consumer_key"],
            "oauth_token": credentials["access_token"],
            "oauth_signature_method": "HMAC-SHA1",
            "oauth_nonce": "n0nc3",
            "oauth_timestamp": "1700000000",
            "oauth_version": "1.0",
            "oauth_signature": "c2lnbmF0dXJl",
        }
        header = ", ".join(f'{key}="{value}"' for key, value in params.items())
        return {"Authorization": f"OAuth {header}"}
    name = recording["name"]
    if name == "auth_bad_token":
        token = GARBAGE_TOKEN
    elif name in ("customer_me_ok", "customer_revoke_own_token"):
        token = sandbox.customer_token(CUSTOMER_EMAIL)
    else:
        token = sandbox.admin_token()
    return {"Authorization": f"Bearer {token}"}


def build_request(sandbox: Sandbox, recording: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for `httpx.Client.request` reproducing the recorded request."""
    request = recording["request"]
    headers = _auth_headers(sandbox, recording)
    url = request["path"]
    if request["query"]:
        url += "?" + urlencode(request["query"], safe="[]")
    kwargs: dict[str, Any] = {"method": request["method"], "url": url, "headers": headers}
    body = request["body"]
    if body is not None:
        headers["Content-Type"] = "application/json"
        kwargs["content"] = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    return kwargs


def _decode_segment(segment: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def _compare_jwt(expected: str, actual: str) -> None:
    expected_parts, actual_parts = expected.split("."), actual.split(".")
    assert len(actual_parts) == 3
    assert _decode_segment(actual_parts[0]) == _decode_segment(expected_parts[0])
    expected_claims = _decode_segment(expected_parts[1])
    actual_claims = _decode_segment(actual_parts[1])
    assert list(actual_claims) == list(expected_claims)
    assert actual_claims["uid"] == expected_claims["uid"]
    assert actual_claims["utypid"] == expected_claims["utypid"]
    assert (
        actual_claims["exp"] - actual_claims["iat"]
        == expected_claims["exp"] - expected_claims["iat"]
    )


def compare_bodies(expected: Any, actual: Any, where: str = "body") -> None:
    """Same keys (in order), same types, same values except run times; `trace` is optional."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        expected_keys = [key for key in expected if key != "trace"]
        actual_keys = [key for key in actual if key != "trace"]
        assert actual_keys == expected_keys, f"{where}: keys differ"
        for key in expected_keys:
            if key in TIME_KEYS and isinstance(expected[key], str):
                assert isinstance(actual[key], str), f"{where}.{key}"
                assert TIME_FORMAT.match(actual[key]), f"{where}.{key}: {actual[key]!r}"
            elif key == "message" and str(expected[key]).startswith("Decoding error"):
                assert str(actual[key]).startswith("Decoding error"), f"{where}.message"
            else:
                compare_bodies(expected[key], actual[key], f"{where}.{key}")
        return
    if isinstance(expected, list):
        assert isinstance(actual, list), f"{where}: expected a list, got {actual!r}"
        assert len(actual) == len(expected), (
            f"{where}: {len(actual)} items, expected {len(expected)}"
        )
        for index, (left, right) in enumerate(zip(expected, actual, strict=True)):
            compare_bodies(left, right, f"{where}[{index}]")
        return
    if isinstance(expected, str) and expected.startswith("eyJ") and expected.count(".") == 2:
        assert isinstance(actual, str), f"{where}: expected a token"
        _compare_jwt(expected, actual)
        return
    assert type(actual) is type(expected), f"{where}: {actual!r} is not a {type(expected).__name__}"
    assert actual == expected, f"{where}: {actual!r} != {expected!r}"


def check_response(recording: dict[str, Any], response: httpx.Response) -> None:
    expected = recording["response"]
    assert response.status_code == expected["status"], response.text
    assert response.headers.get("Content-Type") == expected["headers"]["Content-Type"]
    assert response.headers.get("X-Frame-Options") == expected["headers"].get("X-Frame-Options")
    compare_bodies(expected["body"], response.json())


def replay(client: httpx.Client, sandbox: Sandbox, name: str) -> None:
    """Replay a recording (after its preconditions) and check the sandbox answers alike."""
    for before in PRECONDITIONS.get(name, ()):
        client.request(**build_request(sandbox, load(before))).raise_for_status()
    recording = load(name)
    response = client.request(**build_request(sandbox, recording))
    check_response(recording, response)
