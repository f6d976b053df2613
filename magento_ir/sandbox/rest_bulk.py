"""Bulk status routes over the operations queued by `/async` and `/async/bulk` requests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from magento_ir.sandbox.errors import WebapiError, integer_param
from magento_ir.sandbox.routing import Call, RouteTable

if TYPE_CHECKING:
    from magento_ir.sandbox.messages import JsonValue
    from magento_ir.sandbox.state import Bulk

__all__ = ["routes"]

routes = RouteTable()
ACL = "Magento_Logging::system_magento_logging_bulk_operations"


def _bulk(call: Call) -> Bulk:
    bulk = call.state.bulks.get(call.params["bulkUuid"])
    if bulk is None:
        raise WebapiError(
            404, "Bulk uuid %bulkUuid not exist", {"bulkUuid": call.params["bulkUuid"]}
        )
    return bulk


def _summary(bulk: Bulk, operations: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {"operations_list": operations, "user_type": bulk.user_type}
    summary["bulk_id"] = bulk.bulk_id
    summary["description"] = bulk.description
    summary["start_time"] = bulk.start_time
    if bulk.user_id is not None:
        summary["user_id"] = bulk.user_id
    summary["operation_count"] = len(bulk.operations)
    return summary


@routes.rest("GET", "/V1/bulk/:bulkUuid/status", acl=ACL)
def bulk_status(call: Call) -> JsonValue:
    bulk = _bulk(call)
    operations = []
    for operation in bulk.operations:
        # The summary getters are not nullable: an open operation shows nulls.
        item: dict[str, Any] = {
            "id": operation.id,
            "status": operation.status,
            "result_message": operation.result_message,
            "error_code": operation.error_code,
        }
        operations.append(item)
    return _summary(bulk, operations)


@routes.rest("GET", "/V1/bulk/:bulkUuid/detailed-status", acl=ACL)
def bulk_detailed_status(call: Call) -> JsonValue:
    import json  # noqa: PLC0415 - only the detailed view serialises

    bulk = _bulk(call)
    operations = []
    for operation in bulk.operations:
        item: dict[str, Any] = {
            "id": operation.id,
            "topic_name": operation.topic_name,
            "status": operation.status,
            "serialized_data": json.dumps(operation.body),
        }
        if operation.status == 1:
            item["result_serialized_data"] = json.dumps(operation.result)
        if operation.result_message is not None:
            item["result_message"] = operation.result_message
        if operation.error_code is not None:
            item["error_code"] = operation.error_code
        operations.append(item)
    return _summary(bulk, operations)


@routes.rest("GET", "/V1/bulk/:bulkUuid/operation-status/:status", acl=ACL)
def bulk_operation_count(call: Call) -> JsonValue:
    bulk = _bulk(call)
    wanted = integer_param(call.params["status"])
    return sum(1 for operation in bulk.operations if operation.status == wanted)
