"""ServiceNow Table API: one ticket per incident in `incident` or `sn_si_incident`.

POST is not idempotent, so the ticket is found first by `correlation_id` (the magento_ir
incident id): when it exists and a field changed it is PATCHed, when nothing changed it is left
alone, and only when there is none is one created (201 with `sys_id` and `number`). Basic auth
or an OAuth bearer token, held only in the Authorization header.
"""

from __future__ import annotations

import base64
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from magento_ir._secret import HoldsSecret
from magento_ir.notify.channels._base import (
    DeliveryError,
    HttpEndpoint,
    Message,
    Receipt,
    RetryPolicy,
    refusal,
)

if TYPE_CHECKING:
    import ssl
    from collections.abc import Callable, Mapping

__all__ = ["ServiceNowChannel"]

# 429 only where the instance has rate-limit rules; 5xx and network errors (section 8.1).
SERVICENOW_RETRY = RetryPolicy(max_attempts=4, backoff_seconds=2.0)
# Our severities as impact / urgency (1 High, 2 Medium, 3 Low); ServiceNow computes priority.
IMPACT_URGENCY = {"critical": "1", "error": "2", "warning": "2", "info": "3"}
TABLES = ("incident", "sn_si_incident")
_FIELDS = "sys_id,number,short_description,description,impact,urgency,correlation_id"


class ServiceNowChannel(HoldsSecret):
    """Creates or updates the incident's ticket on one ServiceNow instance."""

    __slots__ = ("_auth", "_endpoint", "extra_fields", "name", "table")

    def __init__(
        self,
        instance_url: str,
        *,
        username: str | None = None,
        password: str | None = None,
        token: str | None = None,
        table: str = "incident",
        extra_fields: Mapping[str, str] | None = None,
        ssl_context: ssl.SSLContext | None = None,
        retry: RetryPolicy = SERVICENOW_RETRY,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if (token is None) == (username is None or password is None):
            raise ValueError("give ServiceNow either username and password, or an OAuth token")
        if table not in TABLES and not table.replace("_", "").isalnum():
            raise ValueError(f"table {table!r} is not a ServiceNow table name")
        self.name = f"servicenow:{table}"
        self.table = table
        # Fields the instance needs (assignment_group, category, caller_id ...), as given.
        self.extra_fields = dict(extra_fields or {})
        if token is not None:
            self._auth = f"Bearer {token}"
        else:
            pair = f"{username}:{password}".encode()
            self._auth = "Basic " + base64.b64encode(pair).decode()
        self._endpoint = HttpEndpoint(
            instance_url, channel=self.name, ssl_context=ssl_context, retry=retry, sleep=sleep
        )

    def __repr__(self) -> str:
        return f"ServiceNowChannel({self._endpoint.shown}, table={self.table!r}, auth=<hidden>)"

    def fields(self, message: Message) -> dict[str, str]:
        """The record's fields for a message (documented `incident` / task fields)."""
        level = IMPACT_URGENCY[message.severity]
        description = message.text
        if message.details:
            description += "\n\n" + "\n".join(f"{k}: {v}" for k, v in message.details.items())
        return {
            "short_description": message.subject[:160],
            "description": description,
            "impact": level,
            "urgency": level,
            "correlation_id": message.incident_id,
            "correlation_display": "magento-ir",
            **self.extra_fields,
        }

    def send(self, message: Message) -> Receipt:
        wanted = self.fields(message)
        existing, lookups = self._find(message.incident_id)
        if existing is None:
            reply, attempts = self._call("POST", f"/api/now/table/{self.table}", wanted)
            if reply.status != 201:  # noqa: PLR2004 - documented
                raise self._refused(reply, attempts)
            return self._receipt(reply.json(), message, attempts + lookups, "created")
        changed = {
            name: value for name, value in wanted.items() if str(existing.get(name)) != value
        }
        if not changed:
            return self._receipt({"result": existing}, message, lookups, "unchanged")
        sys_id = str(existing["sys_id"])
        reply, attempts = self._call("PATCH", f"/api/now/table/{self.table}/{sys_id}", changed)
        if reply.status != 200:  # noqa: PLR2004 - documented
            raise self._refused(reply, attempts)
        return self._receipt(reply.json(), message, attempts + lookups, "updated")

    def _find(self, correlation_id: str) -> tuple[dict[str, Any] | None, int]:
        query = quote(f"correlation_id={correlation_id}", safe="=")
        path = (
            f"/api/now/table/{self.table}?sysparm_query={query}&sysparm_limit=1"
            f"&sysparm_fields={_FIELDS}&sysparm_exclude_reference_link=true"
        )
        reply, attempts = self._call("GET", path, None)
        if reply.status != 200:  # noqa: PLR2004 - documented
            raise self._refused(reply, attempts)
        document = reply.json()
        found = document.get("result") if isinstance(document, dict) else None
        if not isinstance(found, list):
            raise DeliveryError(
                f"{self.name}: the Table API answered without a result list; is the URL the "
                "instance's base URL (https://<instance>.service-now.com)?",
                channel=self.name,
                retryable=False,
            )
        return (found[0] if found and isinstance(found[0], dict) else None), attempts

    def _call(self, method: str, path: str, body: dict[str, str] | None) -> tuple[Any, int]:
        return self._endpoint.request(
            method, path, body=body, headers={"Authorization": self._auth}
        )

    def _receipt(self, document: Any, message: Message, attempts: int, action: str) -> Receipt:  # noqa: ANN401
        result = document.get("result") if isinstance(document, dict) else None
        if not isinstance(result, dict) or "sys_id" not in result:
            raise DeliveryError(
                f"{self.name}: the answer holds no result.sys_id",
                channel=self.name,
                retryable=False,
            )
        ids = {"sys_id": str(result["sys_id"]), "table": self.table}
        if "number" in result:
            ids["number"] = str(result["number"])
        return Receipt(
            channel=self.name, key=message.key, provider_ids=ids, attempts=attempts, action=action
        )

    def _refused(self, reply: Any, attempts: int) -> DeliveryError:  # noqa: ANN401
        hints = {
            401: "check the user name and password or token",
            403: "the user lacks the table's write ACL (role itil, or sn_si.* for security "
            "incidents), or a business rule refused it",
            404: "check the instance URL and the table name",
        }
        return refusal(self._endpoint, reply, attempts, hints.get(reply.status, "see the body"))
