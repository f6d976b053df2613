"""The companion module's REST routes (`MagentoIr_IncidentResponse`), as `php-module/` has them.

The contract is `php-module/contract/openapi.json`; `tests/sandbox/test_module_contract.py` checks
that these routes, their ACL resources, body keys and response shapes agree with it. The routes
exist only when the sandbox is started `with_module=True`.

Every write runs through `_run_action`, which mirrors the module's ActionRunner: the
`X-Idempotency-Key` check in the caller's own key space (a repeated key returns the stored first
result with `replayed: true`), the change itself, and one hash-chained record in the append-only
action log (who, when, what, prior state, result), also for requests refused after their input was
read (`rejected`: unknown entities, idempotency conflicts, a second restore) and changes that fail
(`failed`). A body too large for any route is refused with 413 before it is decoded (the module's
REST plugin; `BODY_LIMIT`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import secrets
import time
from dataclasses import dataclass, field
from ipaddress import ip_address
from typing import TYPE_CHECKING, Any

from magento_ir.sandbox import columns, module_guard
from magento_ir.sandbox.errors import (
    WebapiError,
    integer_param,
    no_such_entity,
    required_field,
)
from magento_ir.sandbox.module_state import (
    MAINTENANCE_MODES,
    AdminLockdown,
    GuardRule,
    IdempotencyEntry,
    OrderHold,
    PaymentSuspension,
    Quarantine,
)
from magento_ir.sandbox.rest_sales import _value as _order_value
from magento_ir.sandbox.rest_sales import hold_order, unhold_order
from magento_ir.sandbox.routing import BodyLimit, Call, RouteTable
from magento_ir.sandbox.search import (
    Filter,
    SearchCriteria,
    search_response,
)
from magento_ir.sandbox.state import (
    ADMIN_STORE_ID,
    CONFIG_SEEDED_AT,
    USER_TYPE_ADMIN,
    USER_TYPE_CUSTOMER,
    USER_TYPE_INTEGRATION,
    magento_time,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from magento_ir.sandbox.state import StoreState

__all__ = ["ACTIONS", "BODY_LIMIT", "GENESIS_HASH", "chain_hash", "routes"]

# The module's RequestPlugin: at most 4 MiB and 250,000 values (commas + 1) per request body.
BODY_LIMIT = BodyLimit(max_bytes=4_194_304, max_values=250_000)
routes = RouteTable(requires_module=True, body_limit=BODY_LIMIT)

PREFIX = "/V1/incident-response"
ACL = "MagentoIr_IncidentResponse::"
ACTIONS = (
    "sessions.terminate",
    "catalog.quarantine",
    "catalog.release",
    "orders.hold",
    "orders.unhold",
    "maintenance.set",
    "payments.suspend",
    "payments.resume",
    "admins.lockdown",
    "admins.restore",
    "customers.force_password_reset",
    "guard.rule_add",
    "guard.rules_remove",
)
GENESIS_HASH = "0" * 64
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
MAX_SKUS = 10_000
MAX_ORDERS = 10_000
MAX_STATUSES = 50
ORDER_STATUS = re.compile(r"^[a-z0-9_]{1,32}$")
MAGENTO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
MAX_IDS = 100_000
MAX_METHODS = 100
MAX_ALLOW_IPS = 50
MAX_MESSAGE_LENGTH = 1000
MAX_EMAILS_PER_CALL = 1000
LOCK_LIFETIME = 315_360_000  # ten years: "locked" in lockdown mode `lock`
ADMIN_SESSION_LOGGED_IN = 1
ADMIN_SESSION_LOGGED_OUT_MANUALLY = 3
PAYMENT_METHOD = re.compile(r"^[a-z0-9_]+$")
ACTION_LOG_FIELDS = frozenset(
    {"action_id", "action", "status", "created_at", "actor_type", "actor_id", "incident_id"}
)

_REASON = {"reason": None, "incidentId": None}


# --- input, as the module's Model\Action\Input checks it --------------------------------------
def _invalid(field_name: str, value: object) -> WebapiError:
    return WebapiError(
        400,
        'Invalid value of "%value" provided for the %fieldName field.',
        {"value": str(value), "fieldName": field_name},
    )


def _wrong_type(value: object, type_name: str) -> WebapiError:
    # ServiceInputProcessor's message when a JSON value cannot become the parameter's type.
    return WebapiError(
        400,
        'The "%value" value\'s type is invalid. The "%type" type was expected. '
        "Verify and try again.",
        {"value": json.dumps(value), "type": type_name},
    )


def _string(body: dict[str, Any], name: str, default: str | None = None) -> str | None:
    value = body.get(name, default)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise _wrong_type(value, "string")


def _integer(body: dict[str, Any], name: str, default: int) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _wrong_type(value, "int")
    if isinstance(value, str):
        if not value.strip().lstrip("-").isdigit():
            raise _wrong_type(value, "int")
        return int(value)
    return value


def _boolean(body: dict[str, Any], name: str, *, default: bool) -> bool:
    value = body.get(name, default)
    if isinstance(value, bool):
        return value
    if value in (0, 1, "0", "1", "true", "false"):
        return value in (1, "1", "true")
    raise _wrong_type(value, "bool")


def _array(body: dict[str, Any], name: str) -> list[Any]:
    value = body.get(name, [])
    if value is None:
        return []
    if not isinstance(value, list):
        raise _wrong_type(value, "array")
    return value


def _reason(body: dict[str, Any]) -> str:
    reason = (_string(body, "reason") or "").strip()
    if not reason:
        raise required_field("reason")
    if len(reason) > 255:  # noqa: PLR2004 - the column's length
        raise _invalid("reason", reason[:40] + "...")
    return reason


def _incident_id(body: dict[str, Any]) -> str | None:
    incident = (_string(body, "incidentId") or "").strip()
    if not incident:
        return None
    if len(incident) > 64:  # noqa: PLR2004 - the column's length
        raise _invalid("incidentId", incident)
    return incident


def _one_of(field_name: str, value: str | None, allowed: tuple[str, ...]) -> str:
    if value is None or value not in allowed:
        raise _invalid(field_name, value or "")
    return value


def _ids(body: dict[str, Any], name: str, limit: int = MAX_IDS) -> list[int]:
    items = _array(body, name)
    # Counted before anything is built from the list, as Input::ids does.
    if len(items) > limit:
        raise _invalid(name, f"{len(items)} ids (at most {limit})")
    clean: dict[int, int] = {}
    for item in items:
        if isinstance(item, bool) or not (
            isinstance(item, int) or (isinstance(item, str) and item.isdigit())
        ):
            raise _invalid(
                name, item if isinstance(item, str | int | float) else type(item).__name__
            )
        number = int(item)
        if number < 1:
            raise _invalid(name, number)
        clean[number] = number
    return list(clean)


def _idempotency_key(call: Call) -> str | None:
    key = call.request.header("x-idempotency-key")
    if not key:
        return None
    if IDEMPOTENCY_KEY.match(key) is None:
        raise _invalid("X-Idempotency-Key", key)
    return key


# --- the action runner and the hash-chained log -----------------------------------------------
def _json_text(value: object) -> str:
    """PHP json_encode with unescaped slashes and unicode: Python's compact dumps."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def chain_hash(previous_hash: str, record: dict[str, Any]) -> str:
    """The record's hash per the contract's `x-magento-ir-hash-chain`."""
    canonical = _json_text(
        [
            record["action"],
            record["status"],
            record["created_at"],
            record["actor_type"],
            record["actor_id"],
            record.get("incident_id"),
            record["reason"],
            record.get("idempotency_key"),
            record["request"],
            record["prior_state"],
            record["result"],
        ]
    )
    return hashlib.sha256(f"{previous_hash}\n{canonical}".encode()).hexdigest()


@dataclass
class _Outcome:
    prior_state: object
    result: dict[str, Any]


@dataclass
class _Action:
    name: str
    reason: str
    incident_id: str | None
    request: dict[str, Any]
    apply: Callable[[], _Outcome] = field(repr=False)


def _append_log(
    call: Call, action: _Action, key: str | None, *, status: str, prior: object, result: object
) -> int:
    log = call.state.action_log
    action_id = len(log) + 1
    record: dict[str, Any] = {
        "action_id": action_id,
        "action": action.name,
        "status": status,
        "created_at": magento_time(call.now),
        "actor_type": call.caller.user_type,
        "actor_id": call.caller.user_id or 0,
    }
    if action.incident_id is not None:
        record["incident_id"] = action.incident_id
    record["reason"] = action.reason
    if key is not None:
        record["idempotency_key"] = key
    record["request"] = _json_text(action.request)
    record["prior_state"] = _json_text(prior)
    record["result"] = _json_text(result)
    record["previous_hash"] = log[-1]["hash"] if log else GENESIS_HASH
    record["hash"] = chain_hash(record["previous_hash"], record)
    log.append(record)
    return action_id


def _rendered(error: WebapiError) -> str:
    """The message with its placeholders filled, as PHP's getMessage() logs it."""
    parameters = error.parameters or {}
    pairs = (
        parameters.items()
        if isinstance(parameters, dict)
        else ((str(index + 1), value) for index, value in enumerate(parameters))
    )
    message = error.message
    # Longest names first, as PHP's strtr matches them.
    for name, value in sorted(pairs, key=lambda pair: -len(pair[0])):
        message = message.replace(f"%{name}", str(value))
    return message


def _refuse(call: Call, action: _Action, key: str | None, error: WebapiError) -> WebapiError:
    """Log a refused or failed request (nothing changed) and hand its error back to raise."""
    status = "rejected" if error.status < 500 else "failed"  # noqa: PLR2004 - 4xx vs 5xx
    _append_log(call, action, key, status=status, prior=None, result={"error": _rendered(error)})
    return error


def _run_action(call: Call, action: _Action) -> dict[str, Any]:
    try:
        key = _idempotency_key(call)
    except WebapiError as error:
        raise _refuse(call, action, None, error) from None
    module = call.state.incident_response
    request_hash = hashlib.sha256(
        f"{action.name}\n{_json_text(action.request)}".encode()
    ).hexdigest()
    # Each caller (admin user or integration) has its own key space.
    slot = (call.caller.user_type, call.caller.user_id or 0, key or "")
    if key is not None and slot in module.idempotency:
        entry = module.idempotency[slot]
        if entry.action != action.name or entry.request_hash != request_hash:
            raise _refuse(
                call,
                action,
                key,
                WebapiError(
                    400,
                    'The idempotency key "%key" was already used for a different request.',
                    {"key": key},
                ),
            )
        return {**entry.response, "replayed": True}
    try:
        outcome = action.apply()
    except WebapiError as error:
        # Logged too; nothing changed, so the key stays free.
        raise _refuse(call, action, key, error) from None
    action_id = _append_log(
        call, action, key, status="succeeded", prior=outcome.prior_state, result=outcome.result
    )
    response = {"action_id": action_id, "replayed": False, **outcome.result}
    if key is not None:
        module.idempotency[slot] = IdempotencyEntry(action.name, request_hash, response)
    return response


# --- capabilities -----------------------------------------------------------------------------
@routes.rest("GET", f"{PREFIX}/capabilities", acl=f"{ACL}capabilities")
def capabilities(call: Call) -> dict[str, Any]:
    module = call.state.incident_response
    return {
        "module_version": module.module_version,
        "magento_version": module.magento_version,
        "actions": list(ACTIONS),
        "session_storage": module.session_storage,
        "maintenance_mode": module.maintenance_mode,
    }


# --- sessions ---------------------------------------------------------------------------------
def _in_scope(candidates: Iterable[int], only: list[int], exclude: Iterable[int]) -> list[int]:
    wanted, excluded = set(only), set(exclude)
    return [item for item in candidates if (not wanted or item in wanted) and item not in excluded]


def _customer_ids(state: StoreState, only: list[int]) -> Iterable[int]:
    if only:
        return sorted(customer_id for customer_id in only if customer_id in state.customers)
    return state.customers.ids()


def cut_off_customers(call: Call, customer_ids: Iterable[int]) -> tuple[int, int]:
    """Tokens revoked, session cut-off set and persistent sessions deleted: (customers, rows)."""
    state, now = call.state, int(call.now)
    ids = set()
    for customer_id in customer_ids:
        state.revoked_before[(USER_TYPE_CUSTOMER, customer_id)] = now
        # Sessions compare with the exact time: one started this very second is still cut off.
        state.customer_session_cutoff[customer_id] = call.now
        ids.add(customer_id)
    persistent = [key for key, owner in state.persistent_sessions.items() if owner in ids]
    for key in persistent:
        del state.persistent_sessions[key]
    return len(ids), len(persistent)


def cut_off_all_customers(call: Call) -> tuple[int, int]:
    """The same for every customer in one statement, as the module's SQL does: no row loop."""
    state, now = call.state, int(call.now)
    state.revoked_before_all[USER_TYPE_CUSTOMER] = now
    state.customer_session_cutoff_all = call.now
    persistent = len(state.persistent_sessions)
    state.persistent_sessions.clear()
    return len(state.customers), persistent


def _end_admin_sessions(call: Call, admin_ids: Iterable[int]) -> int:
    wanted, ended = set(admin_ids), 0
    for session in call.state.admin_sessions.values():
        if session.user_id in wanted and session.status == ADMIN_SESSION_LOGGED_IN:
            session.status = ADMIN_SESSION_LOGGED_OUT_MANUALLY
            session.updated_at = magento_time(call.now)
            ended += 1
    return ended


@routes.rest(
    "POST",
    f"{PREFIX}/sessions/terminate",
    acl=f"{ACL}sessions_terminate",
    body={
        "scope": None,
        **_REASON,
        "customerIds": None,
        "adminIds": None,
        "excludeCustomerIds": None,
        "excludeAdminIds": None,
        "logoutCaller": None,
    },
    required=("scope", "reason"),
)
def terminate_sessions(call: Call) -> dict[str, Any]:
    body = call.body
    request: dict[str, Any] = {
        "scope": _one_of("scope", _string(body, "scope"), ("customers", "admins", "all")),
        "reason": _reason(body),
        "incidentId": _incident_id(body),
        "customerIds": _ids(body, "customerIds"),
        "adminIds": _ids(body, "adminIds"),
        "excludeCustomerIds": _ids(body, "excludeCustomerIds"),
        "excludeAdminIds": _ids(body, "excludeAdminIds"),
        "logoutCaller": _boolean(body, "logoutCaller", default=False),
    }

    def apply() -> _Outcome:
        state = call.state
        scope = request["scope"]
        result: dict[str, Any] = {
            "scope": scope,
            "customer_tokens_revoked": 0,
            "admin_tokens_revoked": 0,
            "admin_sessions_ended": 0,
            "customer_sessions_cut_off": 0,
            "session_rows_deleted": 0,
            "persistent_sessions_deleted": 0,
            "caller_kept": False,
        }
        if scope != "customers":
            exclude = list(request["excludeAdminIds"])
            caller_admin = call.caller.user_id if call.caller.user_type == USER_TYPE_ADMIN else None
            caller_in_scope = (
                caller_admin is not None
                and (not request["adminIds"] or caller_admin in request["adminIds"])
                and caller_admin not in exclude
            )
            if caller_in_scope and not request["logoutCaller"]:
                exclude.append(caller_admin)
                result["caller_kept"] = True
            admins = _in_scope(sorted(state.admin_users), request["adminIds"], exclude)
            for user_id in admins:
                state.revoked_before[(USER_TYPE_ADMIN, user_id)] = int(call.now)
            result["admin_tokens_revoked"] = len(admins)
            result["admin_sessions_ended"] = _end_admin_sessions(call, admins)
        if scope != "admins":
            if request["customerIds"] or request["excludeCustomerIds"]:
                customers = _in_scope(
                    _customer_ids(state, request["customerIds"]), [], request["excludeCustomerIds"]
                )
                count, persistent = cut_off_customers(call, customers)
            else:
                count, persistent = cut_off_all_customers(call)
            result["customer_tokens_revoked"] = result["customer_sessions_cut_off"] = count
            result["persistent_sessions_deleted"] = persistent
        everyone = (
            scope == "all"
            and not any(request[name] for name in ("customerIds", "adminIds"))
            and not any(request[name] for name in ("excludeCustomerIds", "excludeAdminIds"))
            and not result["caller_kept"]
        )
        if everyone and state.incident_response.session_storage == "db":
            result["session_rows_deleted"] = len(state.customer_sessions)
            state.customer_sessions.clear()
        return _Outcome(None, result)

    return _run_action(
        call,
        _Action("sessions.terminate", request["reason"], request["incidentId"], request, apply),
    )


# --- catalog quarantine -----------------------------------------------------------------------
def _skus(body: dict[str, Any], name: str, *, required: bool) -> list[str]:
    given = _array(body, name)
    if len(given) > MAX_SKUS:  # counted before the list is walked
        raise _invalid(name, f"{len(given)} SKUs (at most {MAX_SKUS} per call)")
    clean: dict[str, str] = {}
    for sku in given:
        if not isinstance(sku, str) or not sku.strip() or len(sku) > 64:  # noqa: PLR2004
            raise _invalid(name, sku if isinstance(sku, str | int | float) else type(sku).__name__)
        clean.setdefault(sku.lower(), sku)  # SKUs match case-insensitively
    if not clean and required:
        raise required_field(name)
    return list(clean.values())


def _php_array(values: dict[int, Any]) -> list[Any] | dict[str, Any]:
    """PHP's json_encode of an int-keyed array: a list when the keys are 0..n-1, else an object."""
    if list(values) == list(range(len(values))):
        return list(values.values())
    return {str(key): value for key, value in values.items()}


def _status_rows(rows: dict[int, dict[int, int]]) -> dict[str, Any]:
    """The module's `status_rows` prior state: product id => [store id => status], by product id."""
    ordered = {pid: _php_array(dict(sorted(rows[pid].items()))) for pid in sorted(rows)}
    return {"status_rows": _php_array(ordered)}


def _statuses(prior: dict[int, int]) -> list[dict[str, int]]:
    return [{"store_id": store_id, "status": prior[store_id]} for store_id in sorted(prior)]


def _set_status(state: StoreState, product_id: int, store_id: int, status: int) -> None:
    if store_id == ADMIN_STORE_ID:
        row = dict(state.products.get(product_id) or {})
        row["status"] = status
        state.products.put(product_id, row)
        return
    values = dict(state.product_store_values.get((product_id, store_id), {}))
    values["status"] = status
    state.product_store_values[(product_id, store_id)] = values


def _prior_statuses(state: StoreState, product_id: int) -> dict[int, int]:
    row = state.products.get(product_id) or {}
    prior = {ADMIN_STORE_ID: int(row.get("status", 1))}
    for store_id in sorted(state.stores):
        values = state.product_store_values.get((product_id, store_id), {})
        if store_id != ADMIN_STORE_ID and "status" in values:
            prior[store_id] = int(values["status"])
    return prior


def _active_quarantine_of(state: StoreState, product_id: int) -> Quarantine | None:
    for quarantine in state.incident_response.quarantines.values():
        if product_id in quarantine.products and product_id not in quarantine.released:
            return quarantine
    return None


@routes.rest(
    "POST",
    f"{PREFIX}/catalog/quarantine",
    acl=f"{ACL}catalog_quarantine",
    body={"skus": None, **_REASON},
    required=("skus", "reason"),
)
def quarantine_products(call: Call) -> dict[str, Any]:
    request: dict[str, Any] = {
        "skus": _skus(call.body, "skus", required=True),
        "reason": _reason(call.body),
        "incidentId": _incident_id(call.body),
    }

    def apply() -> _Outcome:
        state = call.state
        module = state.incident_response
        items: list[dict[str, Any]] = []
        recorded: dict[int, tuple[str, dict[int, int]]] = {}
        for sku in request["skus"]:
            product_id = state.product_id_for_sku(sku)
            if product_id is None:
                items.append({"sku": sku, "result": "not_found", "prior_statuses": []})
                continue
            if _active_quarantine_of(state, product_id) is not None or product_id in recorded:
                items.append(
                    {
                        "sku": sku,
                        "product_id": product_id,
                        "result": "already_quarantined",
                        "prior_statuses": [],
                    }
                )
                continue
            prior = _prior_statuses(state, product_id)
            recorded[product_id] = (sku, prior)
            items.append(
                {
                    "sku": sku,
                    "product_id": product_id,
                    "result": "quarantined",
                    "prior_statuses": _statuses(prior),
                }
            )
        # Disabled at the default scope and at every store view that had its own value.
        for product_id, (_sku, prior) in recorded.items():
            for store_id in prior:
                _set_status(state, product_id, store_id, 2)
        result: dict[str, Any] = {}
        if recorded:
            quarantine_id = max(module.quarantines, default=0) + 1
            module.quarantines[quarantine_id] = Quarantine(
                quarantine_id, magento_time(call.now), recorded
            )
            result["quarantine_id"] = quarantine_id
        result |= {"requested": len(request["skus"]), "quarantined": len(recorded), "items": items}
        prior_rows = {pid: prior for pid, (_sku, prior) in recorded.items()}
        return _Outcome(_status_rows(prior_rows), result)

    return _run_action(
        call,
        _Action("catalog.quarantine", request["reason"], request["incidentId"], request, apply),
    )


@routes.rest("GET", f"{PREFIX}/catalog/quarantine", acl=f"{ACL}catalog_quarantine_view")
def list_quarantined(call: Call) -> dict[str, Any]:
    raw = call.query.get("quarantineId", 0)
    if not isinstance(raw, str | int) or not str(raw).strip().isdigit():
        raise _wrong_type(raw, "int")
    only = int(raw)
    items = []
    for quarantine_id, quarantine in sorted(call.state.incident_response.quarantines.items()):
        if only and quarantine_id != only:
            continue
        for product_id in sorted(quarantine.products):
            if product_id in quarantine.released:
                continue
            sku, prior = quarantine.products[product_id]
            items.append(
                {
                    "quarantine_id": quarantine_id,
                    "sku": sku,
                    "product_id": product_id,
                    "quarantined_at": quarantine.quarantined_at,
                    "prior_statuses": _statuses(prior),
                }
            )
    return {"items": items, "total_count": len(items)}


@routes.rest(
    "POST",
    f"{PREFIX}/catalog/release",
    acl=f"{ACL}catalog_release",
    body={"quarantineId": None, **_REASON, "skus": None},
    required=("quarantineId", "reason"),
)
def release_products(call: Call) -> dict[str, Any]:
    quarantine_id = _integer(call.body, "quarantineId", 0)
    if quarantine_id < 1:
        raise _invalid("quarantineId", quarantine_id)
    request: dict[str, Any] = {
        "quarantineId": quarantine_id,
        "reason": _reason(call.body),
        "incidentId": _incident_id(call.body),
        "skus": _skus(call.body, "skus", required=False),
    }

    def apply() -> _Outcome:
        state = call.state
        quarantine = state.incident_response.quarantines.get(quarantine_id)
        if quarantine is None:
            raise no_such_entity("quarantineId", quarantine_id)
        by_sku = {sku.lower(): pid for pid, (sku, _prior) in quarantine.products.items()}
        wanted = request["skus"] or [
            quarantine.products[pid][0] for pid in sorted(quarantine.products)
        ]
        items: list[dict[str, Any]] = []
        released = 0
        current: dict[
            int, dict[int, int]
        ] = {}  # the rows the release overwrites, as the module logs them
        for sku in wanted:
            product_id = by_sku.get(sku.lower())
            if product_id is None or product_id in quarantine.released:
                items.append({"sku": sku, "result": "not_quarantined", "prior_statuses": []})
                continue
            prior = quarantine.products[product_id][1]
            current[product_id] = _prior_statuses(state, product_id)
            for store_id, status in prior.items():
                _set_status(state, product_id, store_id, status)
            quarantine.released.add(product_id)
            released += 1
            items.append(
                {
                    "sku": sku,
                    "product_id": product_id,
                    "result": "released",
                    "prior_statuses": _statuses(prior),
                }
            )
        return _Outcome(
            _status_rows(current),
            {"quarantine_id": quarantine_id, "released": released, "items": items},
        )

    return _run_action(
        call, _Action("catalog.release", request["reason"], request["incidentId"], request, apply)
    )


# --- bulk order hold (Model/Sales) -------------------------------------------------------------
def _order_statuses(body: dict[str, Any]) -> list[str]:
    given = _array(body, "statuses")
    if len(given) > MAX_STATUSES:
        raise _invalid("statuses", f"{len(given)} statuses (at most {MAX_STATUSES})")
    clean: dict[str, str] = {}
    for status in given:
        if not isinstance(status, str) or ORDER_STATUS.match(status) is None:
            raise _invalid("statuses", status if isinstance(status, str | int | float) else "array")
        clean[status] = status
    if not clean:
        raise required_field("statuses")
    return list(clean)


def _order_time(body: dict[str, Any], name: str) -> str | None:
    value = _string(body, name)
    if value is None or not value.strip():
        return None
    if MAGENTO_TIME.match(value) is None:
        raise _invalid(name, value)
    return value


def _hold_item(order: dict[str, Any], result: str, message: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"order_id": order["entity_id"]}
    if order.get("increment_id") is not None:
        item["increment_id"] = order["increment_id"]
    item |= {"result": result, "prior_state": order["state"], "prior_status": order["status"]}
    if message is not None:
        item["message"] = message
    return item


def _orders_matching(
    state: StoreState, request: dict[str, Any], matches: Callable[[dict[str, Any]], bool]
) -> tuple[list[dict[str, Any]], int]:
    """The first MAX_ORDERS orders (by id) a hold by statuses and creation window selects,
    and how many it selects, from the orders' columns instead of deriving every order under
    the store's lock (1M orders: seconds). Generated orders' statuses are lower-case and
    their times one format, as the request's are, so the columns' (case-insensitive) `in`
    and text comparisons select exactly what `matches` does; stored orders go through
    `matches` itself."""
    groups = [(Filter("status", request["statuses"], "in"),)]
    if request["createdFrom"] is not None:
        groups.append((Filter("created_at", request["createdFrom"], "gteq"),))
    if request["createdTo"] is not None:
        groups.append((Filter("created_at", request["createdTo"], "lteq"),))
    criteria = SearchCriteria(tuple(groups), (("entity_id", "ASC"),), MAX_ORDERS, 1)
    table = state.orders
    assert table.index is not None  # noqa: S101 - the caller checked
    keyed = table.keyed_access(frozenset({"entity_id"}), columns.ORDER.names)
    return table.index.search(criteria, keyed, matches, _order_value)


@routes.rest(
    "POST",
    f"{PREFIX}/orders/hold",
    acl=f"{ACL}orders_hold",
    body={**_REASON, "statuses": None, "orderIds": None, "createdFrom": None, "createdTo": None},
    required=("reason", "statuses"),
)
def hold_orders(call: Call) -> dict[str, Any]:
    request: dict[str, Any] = {
        "reason": _reason(call.body),
        "incidentId": _incident_id(call.body),
        "statuses": _order_statuses(call.body),
        "orderIds": _ids(call.body, "orderIds", MAX_ORDERS),
        "createdFrom": _order_time(call.body, "createdFrom"),
        "createdTo": _order_time(call.body, "createdTo"),
    }

    def matches(order: dict[str, Any]) -> bool:
        created = order.get("created_at") or ""
        return (
            order["status"] in request["statuses"]
            and (not named or order["entity_id"] in named)
            and (request["createdFrom"] is None or created >= request["createdFrom"])
            and (request["createdTo"] is None or created <= request["createdTo"])
        )

    named = set(request["orderIds"])

    def apply() -> _Outcome:
        state = call.state
        if named or state.orders.index is None:
            candidates = (
                (state.orders.get(order_id) for order_id in sorted(named))
                if named
                else state.orders.rows()
            )
            matching = sorted(
                (order for order in candidates if order is not None and matches(order)),
                key=lambda order: order["entity_id"],
            )
            selected, total = matching[:MAX_ORDERS], len(matching)
        else:
            selected, total = _orders_matching(state, request, matches)
        items: dict[int, dict[str, Any]] = {}
        held: dict[int, tuple[str | None, str, str]] = {}
        for order in selected:
            if order["state"] == "holded":
                items[order["entity_id"]] = _hold_item(order, "already_held")
                continue
            try:
                hold_order(state, order, call.now)
            except WebapiError as refusal:
                items[order["entity_id"]] = _hold_item(order, "not_held", _rendered(refusal))
                continue
            held[order["entity_id"]] = (order.get("increment_id"), order["state"], order["status"])
            items[order["entity_id"]] = _hold_item(order, "held")
        for order_id in named - set(items):
            found = state.orders.get(order_id)
            if found is None:
                items[order_id] = {"order_id": order_id, "result": "not_found"}
            else:
                outcome = "already_held" if found["state"] == "holded" else "not_matched"
                items[order_id] = _hold_item(found, outcome)
        result: dict[str, Any] = {
            "matched": total,
            "held": len(held),
            "remaining": total - len(selected),
            "items": [items[order_id] for order_id in sorted(items)],
        }
        if held:
            module = state.incident_response
            hold_id = max(module.order_holds, default=0) + 1
            module.order_holds[hold_id] = OrderHold(hold_id, magento_time(call.now), held)
            result["hold_id"] = hold_id
        prior = {
            str(order_id): {"state": prior_state, "status": prior_status}
            for order_id, (_increment, prior_state, prior_status) in held.items()
        }
        return _Outcome({"orders": prior or []}, result)

    return _run_action(
        call, _Action("orders.hold", request["reason"], request["incidentId"], request, apply)
    )


@routes.rest(
    "POST",
    f"{PREFIX}/orders/unhold",
    acl=f"{ACL}orders_unhold",
    body={"holdId": None, **_REASON, "orderIds": None},
    required=("holdId", "reason"),
)
def unhold_orders(call: Call) -> dict[str, Any]:
    hold_id = _integer(call.body, "holdId", 0)
    if hold_id < 1:
        raise _invalid("holdId", hold_id)
    request: dict[str, Any] = {
        "holdId": hold_id,
        "reason": _reason(call.body),
        "incidentId": _incident_id(call.body),
        "orderIds": _ids(call.body, "orderIds", MAX_ORDERS),
    }

    def apply() -> _Outcome:
        state = call.state
        hold = state.incident_response.order_holds.get(hold_id)
        if hold is None:
            raise no_such_entity("holdId", hold_id)
        named = request["orderIds"]
        items: dict[int, dict[str, Any]] = {}
        prior: dict[str, dict[str, str]] = {}
        released = 0
        for order_id in sorted(hold.orders):
            if order_id in hold.released or (named and order_id not in named):
                continue
            increment_id, prior_state, prior_status = hold.orders[order_id]
            recorded = {
                "entity_id": order_id,
                "increment_id": increment_id,
                "state": prior_state,
                "status": prior_status,
            }
            order = state.orders.get(order_id)
            if order is None or order["state"] != "holded":
                items[order_id] = _hold_item(recorded, "not_on_hold")
                hold.released.add(order_id)
                continue
            prior[str(order_id)] = {"state": order["state"], "status": order["status"]}
            try:
                unhold_order(state, order, call.now)
            except WebapiError as refusal:  # pragma: no cover - holded orders always release
                items[order_id] = _hold_item(recorded, "not_released", _rendered(refusal))
                continue
            items[order_id] = _hold_item(recorded, "released")
            hold.released.add(order_id)
            released += 1
        for order_id in named:
            items.setdefault(order_id, {"order_id": order_id, "result": "not_in_hold"})
        return _Outcome(
            {"orders": prior or []},
            {
                "hold_id": hold_id,
                "released": released,
                "items": [items[order_id] for order_id in sorted(items)],
            },
        )

    return _run_action(
        call, _Action("orders.unhold", request["reason"], request["incidentId"], request, apply)
    )


# --- maintenance ------------------------------------------------------------------------------
def maintenance_state(state: StoreState) -> dict[str, Any]:
    module = state.incident_response
    result: dict[str, Any] = {"mode": module.maintenance_mode}
    if module.maintenance_message is not None:
        result["message"] = module.maintenance_message
    result |= {
        "retry_after": module.maintenance_retry_after,
        "allowed_ips": list(state.maintenance_ips),
        "magento_flag": state.maintenance,
    }
    if module.maintenance_changed_at is not None:
        result["changed_at"] = module.maintenance_changed_at
    return result


def _allow_ips(body: dict[str, Any]) -> list[str]:
    ips = _array(body, "allowIps")
    if len(ips) > MAX_ALLOW_IPS:
        raise _invalid("allowIps", f"{len(ips)} addresses (at most {MAX_ALLOW_IPS})")
    clean: list[str] = []
    for raw in ips:
        text = raw.strip() if isinstance(raw, str) else ""
        address, _, prefix = text.partition("/")
        try:
            ip_address(address)
        except ValueError:
            raise _invalid("allowIps", text) from None
        if prefix and not (prefix.isdigit() and int(prefix) <= 128):  # noqa: PLR2004
            raise _invalid("allowIps", text)
        if text not in clean:
            clean.append(text)
    return clean


@routes.rest("GET", f"{PREFIX}/maintenance", acl=f"{ACL}maintenance_view")
def get_maintenance(call: Call) -> dict[str, Any]:
    return maintenance_state(call.state)


@routes.rest(
    "PUT",
    f"{PREFIX}/maintenance",
    acl=f"{ACL}maintenance_manage",
    body={"mode": None, **_REASON, "message": None, "retryAfter": None, "allowIps": None},
    required=("mode", "reason"),
)
def set_maintenance(call: Call) -> dict[str, Any]:
    body = call.body
    message = _string(body, "message")
    if message is not None and len(message) > MAX_MESSAGE_LENGTH:
        raise _invalid("message", message[:40] + "...")
    retry_after = _integer(body, "retryAfter", 900)
    if not 60 <= retry_after <= 86_400:  # noqa: PLR2004 - the contract's bounds
        raise _invalid("retryAfter", retry_after)
    request: dict[str, Any] = {
        "mode": _one_of("mode", _string(body, "mode"), MAINTENANCE_MODES),
        "reason": _reason(body),
        "incidentId": _incident_id(body),
        "message": message.strip() if message and message.strip() else None,
        "retryAfter": retry_after,
        "allowIps": _allow_ips(body),
    }
    caller_ip = call.request.client_ip

    def apply() -> _Outcome:
        state = call.state
        module = state.incident_response
        prior = maintenance_state(state)
        mode = request["mode"]
        # Only an allow list the module replaced is put back; one set from the CLI stays.
        prior_ips = (
            module.maintenance_prior_ips
            if module.maintenance_mode == "full"
            else state.maintenance_ips
        )
        if mode == "full":
            allowed = list(dict.fromkeys([*state.maintenance_ips, caller_ip, *request["allowIps"]]))
            state.maintenance_ips = tuple(allowed)
            state.maintenance = True
        elif state.maintenance:
            state.maintenance = False
            state.maintenance_ips = tuple(prior_ips)
        module.maintenance_mode = mode
        module.maintenance_message = request["message"]
        module.maintenance_retry_after = request["retryAfter"]
        module.maintenance_changed_at = magento_time(call.now)
        module.maintenance_prior_ips = tuple(prior_ips) if mode == "full" else ()
        return _Outcome(prior, {"previous_mode": prior["mode"], "state": maintenance_state(state)})

    return _run_action(
        call, _Action("maintenance.set", request["reason"], request["incidentId"], request, apply)
    )


# --- payments ---------------------------------------------------------------------------------
def _methods(body: dict[str, Any], *, required: bool) -> list[str]:
    given = _array(body, "methods")
    if len(given) > MAX_METHODS:  # counted before the list is walked
        raise _invalid("methods", f"{len(given)} codes (at most {MAX_METHODS})")
    methods: list[str] = []
    for code in given:
        if not isinstance(code, str) or PAYMENT_METHOD.match(code) is None:
            raise _invalid("methods", code if isinstance(code, str | int) else type(code).__name__)
        if code not in methods:
            methods.append(code)
    if not methods and required:
        raise required_field("methods")
    return methods


def _known_methods(state: StoreState) -> set[str]:
    return {
        path.split("/")[1]
        for path, _scope, _scope_id in [*state.config, *state.locked_config]
        if path.startswith("payment/") and path.endswith("/active") and path.count("/") == 2  # noqa: PLR2004
    }


def _scope_value(scope: str, scope_id: int, value: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"scope": scope, "scope_id": scope_id}
    if value is not None:
        entry["value"] = value
    return entry


def _active_scopes(state: StoreState, path: str) -> list[tuple[str, int]]:
    """Default when effectively on there, plus every website/store row that says 1."""
    scopes: list[tuple[str, int]] = []
    if state.config_value(path) == "1":
        scopes.append(("default", 0))
    for table in (state.config, state.locked_config):
        for (row_path, scope, scope_id), value in sorted(table.items(), key=lambda i: i[0][1:]):
            wanted = row_path == path and scope != "default" and value == "1"
            if wanted and (scope, scope_id) not in scopes:
                scopes.append((scope, scope_id))
    return scopes


@routes.rest(
    "POST",
    f"{PREFIX}/payments/suspend",
    acl=f"{ACL}payments_suspend",
    body={"methods": None, **_REASON},
    required=("methods", "reason"),
)
def suspend_payments(call: Call) -> dict[str, Any]:
    request: dict[str, Any] = {
        "methods": _methods(call.body, required=True),
        "reason": _reason(call.body),
        "incidentId": _incident_id(call.body),
    }

    def apply() -> _Outcome:
        state = call.state
        module = state.incident_response
        # Refused inside the action, so the refusal is logged.
        unknown = [code for code in request["methods"] if code not in _known_methods(state)]
        if unknown:
            raise WebapiError(
                400, "Unknown payment method code(s): %codes.", {"codes": ", ".join(unknown)}
            )
        items, prior_state = [], {}
        for code in request["methods"]:
            path = f"payment/{code}/active"
            changed: list[dict[str, Any]] = []
            locked: list[dict[str, Any]] = []
            recorded: dict[tuple[str, int], str | None] = {}
            for scope, scope_id in _active_scopes(state, path):
                key = (path, scope, scope_id)
                if key in state.locked_config:
                    locked.append(_scope_value(scope, scope_id, state.locked_config[key]))
                    continue
                prior = state.config.get(key)
                recorded[(scope, scope_id)] = prior
                changed.append(_scope_value(scope, scope_id, prior))
                state.set_config(path, "0", scope, scope_id, updated_at=magento_time(call.now))
            if recorded:
                existing = module.suspensions.get(code)
                merged = {**recorded, **(existing.prior if existing else {})}
                module.suspensions[code] = PaymentSuspension(code, merged)
                result = "suspended"
            else:
                result = "locked" if locked else "already_inactive"
            prior_state[code] = changed
            items.append({"method": code, "result": result, "changed": changed, "locked": locked})
        return _Outcome(prior_state, {"items": items})

    return _run_action(
        call, _Action("payments.suspend", request["reason"], request["incidentId"], request, apply)
    )


@routes.rest(
    "POST",
    f"{PREFIX}/payments/resume",
    acl=f"{ACL}payments_resume",
    body={"methods": None, **_REASON},
    required=("reason",),
)
def resume_payments(call: Call) -> dict[str, Any]:
    request: dict[str, Any] = {
        "methods": _methods(call.body, required=False),
        "reason": _reason(call.body),
        "incidentId": _incident_id(call.body),
    }

    def apply() -> _Outcome:
        state = call.state
        module = state.incident_response
        methods = request["methods"] or sorted(module.suspensions)
        items, prior_state = [], {}
        for code in methods:
            path = f"payment/{code}/active"
            suspension = module.suspensions.pop(code, None)
            if suspension is None:
                items.append(
                    {"method": code, "result": "not_suspended", "changed": [], "locked": []}
                )
                continue
            changed = []
            prior_state[code] = [
                _scope_value(scope, scope_id, state.config.get((path, scope, scope_id)))
                for scope, scope_id in suspension.prior
            ]
            for (scope, scope_id), value in suspension.prior.items():
                if value is None:
                    state.config.pop((path, scope, scope_id), None)  # there was no row
                else:
                    state.set_config(
                        path, value, scope, scope_id, updated_at=magento_time(call.now)
                    )
                changed.append(_scope_value(scope, scope_id, value))
            items.append({"method": code, "result": "resumed", "changed": changed, "locked": []})
        return _Outcome(prior_state, {"items": items})

    return _run_action(
        call, _Action("payments.resume", request["reason"], request["incidentId"], request, apply)
    )


# --- admins -----------------------------------------------------------------------------------
def _deactivate_integrations(state: StoreState, keep: set[int]) -> dict[int, int]:
    """Every other active integration set inactive: its OAuth access token stops working."""
    prior: dict[int, int] = {}
    for integration_id, integration in sorted(state.integrations.items()):
        if integration_id in keep or integration.status != 1:
            continue
        prior[integration_id] = integration.status
        integration.status = 0
    return prior


@routes.rest(
    "POST",
    f"{PREFIX}/admins/lockdown",
    acl=f"{ACL}admins_lockdown",
    body={**_REASON, "mode": None, "keepAdminIds": None, "includeIntegrations": None},
    required=("reason",),
)
def lockdown_admins(call: Call) -> dict[str, Any]:
    body = call.body
    request: dict[str, Any] = {
        "reason": _reason(body),
        "incidentId": _incident_id(body),
        "mode": _one_of("mode", _string(body, "mode", "deactivate"), ("deactivate", "lock")),
        "keepAdminIds": _ids(body, "keepAdminIds"),
        "includeIntegrations": _boolean(body, "includeIntegrations", default=True),
    }

    def apply() -> _Outcome:
        state = call.state
        module = state.incident_response
        caller = call.caller
        keep = set(request["keepAdminIds"])
        if caller.user_type == USER_TYPE_ADMIN and caller.user_id is not None:
            keep.add(caller.user_id)
        keep_integrations: set[int] = set()
        if caller.user_type == USER_TYPE_INTEGRATION and caller.user_id is not None:
            keep_integrations.add(caller.user_id)
        admins: dict[int, tuple[int, float | None]] = {}
        for user_id, user in sorted(state.admin_users.items()):
            if user_id in keep:
                continue
            admins[user_id] = (user.is_active, user.lock_expires)
            if request["mode"] == "deactivate":
                user.is_active = 0
            else:
                user.lock_expires = call.now + LOCK_LIFETIME
            state.revoked_before[(USER_TYPE_ADMIN, user_id)] = int(call.now)
        integrations = (
            _deactivate_integrations(state, keep_integrations)
            if request["includeIntegrations"]
            else {}
        )
        sessions = _end_admin_sessions(call, admins)
        result: dict[str, Any] = {}
        if admins or integrations:
            lockdown_id = max(module.lockdowns, default=0) + 1
            module.lockdowns[lockdown_id] = AdminLockdown(lockdown_id, admins, integrations)
            result["lockdown_id"] = lockdown_id
        result |= {
            "mode": request["mode"],
            "admin_ids": sorted(admins),
            "kept_admin_ids": sorted(keep & set(state.admin_users)),
            "integration_ids": sorted(integrations),
            "kept_integration_ids": sorted(keep_integrations),
            "admin_sessions_ended": sessions,
            "admin_tokens_revoked": len(admins),
        }
        prior = {
            "admins": {
                str(uid): {"is_active": a, "lock_expires": b} for uid, (a, b) in admins.items()
            },
            "integrations": {str(iid): status for iid, status in integrations.items()},
        }
        return _Outcome(prior, result)

    return _run_action(
        call, _Action("admins.lockdown", request["reason"], request["incidentId"], request, apply)
    )


@routes.rest(
    "POST",
    f"{PREFIX}/admins/restore",
    acl=f"{ACL}admins_restore",
    body={"lockdownId": None, **_REASON, "integrationTokens": None},
    required=("lockdownId", "reason"),
)
def restore_admins(call: Call) -> dict[str, Any]:
    lockdown_id = _integer(call.body, "lockdownId", 0)
    if lockdown_id < 1:
        raise _invalid("lockdownId", lockdown_id)
    request: dict[str, Any] = {
        "lockdownId": lockdown_id,
        "reason": _reason(call.body),
        "incidentId": _incident_id(call.body),
        "integrationTokens": _one_of(
            "integrationTokens",
            _string(call.body, "integrationTokens", "reissue"),
            ("reissue", "revive"),
        ),
    }

    def apply() -> _Outcome:
        state = call.state
        lockdown = state.incident_response.lockdowns.get(lockdown_id)
        if lockdown is None:
            raise no_such_entity("lockdownId", lockdown_id)
        if lockdown.restored:
            raise WebapiError(400, "Lockdown %1 was already restored.", [lockdown_id])
        for user_id, (is_active, lock_expires) in lockdown.admins.items():
            user = state.admin_users.get(user_id)
            if user is not None:
                user.is_active, user.lock_expires = is_active, lock_expires
        reissued: list[int] = []
        revived: list[int] = []
        for integration_id, status in sorted(lockdown.integrations.items()):
            integration = state.integrations.get(integration_id)
            if integration is None:
                continue
            integration.status = status
            if request["integrationTokens"] == "revive":
                revived.append(integration_id)  # the old access token works again
            else:
                # Magento's Reauthorize: a new token and secret; the revoked one stays dead.
                integration.access_token = secrets.token_hex(16)
                integration.access_token_secret = secrets.token_hex(16)
                reissued.append(integration_id)
        lockdown.restored = True
        return _Outcome(
            None,
            {
                "lockdown_id": lockdown_id,
                "admin_ids": sorted(lockdown.admins),
                "integration_ids": sorted(lockdown.integrations),
                "integration_tokens": request["integrationTokens"],
                "reissued_integration_ids": reissued,
                "revived_integration_ids": revived,
            },
        )

    return _run_action(
        call, _Action("admins.restore", request["reason"], request["incidentId"], request, apply)
    )


# --- customers --------------------------------------------------------------------------------
@routes.rest(
    "POST",
    f"{PREFIX}/customers/force-password-reset",
    acl=f"{ACL}customers_password_reset",
    body={
        **_REASON,
        "customerIds": None,
        "allCustomers": None,
        "sendResetEmail": None,
        "emailBatchSize": None,
    },
    required=("reason",),
)
def force_password_reset(call: Call) -> dict[str, Any]:
    body = call.body
    batch_size = _integer(body, "emailBatchSize", 100)
    if not 1 <= batch_size <= 500:  # noqa: PLR2004 - the contract's bounds
        raise _invalid("emailBatchSize", batch_size)
    request: dict[str, Any] = {
        "reason": _reason(body),
        "incidentId": _incident_id(body),
        "customerIds": _ids(body, "customerIds"),
        "allCustomers": _boolean(body, "allCustomers", default=False),
        "sendResetEmail": _boolean(body, "sendResetEmail", default=False),
        "emailBatchSize": batch_size,
    }
    if request["allCustomers"] == bool(request["customerIds"]):
        raise WebapiError(
            400, 'Give either "customerIds" or "allCustomers": true, not both and not neither.'
        )
    state = call.state
    everyone = bool(request["allCustomers"])
    in_scope_count = (
        len(state.customers)
        if everyone
        else sum(1 for _ in _customer_ids(state, request["customerIds"]))
    )

    def apply() -> _Outcome:
        # Refused inside the action, so the refusal is logged.
        if request["sendResetEmail"] and in_scope_count > MAX_EMAILS_PER_CALL:
            raise WebapiError(
                400,
                "sendResetEmail is limited to %max customers per call, this call has %count."
                " Reset everyone without e-mail first, then send e-mails in pages of"
                ' "customerIds".',
                {"max": MAX_EMAILS_PER_CALL, "count": in_scope_count},
            )
        reset_ids = sorted(set(_customer_ids(state, request["customerIds"])))
        # Each hash becomes a hash of a random secret nobody knows: old passwords stop working.
        if everyone:
            # Every row at once: generated customers share the default hash, so replace it.
            state.customer_password_hashes.clear()
            state.default_customer_password_hash = _random_hash()
            state.password_reset_tokens.clear()
            count, persistent = cut_off_all_customers(call)
        else:
            for customer_id in _customer_ids(state, request["customerIds"]):
                state.customer_password_hashes[customer_id] = _random_hash()
                state.password_reset_tokens.pop(customer_id, None)
            count, persistent = cut_off_customers(
                call, _customer_ids(state, request["customerIds"])
            )
        in_scope: list[int] = (
            list(_customer_ids(state, request["customerIds"])) if request["sendResetEmail"] else []
        )
        attempted = 0
        if request["sendResetEmail"]:
            for batch_number in range(math.ceil(len(in_scope) / batch_size)):
                batch = in_scope[batch_number * batch_size : (batch_number + 1) * batch_size]
                for customer_id in batch:
                    row = state.customers.get(customer_id) or {}
                    token = secrets.token_hex(16)
                    state.password_reset_tokens[customer_id] = token
                    state.sent_emails.append(
                        {
                            "to": row.get("email"),
                            "customer_id": customer_id,
                            "template": "email_reset",
                            "batch": batch_number + 1,
                        }
                    )
                    attempted += 1
        result = {
            "customers": in_scope_count,
            "unknown_customer_ids": [
                cid for cid in request["customerIds"] if cid not in state.customers
            ],
            "passwords_invalidated": in_scope_count,
            "tokens_revoked": count,
            "sessions_cut_off": count,
            "persistent_sessions_deleted": persistent,
            "emails_attempted": attempted,
            "emails_failed": [],
        }
        return _Outcome({"customer_ids": reset_ids}, result)

    return _run_action(
        call,
        _Action(
            "customers.force_password_reset",
            request["reason"],
            request["incidentId"],
            request,
            apply,
        ),
    )


def _random_hash() -> str:
    return hashlib.sha256(secrets.token_bytes(32)).hexdigest()


# --- the action log ---------------------------------------------------------------------------
@routes.rest("GET", f"{PREFIX}/actions", acl=f"{ACL}actions_view", search=True)
def list_actions(call: Call) -> dict[str, Any]:
    log = call.state.action_log
    return search_response(
        query=call.query,
        config_value=call.state.config_value,
        rows=lambda: iter(log),
        count=lambda: len(log),
        value_of=lambda row, name: row.get(name) if name in ACTION_LOG_FIELDS else None,
        serialize=dict,
    )


# --- evidence reads ---------------------------------------------------------------------------
MAX_ADMIN_SESSIONS = 10_000
ENCRYPTED = "[encrypted]"
# php-module/Model/Evidence/ConfigPathPatterns::ALLOW_LIST (magento-api.md 9.7).
CONFIG_ALLOW_LIST = (
    "design/head/*",
    "design/footer/*",
    "design/header/*",
    "web/unsecure/*",
    "web/secure/*",
    "admin/url/*",
    "payment/*/active",
    "payment/*/title",
    "csp/*",
    "sales_email/*/template",
)
_CONFIG_SEGMENT = re.compile(r"^[A-Za-z0-9_-]+$")
_MAGENTO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


@routes.rest("GET", f"{PREFIX}/admins", acl=f"{ACL}admins_view")
def list_admins(call: Call) -> dict[str, Any]:
    state = call.state
    items = []
    for user_id, user in sorted(state.admin_users.items()):
        item: dict[str, Any] = {
            "user_id": user_id,
            "username": user.username,
            "email": user.email,
            "firstname": user.firstname,
            "lastname": user.lastname,
            "is_active": bool(user.is_active),
            "failures_num": user.failures_num,
            "lognum": user.lognum,
            "created": user.created,
        }
        if user.lock_expires is not None:
            item["lock_expires"] = magento_time(user.lock_expires)
        if user.logdate is not None:
            item["logdate"] = user.logdate
        if user.modified is not None:
            item["modified"] = user.modified
        role = state.admin_roles.get(user.role_id)
        if role is not None:
            item["role_id"] = role.role_id
            item["role_name"] = role.name
        items.append(item)
    return {"items": items, "total_count": len(items)}


@routes.rest("GET", f"{PREFIX}/admin-sessions", acl=f"{ACL}admin_sessions_view")
def list_admin_sessions(call: Call) -> dict[str, Any]:
    since = call.query.get("since", "")
    if not isinstance(since, str):
        raise _wrong_type(since, "string")
    if since and not _is_magento_time(since):
        raise _invalid("since", since)
    rows = [
        session
        for session in call.state.admin_sessions.values()
        if not since or session.updated_at >= since
    ]
    rows.sort(key=lambda session: (session.updated_at, session.id), reverse=True)
    items = []
    for session in rows[:MAX_ADMIN_SESSIONS]:
        item: dict[str, Any] = {
            "id": session.id,
            "user_id": session.user_id,
            "status": session.status,
            "created_at": session.created_at,
            "updated_at": session.updated_at,
        }
        if session.ip:
            item["ip"] = session.ip
        items.append(item)
    return {"items": items, "total_count": len(rows), "truncated": len(rows) > MAX_ADMIN_SESSIONS}


def _is_magento_time(text: str) -> bool:
    if _MAGENTO_TIME.match(text) is None:
        return False
    try:
        time.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return False
    return True


@routes.rest("GET", f"{PREFIX}/integrations", acl=f"{ACL}integrations_view")
def list_integrations(call: Call) -> dict[str, Any]:
    items = []
    for integration_id, integration in sorted(call.state.integrations.items()):
        item: dict[str, Any] = {
            "integration_id": integration_id,
            "name": integration.name,
            "status": integration.status,
            "setup_type": integration.setup_type,
            "created_at": integration.created_at,
            "updated_at": integration.updated_at,
            "consumer_created_at": integration.consumer_created_at,
        }
        if integration.email:
            item["email"] = integration.email
        if integration.endpoint:
            item["endpoint"] = integration.endpoint
        items.append(item)
    return {"items": items, "total_count": len(items)}


def config_path_allowed(path: str) -> bool:
    """Whether an allow-list pattern matches every path the requested pattern can match."""
    requested = path.split("/")
    if any(part != "*" and _CONFIG_SEGMENT.match(part) is None for part in requested):
        return False
    for allowed in CONFIG_ALLOW_LIST:
        parts = allowed.split("/")
        is_open = parts[-1] == "*"
        fixed = parts[:-1] if is_open else parts
        if len(requested) <= len(fixed) if is_open else len(requested) != len(fixed):
            continue
        if all(want in {"*", got} for want, got in zip(fixed, requested, strict=False)):
            return True
    return False


def _config_pattern(path: str) -> re.Pattern[str]:
    """A trailing * matches the rest of a path, any other * one segment."""
    parts = path.split("/")
    pieces = [
        ("[^/]+(?:/[^/]+)*" if index == len(parts) - 1 else "[^/]+")
        if part == "*"
        else re.escape(part)
        for index, part in enumerate(parts)
    ]
    return re.compile("/".join(pieces))


@routes.rest("GET", f"{PREFIX}/config", acl=f"{ACL}config_view")
def list_config(call: Call) -> dict[str, Any]:
    raw = call.query.get("paths")
    if raw is None or raw in ("", [], {}):
        raise required_field("paths")
    requested = list(raw.values()) if isinstance(raw, dict) else raw
    if not isinstance(requested, list) or not all(isinstance(p, str) for p in requested):
        raise _wrong_type(raw, "string[]")
    for path in requested:
        if not config_path_allowed(path):
            raise WebapiError(
                400,
                'The config path "%path" is not an evidence path this route may read.',
                {"path": path},
            )
    patterns = [_config_pattern(path) for path in requested]
    state = call.state
    items = []
    for key in sorted(state.config):
        path, scope, scope_id = key
        if not any(pattern.fullmatch(path) for pattern in patterns):
            continue
        value = state.config[key]
        item: dict[str, Any] = {"path": path, "scope": scope, "scope_id": scope_id}
        if value is not None:
            encrypted = path in state.incident_response.encrypted_config_paths
            item["value"] = ENCRYPTED if encrypted else value
        item["updated_at"] = state.config_updated_at.get(key, CONFIG_SEEDED_AT)
        item["locked"] = key in state.locked_config
        items.append(item)
    return {"items": items, "total_count": len(items)}


# --- the payment guard (Model/Guard) ------------------------------------------------------------
MAX_RULE_VALUES = 1000
MAX_RULE_IDS = 1000
MAX_BLOCK_PAGE = 1000


def _in_range(name: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise _invalid(name, value)
    return value


def _velocity_rule(body: dict[str, Any], ttl: int) -> dict[str, Any]:
    if _array(body, "values"):
        raise _invalid("values", "values are for block rules, not velocity")
    return {
        "type": "velocity",
        "values": [],
        "subject": _one_of("subject", _string(body, "subject") or "", module_guard.SUBJECTS),
        "metric": _one_of("metric", _string(body, "metric") or "", module_guard.METRICS),
        "limit": _in_range("limit", _integer(body, "limit", 0), 1, 100_000),
        "window": _in_range("window", _integer(body, "window", 0), 60, 86_400),
        "ttl": ttl,
    }


def _block_values(rule_type: str, values: list[Any]) -> list[str]:
    if len(values) > MAX_RULE_VALUES:
        raise _invalid("values", f"{len(values)} values (at most {MAX_RULE_VALUES})")
    clean: list[str] = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise _invalid("values", type(value).__name__)
        normal = module_guard.normalize_value(rule_type, str(value))
        if normal is None:
            raise _invalid("values", value)
        if normal not in clean:
            clean.append(normal)
    if not clean:
        raise required_field("values")
    return clean


def _guard_rule(body: dict[str, Any]) -> dict[str, Any]:
    """The rule's parameters as `RuleInput::rule` validates and normalises them."""
    rule_type = _one_of("type", _string(body, "type"), module_guard.RULE_TYPES)
    ttl = _integer(body, "ttl", 0)
    if ttl != 0:
        _in_range("ttl", ttl, 1, 2_592_000)
    if rule_type == "velocity":
        return _velocity_rule(body, ttl)
    for name in ("subject", "metric"):
        given = _string(body, name)
        if given:
            raise _invalid(name, given)
    limit, window = _integer(body, "limit", 0), _integer(body, "window", 0)
    if limit or window:
        raise _invalid("limit" if limit else "window", limit or window)
    return {
        "type": rule_type,
        "values": _block_values(rule_type, _array(body, "values")),
        "subject": None,
        "metric": None,
        "limit": None,
        "window": None,
        "ttl": ttl,
    }


@routes.rest(
    "POST",
    f"{PREFIX}/guard/rules",
    acl=f"{ACL}guard_rules_add",
    body={
        "type": None,
        "values": None,
        "subject": None,
        "metric": None,
        "limit": None,
        "window": None,
        "ttl": None,
        **_REASON,
    },
    required=("type", "reason"),
)
def add_guard_rule(call: Call) -> dict[str, Any]:
    rule = _guard_rule(call.body)
    request = {**rule, "reason": _reason(call.body), "incidentId": _incident_id(call.body)}

    def apply() -> _Outcome:
        module = call.state.incident_response
        now = int(call.now)
        added = GuardRule(
            rule_id=max(module.guard_rules, default=0) + 1,
            type=rule["type"],
            values=rule["values"],
            subject=rule["subject"],
            metric=rule["metric"],
            limit=rule["limit"],
            window=rule["window"],
            created_at=now,
            expires_at=now + rule["ttl"] if rule["ttl"] else None,
            reason=request["reason"],
            incident_id=request["incidentId"],
        )
        module.guard_rules[added.rule_id] = added
        return _Outcome(None, {"rule": module_guard.rule_wire(module, added)})

    return _run_action(
        call, _Action("guard.rule_add", request["reason"], request["incidentId"], request, apply)
    )


@routes.rest("GET", f"{PREFIX}/guard/rules", acl=f"{ACL}guard_rules_view")
def list_guard_rules(call: Call) -> dict[str, Any]:
    module = call.state.incident_response
    everything = _boolean(call.query, "includeInactive", default=False)
    rules = (
        [rule for _id, rule in sorted(module.guard_rules.items())]
        if everything
        else module_guard.active_rules(module, call.now)
    )
    return {"items": [module_guard.rule_wire(module, rule) for rule in rules]}


@routes.rest(
    "POST",
    f"{PREFIX}/guard/rules/remove",
    acl=f"{ACL}guard_rules_remove",
    body={"ruleIds": None, **_REASON},
    required=("ruleIds", "reason"),
)
def remove_guard_rules(call: Call) -> dict[str, Any]:
    request: dict[str, Any] = {
        "ruleIds": _ids(call.body, "ruleIds", MAX_RULE_IDS),
        "reason": _reason(call.body),
        "incidentId": _incident_id(call.body),
    }
    if not request["ruleIds"]:
        raise required_field("ruleIds")

    def apply() -> _Outcome:
        module = call.state.incident_response
        live = {rule.rule_id: rule for rule in module_guard.active_rules(module, call.now)}
        removed = []
        for rule_id in sorted(set(request["ruleIds"]) & set(live)):
            removed.append(module_guard.rule_wire(module, live[rule_id]))
            live[rule_id].removed_at = int(call.now)
        not_found = [rule_id for rule_id in request["ruleIds"] if rule_id not in live]
        return _Outcome(removed, {"removed": removed, "not_found": not_found})

    return _run_action(
        call,
        _Action("guard.rules_remove", request["reason"], request["incidentId"], request, apply),
    )


def _query_integer(query: dict[str, Any], name: str, default: int) -> int:
    """An `int` query parameter: Magento renders its type error itself (no `parameters`)."""
    raw = query.get(name)
    return default if raw is None else integer_param(str(raw))


@routes.rest("GET", f"{PREFIX}/guard/blocks", acl=f"{ACL}guard_blocks_view")
def list_guard_blocks(call: Call) -> dict[str, Any]:
    after = _in_range("afterId", _query_integer(call.query, "afterId", 0), 0, 2**63 - 1)
    page_size = _in_range(
        "pageSize", _query_integer(call.query, "pageSize", 100), 1, MAX_BLOCK_PAGE
    )
    rows = [row for row in call.state.incident_response.guard_blocks if row["block_id"] > after]
    page = rows[:page_size]
    return {"items": page, "last_block_id": page[-1]["block_id"] if page else after}


@routes.rest("GET", f"{PREFIX}/guard/counters", acl=f"{ACL}guard_counters_view")
def guard_counters(call: Call) -> dict[str, Any]:
    module = call.state.incident_response
    items = list(module_guard.counters(module).values())
    last = module.guard_blocks[-1]["block_id"] if module.guard_blocks else 0
    return {
        "items": items,
        "blocked": sum(item["blocked"] for item in items),
        "last_block_id": last,
    }


# --- the code manifest (Model/Code) -------------------------------------------------------------
MAX_MANIFEST_PAGE = 10_000
MAX_CURSOR_LENGTH = 4096


def manifest_cursor(path: str) -> str:
    """`GetCodeManifest::cursor`: base64url of the path's bytes, unpadded."""
    return base64.urlsafe_b64encode(path.encode()).decode().rstrip("=")


def _cursor_path(after: str | None) -> bytes | None:
    if after is None:
        return None
    path = None
    if len(after) <= MAX_CURSOR_LENGTH and re.fullmatch(r"[A-Za-z0-9_-]+", after):
        try:
            path = base64.urlsafe_b64decode(after + "=" * (-len(after) % 4))
        except ValueError:
            path = None
    if not path or b"\0" in path:
        raise _invalid("after", after[:40])
    return path


@routes.rest("GET", f"{PREFIX}/code/manifest", acl=f"{ACL}code_manifest_view")
def code_manifest(call: Call) -> dict[str, Any]:
    after = _cursor_path(_string(call.query, "after") or None)
    page_size = _in_range(
        "pageSize", _query_integer(call.query, "pageSize", 1000), 1, MAX_MANIFEST_PAGE
    )
    changed_since = _in_range(
        "changedSince", _query_integer(call.query, "changedSince", 0), 0, 2**63 - 1
    )
    files = call.state.incident_response.code_files
    # PHP's strcmp order: bytes, not code points.
    paths = sorted(files, key=lambda path: path.encode())
    if after is not None:
        paths = [path for path in paths if path.encode() > after]
    items = []
    for path in paths[:page_size]:
        file = files[path]
        item: dict[str, Any] = {
            "path": path,
            "size": file.size,
            "mtime": file.mtime,
            "ctime": file.ctime,
        }
        if file.mtime >= changed_since or file.ctime >= changed_since:
            item["sha256"] = file.sha256
        items.append(item)
    if len(paths) > page_size:
        return {
            "items": items,
            "next_cursor": manifest_cursor(items[-1]["path"]),
            "complete": False,
        }
    return {"items": items, "complete": True}


# --- store content for the skimmer scan (Model/Content) ------------------------------------------
MAX_CONTENT_PAGE = 500
CONTENT_TYPES = ("widget_instance", "layout_update", "email_template")


@routes.rest("GET", f"{PREFIX}/content", acl=f"{ACL}content_view")
def store_content(call: Call) -> dict[str, Any]:
    kind = _string(call.query, "type")
    if kind is None:
        raise required_field("type")
    kind = _one_of("type", kind, CONTENT_TYPES)
    after = _in_range("afterId", _query_integer(call.query, "afterId", 0), 0, 2**63 - 1)
    page_size = _in_range(
        "pageSize", _query_integer(call.query, "pageSize", 100), 1, MAX_CONTENT_PAGE
    )
    rows = call.state.store_content.get(kind, {})
    page = [rows[entity_id] for entity_id in sorted(rows) if entity_id > after][:page_size]
    return {"items": page, "last_entity_id": page[-1]["entity_id"] if page else after}
