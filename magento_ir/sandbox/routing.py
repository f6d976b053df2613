"""Route registration and matching.

A route module owns one `RouteTable` named `routes` and decorates its handlers:

```python
routes = RouteTable()

@routes.rest("GET", "/V1/products/:sku", acl="Magento_Catalog::products")
def get_product(call: Call) -> object:
    return ...  # any JSON value; the dispatcher wraps it in Magento's 200 response

@routes.page("POST", "/graphql")
def graphql(call: PageCall) -> SandboxResponse:
    return ...  # a whole response: non-REST paths answer in their own format
```

REST patterns are Magento's `webapi.xml` URLs (`:name` placeholders, one path segment each); a
literal segment beats a placeholder when both match. `acl` is the route's resource id, `"self"`
(customer token) or `"anonymous"`. `body` names the service-method parameters a POST/PUT
accepts: `{"product": PRODUCT_FIELDS}` allows a `product` object whose keys must be in the set
(unknown keys get Magento's `"%fieldName" is not supported` 400) and `{"saveOptions": None}` a
scalar; `required` lists the ones Magento marks mandatory. `put_binds` copies the last placeholder
into that object (Magento's PUT parameter binding, e.g. `product.sku`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

if TYPE_CHECKING:
    from magento_ir.sandbox.app import Sandbox
    from magento_ir.sandbox.messages import SandboxRequest, SandboxResponse
    from magento_ir.sandbox.state import Caller, StoreState, StoreView

__all__ = [
    "BodyLimit",
    "Call",
    "PageCall",
    "PageRoute",
    "RestRoute",
    "RouteTable",
    "Router",
    "parse_php_query",
]

ROUTABLE_METHODS = frozenset({"GET", "POST", "PUT", "DELETE"})


@dataclass(slots=True)
class Call:
    """Everything a REST handler may read. The sandbox lock is held while a handler runs."""

    sandbox: Sandbox
    request: SandboxRequest
    route: RestRoute
    store: StoreView
    params: dict[str, str]
    query: dict[str, Any]
    body: dict[str, Any]
    caller: Caller
    now: float

    @property
    def state(self) -> StoreState:
        return self.sandbox.state


@dataclass(slots=True)
class PageCall:
    """What a non-REST handler (GraphQL, storefront) gets; it builds the whole response itself."""

    sandbox: Sandbox
    request: SandboxRequest
    params: dict[str, str]
    now: float

    @property
    def state(self) -> StoreState:
        return self.sandbox.state


RestHandler = Callable[[Call], Any]
PageHandler = Callable[[PageCall], "SandboxResponse"]


def _segments(path: str) -> tuple[str, ...]:
    """Path segments, percent-decoded one by one (so `%2F` stays inside its segment)."""
    return tuple(unquote(part) for part in path.strip("/").split("/") if part)


@dataclass(frozen=True, slots=True)
class BodyLimit:
    """The largest request body a route takes: bytes, and values (commas + 1, an upper bound).

    Checked before the body is decoded, as the companion module's REST plugin does (413)."""

    max_bytes: int
    max_values: int


@dataclass(frozen=True, slots=True)
class RestRoute:
    method: str
    pattern: str
    acl: str
    handler: RestHandler
    body: Mapping[str, frozenset[str] | None] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    put_binds: str | None = None
    # A search route: `searchCriteria` must be present in the query string.
    search: bool = False
    segments: tuple[str, ...] = ()
    body_limit: BodyLimit | None = None

    @property
    def specificity(self) -> tuple[bool, ...]:
        # Literal segments sort before placeholders, position by position.
        return tuple(segment.startswith(":") for segment in self.segments)

    def match(self, parts: tuple[str, ...]) -> dict[str, str] | None:
        if len(parts) != len(self.segments):
            return None
        params: dict[str, str] = {}
        for segment, part in zip(self.segments, parts, strict=True):
            if segment.startswith(":"):
                params[segment[1:]] = part
            elif segment != part:
                return None
        return params


@dataclass(frozen=True, slots=True)
class PageRoute:
    method: str
    path: str
    handler: PageHandler
    prefix: bool = False


class RouteTable:
    """The routes of one module; `requires_module` ones exist only with the companion module."""

    def __init__(
        self, *, requires_module: bool = False, body_limit: BodyLimit | None = None
    ) -> None:
        self.requires_module = requires_module
        self.body_limit = body_limit
        self.rest_routes: list[RestRoute] = []
        self.page_routes: list[PageRoute] = []

    def rest(
        self,
        method: str,
        pattern: str,
        *,
        acl: str,
        body: Mapping[str, frozenset[str] | None] | None = None,
        required: tuple[str, ...] = (),
        put_binds: str | None = None,
        search: bool = False,
    ) -> Callable[[RestHandler], RestHandler]:
        if method not in ROUTABLE_METHODS:
            raise ValueError(f"{method} is not routable in Magento's web API")

        def register(handler: RestHandler) -> RestHandler:
            self.rest_routes.append(
                RestRoute(
                    method=method,
                    pattern=pattern,
                    acl=acl,
                    handler=handler,
                    body=dict(body or {}),
                    required=frozenset(required),
                    put_binds=put_binds,
                    search=search,
                    segments=_segments(pattern),
                    body_limit=self.body_limit,
                )
            )
            return handler

        return register

    def page(
        self, method: str, path: str, *, prefix: bool = False
    ) -> Callable[[PageHandler], PageHandler]:
        def register(handler: PageHandler) -> PageHandler:
            self.page_routes.append(PageRoute(method, path, handler, prefix))
            return handler

        return register


class Router:
    """All active routes, indexed for fast matching."""

    def __init__(self, tables: list[RouteTable]) -> None:
        self._literal: dict[tuple[str, str], RestRoute] = {}
        self._by_length: dict[int, list[RestRoute]] = {}
        self._pages: list[PageRoute] = []
        self.rest_routes: list[RestRoute] = []
        for table in tables:
            for route in table.rest_routes:
                self.rest_routes.append(route)
                if not any(segment.startswith(":") for segment in route.segments):
                    self._literal[(route.method, "/".join(route.segments))] = route
                self._by_length.setdefault(len(route.segments), []).append(route)
            self._pages.extend(table.page_routes)
        for candidates in self._by_length.values():
            candidates.sort(key=lambda route: route.specificity)

    def match_rest(self, method: str, path: str) -> tuple[RestRoute, dict[str, str]] | None:
        parts = _segments(path)
        literal = self._literal.get((method, "/".join(parts)))
        if literal is not None:
            return literal, {}
        for route in self._by_length.get(len(parts), ()):
            if route.method != method:
                continue
            params = route.match(parts)
            if params is not None:
                return route, params
        return None

    def match_page(self, method: str, path: str) -> tuple[PageRoute, dict[str, str]] | None:
        for page in self._pages:
            if page.method != method:
                continue
            if path == page.path or (page.prefix and path.startswith(page.path)):
                return page, {"rest": path[len(page.path) :]}
        return None


_KEY = re.compile(r"\[([^\]]*)\]")


def parse_php_query(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """`a[b][0][c]=v` pairs into nested dicts, as PHP's `parse_str` does (later keys win)."""
    result: dict[str, Any] = {}
    for name, value in pairs:
        bracket = name.find("[")
        if bracket <= 0:
            result[name] = value
            continue
        keys = [name[:bracket], *_KEY.findall(name[bracket:])]
        node = result
        for depth, raw_key in enumerate(keys):
            key = raw_key or str(sum(1 for existing in node if existing.isdigit()))
            if depth == len(keys) - 1:
                node[key] = value
            else:
                child = node.get(key)
                if not isinstance(child, dict):
                    child = {}
                    node[key] = child
                node = child
    return result
