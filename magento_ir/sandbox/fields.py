"""Magento's `?fields=` response filter, and which of a row's fields a filtered page sends."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from magento_ir.sandbox.messages import JsonValue

__all__ = ["filter_fields", "item_fields"]


def _parse_fields(spec: str) -> dict[str, Any] | None:
    """`items[id,sku],total_count` as a nested dict (None for a leaf); None when malformed."""
    root: dict[str, Any] = {}
    stack = [root]
    name = ""
    for char in spec:
        if char in ",[]":
            if name.strip():
                stack[-1][name.strip()] = None
            if char == "[":
                if not name.strip():
                    return None
                child: dict[str, Any] = {}
                stack[-1][name.strip()] = child
                stack.append(child)
            elif char == "]":
                if len(stack) == 1:
                    return None
                stack.pop()
            name = ""
        else:
            name += char
    if name.strip():
        stack[-1][name.strip()] = None
    return root if len(stack) == 1 else None


def _compile(spec: dict[str, Any]) -> Callable[[JsonValue], JsonValue]:
    """`spec` as one function: every row of every trimmed page passes here, so the spec is read
    once per `fields` text, and a row is one dict comprehension over its keys (kept in the
    row's order, as `array_intersect_key` keeps them)."""
    inner = {key: _compile(child) for key, child in spec.items() if child is not None}

    def apply(data: JsonValue) -> JsonValue:
        if isinstance(data, dict):
            if not data:
                # FieldsFilter::applyFilter starts from null and fills it per item or key: an
                # empty array under a nested filter comes out null (`"items": null` for an
                # empty page).
                return None
            if not inner:
                return {key: value for key, value in data.items() if key in spec}
            return {
                key: inner[key](value) if key in inner else value
                for key, value in data.items()
                if key in spec
            }
        if isinstance(data, list):
            return [apply(item) for item in data] if data else None
        return data

    return apply


@functools.lru_cache(maxsize=64)
def _compiled(fields: str) -> Callable[[JsonValue], JsonValue] | None:
    spec = _parse_fields(fields)
    return None if spec is None else _compile(spec)


def filter_fields(data: JsonValue, fields: str) -> JsonValue:
    """Magento's `?fields=` response filter (Webapi\\Rest\\Response\\FieldsFilter)."""
    apply = _compiled(fields)
    return data if apply is None else apply(data)


def item_fields(query: dict[str, Any]) -> frozenset[str] | None:
    """The fields of each item a list answer keeps under `?fields=items[...]`; None when every
    field is sent (no filter, `items` whole, or a malformed filter).

    Top-level names, and for a field trimmed in turn (`payment[cc_type]`) `payment.*` and
    `payment.cc_type`: what a row's derivation may leave out."""
    fields = query.get("fields")
    spec = _parse_fields(fields) if isinstance(fields, str) and fields else None
    items = spec.get("items") if spec is not None else None
    if not isinstance(items, dict):
        return None
    names = set(items)
    for name, inner in items.items():
        if isinstance(inner, dict):
            names.add(f"{name}.*")
            names.update(f"{name}.{child}" for child in inner)
    return frozenset(names)
