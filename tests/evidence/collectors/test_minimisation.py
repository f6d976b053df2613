"""Data minimisation and secrecy: pseudonymised exports, no secret in the log, flat memory."""

from __future__ import annotations

import io
import json
import pickle
import tracemalloc
from typing import TYPE_CHECKING

import pytest

from magento_ir import OAuth1Credentials
from magento_ir.evidence import read_records
from magento_ir.evidence.collectors import Pseudonymiser
from magento_ir.evidence.collectors._capture import without_secrets
from magento_ir.evidence.export import export
from magento_ir.sandbox import Sandbox
from tests.evidence._formats import both_formats
from tests.evidence.collectors._support import capture_sandbox, records_of

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from magento_ir.evidence import SigningKey

KEY = b"k" * 32


def test_same_person_gets_the_same_pseudonym_under_one_key() -> None:
    """Pseudonyms are stable per key and kind, ignore case, and change with the key."""
    first = Pseudonymiser(KEY)
    assert first.pseudonym("email", "Jane.Doe@Example.com") == first.pseudonym(
        "email", "jane.doe@example.com "
    )
    assert first.pseudonym("email", "jane.doe@example.com").endswith("@pseudonym.invalid")
    assert first.pseudonym("name", "Jane") != first.pseudonym("name", "John")
    other = Pseudonymiser(b"o" * 32)
    assert other.pseudonym("name", "Jane") != first.pseudonym("name", "Jane")


def test_personal_fields_are_replaced_anywhere_in_a_payload() -> None:
    """Names, addresses, phones, IPs (nested, in lists) and e-mails inside text are replaced."""
    pseudonymiser = Pseudonymiser(KEY)
    payload = {
        "customer_email": "jane.doe@example.com",
        "remote_ip": "203.0.113.77",
        "grand_total": 12.5,
        "billing_address": {
            "firstname": "Jane",
            "street": ["1 Main St", "Flat 2"],
            "telephone": "555-0100",
            "country_id": "US",
        },
        "status_histories": [{"comment": "mail sent to jane.doe@example.com"}],
        "url": "/rest/V1/customers/search?searchCriteria%5Bvalue%5D=jane.doe%40example.com",
        "customer_is_guest": True,
        "admin_sessions": [{"id": 7, "ip": "198.51.100.9"}],
    }
    result = pseudonymiser.value(payload)
    text = json.dumps(result)
    for personal in (
        "jane.doe@example.com",
        "203.0.113.77",
        "198.51.100.9",
        "Jane",
        "Main St",
        "555-0100",
    ):
        assert personal not in text
    assert result["grand_total"] == 12.5
    assert result["billing_address"]["country_id"] == "US"
    assert result["customer_is_guest"] is True
    assert len(result["billing_address"]["street"]) == 2
    assert result["admin_sessions"][0]["id"] == 7
    email = pseudonymiser.pseudonym("email", "jane.doe@example.com")
    assert result["customer_email"] == email
    assert result["status_histories"][0]["comment"] == f"mail sent to {email}"
    assert result["url"].endswith(f"%5Bvalue%5D={email}")


def test_key_is_checked_and_never_shown() -> None:
    """A short key is refused; the repr omits the key and pickling is refused."""
    with pytest.raises(ValueError, match="at least 16 random bytes"):
        Pseudonymiser(b"short")
    pseudonymiser = Pseudonymiser(KEY)
    assert "kkkk" not in repr(pseudonymiser)
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(pseudonymiser)


def test_pseudonymised_export_keeps_record_identity_and_drops_emails(
    tmp_path: Path, signing_key: SigningKey
) -> None:
    """Exported events keep hash and seq of their record; no customer e-mail reaches the SIEM."""
    path = tmp_path / "capture.log"
    capture_sandbox(Sandbox(customers=5), path, signing_key, categories=["customers", "orders"])
    emails = {record.payload["email"] for record in records_of(path, "capture.customer")}
    out = io.BytesIO()
    count = export(Pseudonymiser(KEY).records(read_records(path)), "ecs", out)
    exported = out.getvalue().decode()
    assert count == len(list(read_records(path)))
    assert not any(email in exported for email in emails)
    events = [json.loads(line) for line in exported.splitlines()]
    originals = list(read_records(path))
    assert [event["event"]["id"] for event in events] == [record.hash for record in originals]
    assert [event["event"]["sequence"] for event in events] == [r.seq for r in originals]


def test_no_secret_reaches_the_log(tmp_path: Path, signing_key: SigningKey) -> None:
    """Admin password, issued tokens and OAuth secrets appear nowhere in the log file."""
    sandbox = Sandbox(customers=3, orders=3)
    admin_log = tmp_path / "admin.log"
    capture_sandbox(sandbox, admin_log, signing_key)
    oauth = sandbox.inspect.integration_credentials("ERP Connector")
    oauth_log = tmp_path / "oauth.log"
    summary = capture_sandbox(
        sandbox,
        oauth_log,
        signing_key,
        auth=OAuth1Credentials(
            oauth["consumer_key"],
            oauth["consumer_secret"],
            oauth["access_token"],
            oauth["access_token_secret"],
        ),
        categories=["store", "customers", "orders"],
    )
    assert summary.ok
    text = admin_log.read_text(encoding="utf-8") + oauth_log.read_text(encoding="utf-8")
    secrets = [
        "Sandbox123!",
        oauth["consumer_secret"],
        oauth["access_token"],
        oauth["access_token_secret"],
    ]
    for secret in secrets:
        assert secret not in text
    # Issued JWTs start with the base64 of '{"kid"'; bearer tokens would follow "Bearer ".
    assert "eyJ" not in text
    assert "Bearer " not in text
    assert "oauth_signature" not in text


def _capture_peak(tmp_path: Path, key: SigningKey, customers: int) -> tuple[int, int]:
    """(peak traced bytes, bytes of customer records written) of one customers capture."""
    sandbox = Sandbox(customers=customers)
    path = tmp_path / f"capture-{customers}.log"
    tracemalloc.start()
    try:
        summary = capture_sandbox(
            sandbox, path, key, categories=["customers"], page_size=100, concurrency=2
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert summary.result("customers").captured == 12 + customers
    data_size = sum(len(r.raw) for r in read_records(path) if r.type == "capture.customer")
    return peak, data_size


@pytest.mark.slow
def test_capture_memory_is_flat_as_the_table_grows(tmp_path: Path, signing_key: SigningKey) -> None:
    """Five times the customers, about the same peak memory: pages stream, nothing piles up.

    Comparing two sizes measures growth, which is what "constant memory" means; a single
    large capture under tracemalloc would take ten times longer and prove less.
    """
    small_peak, small_data = _capture_peak(tmp_path, signing_key, 1_000)
    large_peak, large_data = _capture_peak(tmp_path, signing_key, 5_000)
    assert large_data > 4.5 * small_data > 2_500_000
    # Holding the table would grow the peak by about the extra data (several MB).
    assert large_peak - small_peak < (large_data - small_data) / 10, (small_peak, large_peak)


def test_secret_named_fields_of_entities_are_redacted() -> None:
    """A store's own secret-named attributes (tokens, passwords) never enter entity records."""
    entity = {
        "entity_id": 7,
        "payment": {"method": "braintree", "extension_attributes": {"vault_token": "tok_live"}},
        "custom_attributes": [{"attribute_code": "x", "api_password": "hunter2"}],
        "rp_token": None,
    }
    assert without_secrets(entity) == {
        "entity_id": 7,
        "payment": {"method": "braintree", "extension_attributes": {"vault_token": "[REDACTED]"}},
        "custom_attributes": [{"attribute_code": "x", "api_password": "[REDACTED]"}],
        "rp_token": None,
    }


@both_formats
def test_a_pseudonymised_line_keeps_its_records_format(
    make_log: Callable[..., Path], log_version: int
) -> None:
    """The rebuilt line has its record's layout and identity: `payload_sha256` in version 1,
    `"v":2` in version 2, and the original hash, prev, seq, time and type."""
    record = list(read_records(make_log(1)))[-1]
    copy = Pseudonymiser(KEY).record(record)
    fields = json.loads(copy.raw)
    original = json.loads(record.raw)
    assert list(fields) == list(original)
    assert {k: v for k, v in fields.items() if k != "payload"} == {
        k: v for k, v in original.items() if k != "payload"
    }
    assert ("v" in fields) == (log_version == 2)
    assert copy.version == log_version
