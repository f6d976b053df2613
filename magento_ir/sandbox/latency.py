"""Latency model calibrated on a small real Magento 2.4.7 (PHP 8.2): seconds per request kind.

Measured: admin token ~140 ms, a 20-item list ~100-200 ms, a single product save ~900 ms, a single
GET ~60 ms. The factor scales everything: 0 turns it off (unit tests), 1 is real.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from magento_ir.sandbox.messages import JsonValue
    from magento_ir.sandbox.routing import RestRoute

__all__ = ["LatencyModel"]

TOKEN_SECONDS = 0.14
SINGLE_GET_SECONDS = 0.06
LIST_BASE_SECONDS = 0.08
LIST_PER_ITEM_SECONDS = 0.004  # 20 items -> 160 ms
PRODUCT_SAVE_SECONDS = 0.9
OTHER_WRITE_SECONDS = 0.25
PAGE_SECONDS = 0.3  # uncached storefront page
# The companion module's maintenance 503: its front-controller plugin answers before routing and
# rendering. Measured on the real 2.4.7-p3 test store: 0.18-0.21 s against 0.63-0.74 s for the
# login page it replaces, about a third.
MODULE_MAINTENANCE_PAGE_SECONDS = 0.1
GRAPHQL_SECONDS = 0.12


class LatencyModel:
    def __init__(self, factor: float) -> None:
        self.factor = factor

    def rest_seconds(self, route: RestRoute, result: JsonValue) -> float:
        """Unscaled service time of one REST call."""
        if "/token" in route.pattern or route.pattern.startswith("/V1/tfa/"):
            return TOKEN_SECONDS
        if route.method == "GET":
            if route.search and isinstance(result, dict):
                # `?fields=` answers an empty page with "items": null.
                items = result.get("items") or ()
                return LIST_BASE_SECONDS + LIST_PER_ITEM_SECONDS * len(items)
            return SINGLE_GET_SECONDS
        if route.pattern.startswith("/V1/products"):
            return PRODUCT_SAVE_SECONDS
        return OTHER_WRITE_SECONDS

    def rest_delay(self, route: RestRoute, result: JsonValue) -> float:
        if self.factor == 0:
            return 0.0
        return self.factor * self.rest_seconds(route, result)

    def error_delay(self, route: RestRoute | None) -> float:
        """An error answer: token routes still check the password; others fail early."""
        if self.factor == 0:
            return 0.0
        if route is not None and "/token" in route.pattern:
            return self.factor * TOKEN_SECONDS
        return self.factor * SINGLE_GET_SECONDS

    def page_delay(self, path: str, *, closed: bool = False) -> float:
        """A storefront page or GraphQL; `closed`: the module's maintenance 503 instead."""
        if self.factor == 0:
            return 0.0
        if closed:
            return self.factor * MODULE_MAINTENANCE_PAGE_SECONDS
        return self.factor * (GRAPHQL_SECONDS if path.startswith("/graphql") else PAGE_SECONDS)
