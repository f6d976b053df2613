"""Data minimisation on export: personal data replaced by keyed pseudonyms (HMAC-SHA256).

The log keeps what the store held (it is the evidence); exports and shipments to a SIEM can be
pseudonymised. The same value of the same kind always maps to the same pseudonym under one key,
so an analyst can still follow one customer across orders, sessions and IPs without seeing them.
The key is never written anywhere by magento_ir; without it the pseudonyms cannot be reversed
or recomputed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from magento_ir.evidence import Record, canonical_json

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

__all__ = ["DEFAULT_PERSONAL_FIELDS", "MIN_KEY_BYTES", "Pseudonymiser"]

MIN_KEY_BYTES = 16

# Field name (anywhere in a payload) -> kind of personal data. Magento's own field names.
DEFAULT_PERSONAL_FIELDS: Mapping[str, str] = MappingProxyType(
    {
        "email": "email",
        "customer_email": "email",
        "firstname": "name",
        "middlename": "name",
        "lastname": "name",
        "customer_firstname": "name",
        "customer_middlename": "name",
        "customer_lastname": "name",
        "dob": "birth_date",
        "customer_dob": "birth_date",
        "taxvat": "tax_id",
        "customer_taxvat": "tax_id",
        "vat_id": "tax_id",
        "street": "address",
        "city": "address",
        "postcode": "address",
        "company": "address",
        "telephone": "phone",
        "fax": "phone",
        "remote_ip": "ip",
        "x_forwarded_for": "ip",
        # admin_user_session.ip (the module's admin-sessions read).
        "ip": "ip",
    }
)

# Also percent-encoded (`%40`), as in the query strings of recorded request URLs.
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+?(?:@|%40)[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PSEUDONYM_HEX = 16


class Pseudonymiser:
    """Replaces personal data in record payloads with `<kind>-<hmac>` pseudonyms.

    `fields` maps payload field names to a kind (default `DEFAULT_PERSONAL_FIELDS`); every value
    under such a field is replaced, lists and nested objects included. E-mail addresses inside
    any other string (URLs, comments) are replaced too. The key needs at least 16 bytes.
    """

    def __init__(self, key: bytes, *, fields: Mapping[str, str] = DEFAULT_PERSONAL_FIELDS) -> None:
        if not isinstance(key, bytes) or len(key) < MIN_KEY_BYTES:
            raise ValueError(
                f"the pseudonymisation key must be at least {MIN_KEY_BYTES} random bytes, e.g. "
                "from: python -c 'import secrets; print(secrets.token_hex(32))'"
            )
        self._key = key
        self._fields = dict(fields)

    def __repr__(self) -> str:
        return f"Pseudonymiser(fields={sorted(self._fields)!r})"

    def __reduce__(self) -> str | tuple[Any, ...]:
        raise TypeError("a Pseudonymiser holds a secret key and cannot be pickled")

    def pseudonym(self, kind: str, value: str) -> str:
        """The pseudonym of one value: case and surrounding spaces do not matter."""
        normalised = value.strip().casefold()
        digest = hmac.new(self._key, f"{kind}\x00{normalised}".encode(), hashlib.sha256)
        token = digest.hexdigest()[:_PSEUDONYM_HEX]
        # An e-mail stays shaped like one (in a reserved domain) so SIEM parsers keep working.
        return f"{token}@pseudonym.invalid" if kind == "email" else f"{kind}-{token}"

    def _text(self, text: str) -> str:
        return _EMAIL.sub(
            lambda match: self.pseudonym("email", match.group(0).replace("%40", "@")), text
        )

    def _personal(self, kind: str, value: Any) -> Any:  # noqa: ANN401 - any JSON value
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, list):
            return [self._personal(kind, item) for item in value]
        if isinstance(value, dict):
            return {name: self._personal(kind, item) for name, item in value.items()}
        return self.pseudonym(kind, str(value))

    def value(self, value: Any) -> Any:  # noqa: ANN401 - any JSON value
        """A JSON value with personal fields and embedded e-mail addresses pseudonymised."""
        if isinstance(value, dict):
            return {
                name: self._personal(self._fields[name], item)
                if name in self._fields
                else self.value(item)
                for name, item in value.items()
            }
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, str):
            return self._text(value)
        return value

    def record(self, record: Record) -> Record:
        """A copy of `record` with its payload pseudonymised, for export.

        The copy keeps the original `seq`, `hash`, `prev` (and a version 1 record's
        `payload_sha256`), so the SIEM event can be matched to its record in the log; its payload
        no longer matches the record hash (that is the point). `raw` is rebuilt as a log line of
        the record's format version holding the pseudonymised payload.
        """
        payload = self.value(record.payload)
        fields = {
            "hash": record.hash,
            "payload": payload,
            "prev": record.prev,
            "seq": record.seq,
            "time": record.time,
            "type": record.type,
        }
        if record.version == 1:
            fields["payload_sha256"] = record.payload_sha256
        else:
            fields["v"] = record.version
        line = canonical_json(fields)
        return record._replace(payload=payload, raw=line.encode() + b"\n")

    def records(self, records: Iterable[Record]) -> Iterator[Record]:
        """Pseudonymise a stream of records lazily (constant memory)."""
        for record in records:
            yield self.record(record)
