"""Sales routes: orders (get, list, hold, unhold, cancel, comments), transactions, invoices."""

from __future__ import annotations

import copy
import functools
from typing import TYPE_CHECKING, Any

from magento_ir.sandbox import columns
from magento_ir.sandbox.errors import WebapiError, integer_param
from magento_ir.sandbox.fields import item_fields
from magento_ir.sandbox.routing import Call, RouteTable
from magento_ir.sandbox.search import Columns, SearchCriteria, search_response
from magento_ir.sandbox.state import EntityTable, StoreState, magento_time

if TYPE_CHECKING:
    from magento_ir.sandbox.messages import JsonValue

__all__ = ["hold_order", "routes", "unhold_order"]

routes = RouteTable()
VIEW = "Magento_Sales::actions_view"
_NOT_FOUND = "The entity that was requested doesn't exist. Verify the entity and try again."
# sales_order_status_state of a default install: which statuses belong to which state.
STATE_STATUSES = {
    "new": ("pending",),
    "pending_payment": ("pending_payment",),
    "processing": ("processing", "fraud"),
    "complete": ("complete",),
    "closed": ("closed",),
    "canceled": ("canceled",),
    "holded": ("holded",),
    "payment_review": ("payment_review", "fraud"),
}
HISTORY_FIELDS = frozenset(
    {
        "comment",
        "created_at",
        "entity_id",
        "entity_name",
        "is_customer_notified",
        "is_visible_on_front",
        "parent_id",
        "status",
        "extension_attributes",
    }
)


def _find(table: EntityTable, raw_id: str) -> dict[str, Any]:
    row = table.get(integer_param(raw_id))
    if row is None:
        raise WebapiError(404, _NOT_FOUND)
    return row


def _value(row: dict[str, Any], field: str) -> JsonValue:
    if field in row:
        return row[field]
    payment = row.get("payment")
    if field.startswith("payment.") and isinstance(payment, dict):
        return payment.get(field.removeprefix("payment."))
    return None


def _fields_read(query: dict[str, Any]) -> frozenset[str] | None:
    """The top-level fields a `?fields=items[...]` page sends, filters and sorts on (None: all):
    generated rows derive only these."""
    sent = item_fields(query)
    if sent is None:
        return None
    criteria = SearchCriteria.parse(query.get("searchCriteria"))
    named = [item.field for group in criteria.filter_groups for item in group]
    named += [field for field, _ in criteria.sort_orders or ()]
    return sent | {part for field in named if field for part in (field, field.split(".")[0])}


def _list(call: Call, table: EntityTable, known: Columns, id_field: str = "entity_id") -> JsonValue:
    keys = _fields_read(call.query)
    fetch = table.get if keys is None else functools.partial(table.get, keys=keys | {id_field})
    return search_response(
        query=call.query,
        config_value=call.state.config_value,
        rows=table.rows,
        count=lambda: len(table),
        value_of=_value,
        serialize=lambda row: row,
        window=table.rows_between,
        keyed=table.keyed_access(
            frozenset({id_field}), known.names, fetch=fetch, unlocked=call.sandbox.unlocked
        ),
        columns=known,
    )


@routes.rest("GET", "/V1/orders", acl=VIEW, search=True)
def list_orders(call: Call) -> JsonValue:
    return _list(call, call.state.orders, columns.ORDER)


@routes.rest("GET", "/V1/orders/:id", acl=VIEW)
def get_order(call: Call) -> JsonValue:
    return _find(call.state.orders, call.params["id"])


@routes.rest("GET", "/V1/orders/:id/statuses", acl=VIEW)
def order_status(call: Call) -> JsonValue:
    return _find(call.state.orders, call.params["id"])["status"]


def _change(store: StoreState, order: dict[str, Any], now: float, changes: dict[str, Any]) -> None:
    updated = copy.deepcopy(order)
    updated.update(changes, updated_at=magento_time(now))
    store.orders.put(order["entity_id"], updated)


def hold_order(store: StoreState, order: dict[str, Any], now: float) -> None:
    """OrderManagementInterface::hold: Order::hold() refuses unless canHold()."""
    if order["state"] in ("canceled", "complete", "closed", "holded", "payment_review"):
        raise WebapiError(400, "A hold action is not available.")
    changes = {
        "state": "holded",
        "status": "holded",
        "hold_before_state": order["state"],
        "hold_before_status": order["status"],
    }
    _change(store, order, now, changes)


def unhold_order(store: StoreState, order: dict[str, Any], now: float) -> None:
    """OrderManagementInterface::unHold: back to hold_before_state / hold_before_status."""
    if order["state"] != "holded":
        raise WebapiError(400, "You cannot remove the hold.")
    restored = copy.deepcopy(order)
    state = restored.pop("hold_before_state", "new")
    status = restored.pop("hold_before_status", "pending")
    restored.update(state=state, status=status, updated_at=magento_time(now))
    store.orders.put(order["entity_id"], restored)


@routes.rest("POST", "/V1/orders/:id/hold", acl="Magento_Sales::hold")
def hold(call: Call) -> JsonValue:
    hold_order(call.state, _find(call.state.orders, call.params["id"]), call.now)
    return True


@routes.rest("POST", "/V1/orders/:id/unhold", acl="Magento_Sales::unhold")
def unhold(call: Call) -> JsonValue:
    unhold_order(call.state, _find(call.state.orders, call.params["id"]), call.now)
    return True


@routes.rest("POST", "/V1/orders/:id/cancel", acl="Magento_Sales::cancel")
def cancel(call: Call) -> JsonValue:
    order = _find(call.state.orders, call.params["id"])
    invoiced = all(item.get("qty_invoiced", 0) >= item["qty_ordered"] for item in order["items"])
    if order["state"] in ("canceled", "complete", "closed", "holded", "payment_review") or (
        order["state"] == "processing" and invoiced
    ):
        return False  # Order::canCancel() is false: Magento answers 200 with `false`
    _change(call.state, order, call.now, {"state": "canceled", "status": "canceled"})
    return True


@routes.rest(
    "POST",
    "/V1/orders/:id/comments",
    acl="Magento_Sales::comment",
    body={"statusHistory": HISTORY_FIELDS},
    required=("statusHistory",),
)
def add_comment(call: Call) -> JsonValue:
    order = _find(call.state.orders, call.params["id"])
    history = call.body["statusHistory"]
    status = history.get("status")
    if status is not None and status not in STATE_STATUSES.get(order["state"], ()):
        raise WebapiError(
            400,
            # The phrase keeps the line break and indentation of OrderService's source.
            'Unable to add comment: The status "%1" is not part of the order\n'
            "                 status history.",
            [status],
        )
    histories = list(order.get("status_histories", []))
    entry = {
        "comment": history.get("comment"),
        "created_at": magento_time(call.now),
        "entity_id": 1 + max((item["entity_id"] for item in histories), default=0),
        "entity_name": "order",
        "is_customer_notified": int(history.get("is_customer_notified") or 0),
        "is_visible_on_front": int(history.get("is_visible_on_front") or 0),
        "parent_id": order["entity_id"],
        "status": status or order["status"],
    }
    changes: dict[str, Any] = {"status_histories": [entry, *histories]}
    if status is not None:
        changes["status"] = status
    _change(call.state, order, call.now, changes)
    return True


@routes.rest("GET", "/V1/orders/:id/comments", acl=VIEW)
def list_comments(call: Call) -> JsonValue:
    order = _find(call.state.orders, call.params["id"])
    items = list(order.get("status_histories", []))
    return {
        "items": items,
        "search_criteria": {
            "filter_groups": [
                {
                    "filters": [
                        {"field": "parent_id", "value": order["entity_id"], "condition_type": "eq"}
                    ]
                }
            ]
        },
        "total_count": len(items),
    }


@routes.rest("GET", "/V1/transactions", acl="Magento_Sales::transactions_fetch", search=True)
def list_transactions(call: Call) -> JsonValue:
    return _list(call, call.state.transactions, columns.TRANSACTION, "transaction_id")


@routes.rest("GET", "/V1/transactions/:id", acl="Magento_Sales::transactions_fetch")
def get_transaction(call: Call) -> JsonValue:
    return _find(call.state.transactions, call.params["id"])


@routes.rest("GET", "/V1/invoices", acl="Magento_Sales::sales_invoice", search=True)
def list_invoices(call: Call) -> JsonValue:
    return _list(call, call.state.invoices, columns.INVOICE)


@routes.rest("GET", "/V1/invoices/:id", acl="Magento_Sales::sales_invoice")
def get_invoice(call: Call) -> JsonValue:
    return _find(call.state.invoices, call.params["id"])
