"""Magento's `?fields=` response filter, and which of a row's fields a filtered page sends."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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


def _apply_fields(data: JsonValue, spec: dict[str, Any]) -> JsonValue:
    # Every row of every trimmed page passes here: plain loops, no `list | dict` union built
    # per call, no call for a leaf.
    if isinstance(data, dict):
        if not data:
            # FieldsFilter::applyFilter starts from null and fills it per item or key: an empty
            # array under a nested filter comes out null (`"items": null` for an empty page).
            return None
        kept: dict[str, JsonValue] = {}
        for key, value in data.items():
            if key in spec:
                inner = spec[key]
                kept[key] = value if inner is None else _apply_fields(value, inner)
        return kept
    if isinstance(data, list):
        return [_apply_fields(item, spec) for item in data] if data else None
    return data


def filter_fields(data: JsonValue, fields: str) -> JsonValue:
    """Magento's `?fields=` response filter (Webapi\\Rest\\Response\\FieldsFilter)."""
    spec = _parse_fields(fields)
    return data if spec is None else _apply_fields(data, spec)


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
