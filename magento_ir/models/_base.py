"""Shared pieces of every Magento model: the base class, Magento's date format, number types."""

import contextlib
import gc
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any, TypeAlias, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    JsonValue,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    model_serializer,
)

__all__ = ["JsonObject", "MagentoDateTime", "MagentoModel", "Number", "validate_json"]

ModelT = TypeVar("ModelT", bound=BaseModel)

# Magento's own format for timestamps: "YYYY-MM-DD HH:MM:SS", no zone, UTC in the database.
MAGENTO_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"

# A JSON number as Magento sent it: an int stays an int (`"price": 40`), a float a float (`49.98`),
# so a dump reproduces the response byte for byte instead of turning 40 into 40.0.
Number: TypeAlias = int | float

# An object whose shape we do not model (product links, tier prices, option values...).
JsonObject: TypeAlias = dict[str, JsonValue]


def _parse_magento_datetime(value: object) -> datetime:
    """Read Magento's zone-less UTC timestamps (or datetimes) as aware UTC datetimes."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(
                f"expected a Magento timestamp 'YYYY-MM-DD HH:MM:SS' (UTC), got {value!r}"
            ) from None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    raise ValueError(
        f"expected a Magento timestamp 'YYYY-MM-DD HH:MM:SS' (UTC), got {type(value).__name__}"
    )


def _format_magento_datetime(value: datetime) -> str:
    return value.astimezone(UTC).strftime(MAGENTO_DATETIME_FORMAT)


# An aware UTC datetime in Python; Magento's "YYYY-MM-DD HH:MM:SS" string again in JSON dumps.
MagentoDateTime = Annotated[
    datetime,
    BeforeValidator(_parse_magento_datetime),
    PlainSerializer(_format_magento_datetime, return_type=str, when_used="json"),
]


class MagentoModel(BaseModel):
    """Base of every Magento entity model.

    Frozen, because evidence must not change after capture (lists inside stay Python lists: do not
    mutate them). Unknown fields are kept (`extra="allow"`): every store adds attributes through
    extensions, and dropping them would lose evidence. A dump contains exactly the keys that were
    given, so `model_dump(mode="json")` of a parsed response reproduces Magento's JSON: a key
    Magento omitted stays omitted, and an explicit `null` stays `null`.
    """

    # Only keys are cached when parsing bytes: caching values too grows a process-wide cache
    # with every distinct value read (bounded, but it makes memory grow with the table read).
    model_config = ConfigDict(frozen=True, extra="allow", cache_strings="keys")

    @model_serializer(mode="wrap")
    def _dump_only_given_keys(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        dumped: dict[str, Any] = handler(self)
        given = self.model_fields_set
        return {key: value for key, value in dumped.items() if key in given}


def validate_json(model: type[ModelT], data: bytes) -> ModelT:
    """`model.model_validate_json(data)` with the cyclic garbage collector paused meanwhile.

    A page of 100 orders builds some 4,000 tracked containers (each model has a dict, a
    fields-set and an extras dict), so the collector would run several times inside one call and
    re-walk the half-built page each time: a third of the client's CPU per page, measured.
    Validation creates no reference cycles, and pydantic-core holds the GIL throughout, so
    nothing else runs meanwhile; the collector runs as usual on the next allocation after.
    """
    with collector_paused():
        return model.model_validate_json(data)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused inside, unless it already was (by an outer pause or
    the embedding program): for building a page's many fresh containers, which make no cycles."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
