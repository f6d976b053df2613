"""Bulk web API: the 202 answer of `/async/bulk/V1/...` and `GET /V1/bulk/:uuid/status`."""

from enum import IntEnum

from pydantic import Field

from magento_ir.models._base import MagentoDateTime, MagentoModel

__all__ = [
    "BulkOperation",
    "BulkOperationStatus",
    "BulkRequestItem",
    "BulkRequestResult",
    "BulkStatus",
]


class BulkOperationStatus(IntEnum):
    """Operation status codes (`Magento\\Framework\\Bulk\\OperationInterface::STATUS_TYPE_*`)."""

    COMPLETE = 1
    RETRIABLY_FAILED = 2
    NOT_RETRIABLY_FAILED = 3
    OPEN = 4
    REJECTED = 5


class BulkRequestItem(MagentoModel):
    """One element of a bulk request as Magento accepted or rejected it; `id` is its index."""

    id: int
    data_hash: str | None = None
    status: str
    error_message: str | None = None
    error_code: int | None = None


class BulkRequestResult(MagentoModel):
    """The 202 answer to a bulk request. `errors` is true when some item was rejected.

    Accepted is not done: operations run only when the `async.operations.all` consumer runs.
    """

    bulk_uuid: str
    request_items: list[BulkRequestItem]
    errors: bool


class BulkOperation(MagentoModel):
    """One operation of a bulk; an unknown status code stays a plain int."""

    id: int
    status: BulkOperationStatus | int = Field(union_mode="left_to_right")
    result_message: str | None = None
    error_code: int | None = None


class BulkStatus(MagentoModel):
    """`GET /V1/bulk/:bulkUuid/status`: the bulk and the status of each of its operations."""

    operations_list: list[BulkOperation]
    user_type: int | None = None
    bulk_id: str
    description: str | None = None
    start_time: MagentoDateTime | None = None
    user_id: int | None = None
    operation_count: int
