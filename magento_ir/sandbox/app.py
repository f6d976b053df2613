"""`Sandbox`: one store, one pure dispatch `handle(request) -> response`."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import importlib
import importlib.util
import json
import logging
import re
import secrets
import threading
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from magento_ir.sandbox import auth
from magento_ir.sandbox.errors import (
    REQUIRED_FIELD,
    DatabaseError,
    SandboxConfigError,
    WebapiError,
    internal_error,
    required_field,
    route_not_found,
)
from magento_ir.sandbox.faults import FaultInjector, maintenance_response
from magento_ir.sandbox.fields import filter_fields
from magento_ir.sandbox.latency import LatencyModel
from magento_ir.sandbox.messages import JsonValue, SandboxRequest, SandboxResponse, json_response
from magento_ir.sandbox.options import SandboxOptions
from magento_ir.sandbox.routing import (
    ROUTABLE_METHODS,
    BodyLimit,
    Call,
    PageCall,
    RestRoute,
    Router,
    RouteTable,
    parse_php_query,
)
from magento_ir.sandbox.state import (
    ADMIN_STORE_ID,
    USER_TYPE_ADMIN,
    USER_TYPE_CUSTOMER,
    Bulk,
    BulkOperation,
    Caller,
    StoreState,
    StoreView,
    magento_time,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    import httpx

    from magento_ir.sandbox.inspection import Inspector

__all__ = ["ROUTE_MODULES", "IssuedToken", "Sandbox"]

logger = logging.getLogger("magento_ir.sandbox")

# Route modules, in registration order; a module that does not exist (yet) is skipped.
ROUTE_MODULES = (
    "rest_auth",
    "rest_catalog",
    "rest_customers",
    "rest_sales",
    "rest_cms",
    "rest_store",
    "rest_bulk",
    "rest_carts",
    "rest_checkout",
    "graphql",
    "storefront",
    "module_api",
)

_PRUNE_TOKENS_AT = 10_000
_SERVICE_UNAVAILABLE = 503
# Magento\Framework\Webapi\Rest\Request::getContentType
_CONTENT_TYPE = re.compile(r"^([a-z\d/\-+.]+)(?:; *charset=(.+))?$", re.IGNORECASE)
_NOT_FOUND_PAGE = (
    b"<!doctype html>\n<html><head><title>404 Not Found</title></head>"
    b"<body><h1>404 Not Found</h1></body></html>\n"
)


def _load_tables(with_module: bool) -> list[RouteTable]:
    tables: list[RouteTable] = []
    for name in ROUTE_MODULES:
        module_name = f"magento_ir.sandbox.{name}"
        if importlib.util.find_spec(module_name) is None:
            continue
        table = importlib.import_module(module_name).routes
        if isinstance(table, RouteTable) and (with_module or not table.requires_module):
            tables.append(table)
    return tables


def _snake(name: str) -> str:
    out = []
    for char in name:
        if char.isupper():
            out.append("_")
            out.append(char.lower())
        else:
            out.append(char)
    return "".join(out)


def _upper_camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in _snake(name).split("_"))


def _check_body_limit(limit: BodyLimit, body: bytes) -> None:
    """413 before decoding, as the module's REST plugin refuses (Magento renders the message of a
    Webapi\\Exception it is given and sends no parameters)."""
    if len(body) > limit.max_bytes:
        raise WebapiError(
            413,
            f"The request body is {len(body)} bytes; the incident-response routes accept at most "
            f"{limit.max_bytes}. Split the lists over several calls.",
        )
    values = body.count(b",") + 1
    if values > limit.max_values:
        raise WebapiError(
            413,
            f"The request body holds up to {values} values; the incident-response routes accept "
            f"at most {limit.max_values}. Split the lists over several calls.",
        )


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic GC paused while a request is answered: a page of 300 orders builds some 3,000
    fresh dicts, and the collector would re-walk the half-built page several times (a tenth of
    the page's CPU, measured); it runs as usual on the next allocation after."""
    if not gc.isenabled():  # paused by another request (or the embedding program)
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def raise_not_authorized(resource: str) -> None:
    raise WebapiError(
        401, "The consumer isn't authorized to access %resources.", {"resources": resource}
    )


# Bulk topics are named after the route's service method (webapi.xml), lower-cased.
_SERVICE_METHODS = {
    ("POST", "/V1/products"): "magento.catalog.api.productrepositoryinterface.save",
    ("PUT", "/V1/products/:sku"): "magento.catalog.api.productrepositoryinterface.save",
    ("DELETE", "/V1/products/:sku"): "magento.catalog.api.productrepositoryinterface.deletebyid",
    ("PUT", "/V1/customers/:customerId"): "magento.customer.api.customerrepositoryinterface.save",
    ("POST", "/V1/orders/:id/hold"): "magento.sales.api.ordermanagementinterface.hold",
    ("POST", "/V1/orders/:id/unhold"): "magento.sales.api.ordermanagementinterface.unhold",
    ("POST", "/V1/orders/:id/cancel"): "magento.sales.api.ordermanagementinterface.cancel",
    ("POST", "/V1/orders/:id/comments"): "magento.sales.api.ordermanagementinterface.addcomment",
    ("PUT", "/V1/cmsBlock/:id"): "magento.cms.api.blockrepositoryinterface.save",
    ("PUT", "/V1/cmsPage/:id"): "magento.cms.api.pagerepositoryinterface.save",
}
# What SynchronousRequestProcessor (and the async ones after their prefix) accept.
_VERSIONED = re.compile(r"/V\d+(?:/|$)")


def _processing_mode(path: str) -> tuple[str, str]:
    """`sync`, `async` or `bulk`, and the route path after the async prefix."""
    if path.startswith("/async/bulk/V"):
        return "bulk", path[len("/async/bulk") :]
    if path.startswith("/async/V"):
        return "async", path[len("/async") :]
    return "sync", path


def _data_object(name: str, value: JsonValue, allowed: frozenset[str]) -> dict[str, Any]:
    """A body object with snake_case keys; a key the interface lacks is Magento's 400."""
    if not isinstance(value, dict):
        raise WebapiError(
            400,
            'Invalid value of "%value" provided for the %fieldName field.',
            {"fieldName": name, "value": json.dumps(value)},
        )
    normalised: dict[str, Any] = {}
    for key, item in value.items():
        snake = _snake(key)
        if snake not in allowed:
            raise WebapiError(
                400,
                '"%fieldName" is not supported. Correct the field name and try again.',
                {"fieldName": _upper_camel(key)},
            )
        normalised[snake] = item
    return normalised


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A token the sandbox handed out (the token string itself is never kept)."""

    user_type: int
    user_id: int
    issued_at: int
    expires_at: int


class Sandbox:
    """An embedded Magento 2.4.7 store. Thread-safe: every request runs under `lock`."""

    def __init__(self, options: SandboxOptions | None = None, **overrides: JsonValue) -> None:
        from magento_ir.sandbox.generator import build_state  # noqa: PLC0415 - import cycle

        if options is None:
            known = set(SandboxOptions.__dataclass_fields__)
            unknown = sorted(set(overrides) - known)
            if unknown:
                raise SandboxConfigError(
                    f"unknown sandbox option(s) {', '.join(unknown)}; "
                    f"known options: {', '.join(sorted(known))}"
                )
            options = SandboxOptions(**overrides)
        elif overrides:
            raise TypeError("pass either options or keyword overrides, not both")
        self.options = options
        self.lock = threading.RLock()
        self.jwt_secret = secrets.token_bytes(32)
        self.state: StoreState = build_state(options)
        self.router = Router(_load_tables(options.with_module))
        self.faults = FaultInjector(seed=options.seed)
        self.latency = LatencyModel(options.latency_factor)
        self.request_counts: Counter[str] = Counter()
        self.issued_tokens: list[IssuedToken] = []
        # Who queued each bulk; kept off StoreState (resolved permissions, not store data).
        self._bulk_callers: dict[str, Caller] = {}

    # --- clock and tokens -------------------------------------------------------------------
    def now(self) -> float:
        return float(self.options.clock())

    def issue_token(self, user_type: int, user_id: int) -> str:
        """A JWT exactly as the token routes issue it (also for tests that skip the login)."""
        now = self.now()
        issued_at = int(now)
        minutes = auth.token_lifetime_minutes(self.state, user_type)
        token = auth.issue_jwt(self.jwt_secret, user_id, user_type, issued_at, minutes)
        with self.lock:
            if len(self.issued_tokens) >= _PRUNE_TOKENS_AT:
                # A long-running served store must not grow without bound: expired ones go.
                self.issued_tokens = [item for item in self.issued_tokens if item.expires_at > now]
            self.issued_tokens.append(
                IssuedToken(user_type, user_id, issued_at, issued_at + minutes * 60)
            )
        return token

    def admin_token(self, username: str | None = None) -> str:
        """A token for an admin user (the default admin when `username` is None)."""
        with self.lock:
            user = self.state.admin_by_username(username or self.options.admin_user)
            if user is None:
                raise KeyError(f"no admin user {username!r}")
            return self.issue_token(USER_TYPE_ADMIN, user.user_id)

    def customer_token(self, email: str) -> str:
        with self.lock:
            customer_id = self.state.customer_id_for_email(email)
            if customer_id is None:
                raise KeyError(f"no customer {email!r}")
            return self.issue_token(USER_TYPE_CUSTOMER, customer_id)

    def revoke_tokens(self, user_type: int, user_id: int) -> None:
        """Magento's `jwt_auth_revoked` upsert: every token issued up to now dies."""
        with self.lock:
            self.state.revoked_before[(user_type, user_id)] = int(self.now())

    def rotate_crypt_key(self) -> None:
        """`encryption:key:change` on 2.4.7-p2+: JWTs signed with the old key all stop working."""
        with self.lock:
            self.jwt_secret = secrets.token_bytes(32)
            self.issued_tokens.clear()

    @property
    def inspect(self) -> Inspector:
        from magento_ir.sandbox.inspection import Inspector  # noqa: PLC0415 - import cycle

        return Inspector(self)

    def transport(self, client_ip: str = "127.0.0.1") -> httpx.MockTransport:
        """An httpx transport (sync and async) that sends every request to this store.

        `client_ip` is the address the store sees, e.g. to test maintenance allow-lists.
        """
        from magento_ir.sandbox.transport import SandboxTransport  # noqa: PLC0415 - httpx stays lazy

        return SandboxTransport(self, client_ip)

    @contextlib.contextmanager
    def unlocked(self) -> Iterator[None]:
        """Let other requests run meanwhile: for a handler's work on data no request changes
        (a search over generated columns). The caller must hold `lock` (handlers do)."""
        self.lock.release()
        try:
            yield
        finally:
            self.lock.acquire()

    def warm_columns(self, stop: threading.Event | None = None) -> None:
        """Build the column of every filterable field of the generated customers, products
        and orders now (until `stop` is set), so that no search has to: a large column costs
        0.1-0.5 s of CPU. A served store does this on a thread of its own once it listens
        (`SandboxServer`). Invoices and transactions build theirs on their first search (all
        of theirs too would take the memory past 1 GiB at a million orders)."""
        from magento_ir.sandbox import columns  # noqa: PLC0415 - import cycle
        from magento_ir.sandbox.rest_catalog import _product_value  # noqa: PLC0415
        from magento_ir.sandbox.rest_customers import _customer_value  # noqa: PLC0415
        from magento_ir.sandbox.rest_sales import _value  # noqa: PLC0415

        stop = threading.Event() if stop is None else stop
        state = self.state
        for table, value_of, known in (
            (state.customers, _customer_value, columns.CUSTOMER),
            (state.products, _product_value, columns.PRODUCT),
            (state.orders, _value, columns.ORDER),
        ):
            if table.index is not None:
                table.index.warm(known.names, value_of, frozenset({"entity_id"}), stop)

    # --- dispatch ---------------------------------------------------------------------------
    def handle(self, request: SandboxRequest) -> SandboxResponse:
        """Answer one request as Magento would; never raises, never leaks a traceback."""
        now = self.now()
        try:
            with self.lock, _collector_paused():
                response = self._dispatch(request, now)
        except Exception:
            logger.exception("sandbox internal error")
            response = self._error_response(internal_error())
        return response

    def _database_error(self, error: DatabaseError) -> WebapiError:
        """MySQL's refusal as Magento shows it: in full in developer mode, masked otherwise."""
        if self.options.developer_mode:
            return WebapiError(500, error.message, code=error.code)
        logger.warning("sandbox database error: %s", error.message)
        return internal_error()

    def _dispatch(self, request: SandboxRequest, now: float) -> SandboxResponse:
        fault = self.faults.take(request.method, request.path)
        if fault is not None and fault.replaces_response:
            self.request_counts[f"{request.method} (fault {fault.kind})"] += 1
            return fault.response()
        if self.state.maintenance and request.client_ip not in self.state.maintenance_ips:
            response = maintenance_response(developer_mode=self.options.developer_mode)
        elif request.path == "/rest" or request.path.startswith("/rest/"):
            response = self._dispatch_rest(request, now)
        else:
            response = self._dispatch_page(request, now)
        if fault is not None:
            fault.apply(response)
        return response

    def _dispatch_page(self, request: SandboxRequest, now: float) -> SandboxResponse:
        found = self.router.match_page(request.method, request.path)
        if found is None:
            self.request_counts[f"{request.method} (no route)"] += 1
            return SandboxResponse(
                404, [("Content-Type", "text/html; charset=UTF-8")], _NOT_FOUND_PAGE
            )
        page, params = found
        self.request_counts[f"{page.method} {page.path}"] += 1
        response = page.handler(PageCall(self, request, params, now))
        # Pages answer 503 only for the module's maintenance (Magento's own flag answered above).
        response.delay += self.latency.page_delay(
            page.path, closed=response.status == _SERVICE_UNAVAILABLE
        )
        return response

    def _resolve_store(self, rest_path: str) -> tuple[StoreView, str]:
        parts = rest_path.split("/", 2)  # "", first segment, rest
        first = parts[1] if len(parts) > 1 else ""
        remainder = "/" + parts[2] if len(parts) > 2 else "/"  # noqa: PLR2004
        store = self.state.store_by_code(first)
        if store is not None and store.id != ADMIN_STORE_ID:
            return store, remainder
        if first == "all":
            return self.state.stores[ADMIN_STORE_ID], remainder
        return self.state.default_store, rest_path

    def _dispatch_rest(self, request: SandboxRequest, now: float) -> SandboxResponse:
        store, path = self._resolve_store(request.path[len("/rest") :])
        mode, path = _processing_mode(path)
        route: RestRoute | None = None
        if _VERSIONED.match(path) is None or (mode != "sync" and request.method == "GET"):
            # No request processor takes it (an unknown store code leaves it in the path):
            # RequestProcessorPool refuses before routing or authentication.
            self.request_counts[f"{request.method} (no processor)"] += 1
            return self._error_response(
                WebapiError(400, "Specified request cannot be processed.", traced=False)
            )
        try:
            route, params = self._route_for(request, path, mode)
            caller = auth.resolve_caller(self.state, self.jwt_secret, request, now)
            if not caller.allows(route.acl):
                raise_not_authorized(route.acl)
            query = parse_php_query(request.query_pairs())
            if route.body_limit is not None:
                _check_body_limit(route.body_limit, request.body)
            body = self._read_body(request)
            if mode != "sync":
                return self._enqueue(
                    request,
                    mode,
                    route,
                    params=params,
                    store=store,
                    body=body,
                    caller=caller,
                    now=now,
                )
            result = self.invoke(
                route,
                params,
                store,
                query=query,
                body=body,
                caller=caller,
                request=request,
                now=now,
            )
        except (WebapiError, DatabaseError) as error:
            refusal = error if isinstance(error, WebapiError) else self._database_error(error)
            response = self._error_response(refusal)
            # A refusal still costs Magento a bootstrap (and a password check on token routes).
            response.delay += self.latency.error_delay(route)
            return response
        if isinstance(result, SandboxResponse):
            return result
        fields = query.get("fields")
        if isinstance(fields, str) and fields:
            result = filter_fields(result, fields)
        response = json_response(200, result, success=True)
        response.delay += self.latency.rest_delay(route, result)
        return response

    def _route_for(
        self, request: SandboxRequest, path: str, mode: str
    ) -> tuple[RestRoute, dict[str, str]]:
        if request.method not in ROUTABLE_METHODS:
            raise WebapiError(
                405, f"The {request.method} HTTP method is not supported.", traced=False
            )
        found = self._match(request.method, path, bulk=mode == "bulk")
        if found is None:
            self.request_counts[f"{request.method} (no route)"] += 1
            raise route_not_found()
        route, params = found
        self.request_counts[f"{route.method} {route.pattern}"] += 1
        return route, params

    def _match(
        self, method: str, path: str, *, bulk: bool
    ) -> tuple[RestRoute, dict[str, str]] | None:
        if not bulk:
            return self.router.match_rest(method, path)
        parts = tuple(part for part in path.strip("/").split("/") if part)
        for route in self.router.rest_routes:
            if route.method != method or len(route.segments) != len(parts):
                continue
            literal = tuple(
                f"by{segment[1:2].upper()}{segment[2:]}" if segment.startswith(":") else segment
                for segment in route.segments
            )
            if literal == parts:
                return route, {}
        return None

    def _read_body(self, request: SandboxRequest) -> JsonValue:
        if request.method not in ("POST", "PUT") or not request.body:
            return {}
        content_type = request.header("content-type")
        if not content_type:
            raise WebapiError(400, "Content-Type header is empty.")
        parsed = _CONTENT_TYPE.match(content_type)
        if parsed is None:
            raise WebapiError(400, "Content-Type header is invalid.")
        if parsed.group(2) is not None and parsed.group(2).lower() != "utf-8":
            raise WebapiError(400, "UTF-8 is the only supported charset.")
        if parsed.group(1) != "application/json":  # DeserializerFactory compares exactly
            raise WebapiError(
                400,
                f"Server cannot understand Content-Type HTTP header media type {parsed.group(1)}",
                traced=False,
            )
        try:
            return json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            if self.options.developer_mode:
                message = (
                    "Decoding error: \nUnable to unserialize value. Error: Syntax error\n#0 {main}"
                )
            else:
                message = "Decoding error."
            raise WebapiError(400, message) from None

    def bind_body(
        self, route: RestRoute, params: dict[str, str], body: JsonValue
    ) -> dict[str, Any]:
        """Validate a body against the route's service parameters, as ServiceInputProcessor does."""
        if not isinstance(body, dict):
            body = {}
        bound: dict[str, Any] = {}
        for name, allowed in route.body.items():
            if name not in body:
                continue
            value = body[name]
            bound[name] = value if allowed is None else _data_object(name, value, allowed)
        if route.put_binds is not None:
            object_name, _, field_name = route.put_binds.partition(".")
            placeholder = route.segments[-1][1:]
            if object_name in bound and placeholder in params:
                bound[object_name][field_name] = params[placeholder]
        # In the service method's parameter order; two or more become one aggregate error.
        missing = [
            name
            for name in [*route.body, *sorted(route.required - set(route.body))]
            if name in route.required and name not in bound
        ]
        if len(missing) == 1:
            raise required_field(missing[0])
        if missing:
            raise WebapiError(
                400,
                "One or more input exceptions have occurred.",
                errors=[
                    {"message": REQUIRED_FIELD, "parameters": {"fieldName": name}}
                    for name in missing
                ],
            )
        return bound

    def invoke(
        self,
        route: RestRoute,
        params: dict[str, str],
        store: StoreView,
        *,
        query: dict[str, Any],
        body: JsonValue,
        caller: Caller,
        request: SandboxRequest,
        now: float,
    ) -> JsonValue:
        """Run a matched, authorised route: bind input, then call its handler."""
        if route.search and "searchCriteria" not in query:
            raise WebapiError(
                400,
                '"%fieldName" is required. Enter and try again.',
                {"fieldName": "searchCriteria"},
            )
        bound = self.bind_body(route, params, body)
        call = Call(self, request, route, store, params, query, bound, caller, now)
        return route.handler(call)

    def _error_response(self, error: WebapiError) -> SandboxResponse:
        trace = "#0 {main}" if self.options.developer_mode else None
        response = json_response(error.status, error.body(trace=trace), success=False)
        response.headers.extend(error.headers)
        return response

    # --- async and bulk ---------------------------------------------------------------------
    def _enqueue(
        self,
        request: SandboxRequest,
        mode: str,
        route: RestRoute,
        *,
        params: dict[str, str],
        store: StoreView,
        body: JsonValue,
        caller: Caller,
        now: float,
    ) -> SandboxResponse:
        bodies = body if mode == "bulk" else [body]
        if mode == "bulk" and isinstance(body, dict):
            # PHP iterates an object's values as it would a list's entries.
            bodies = list(body.values())
        elif mode == "bulk" and not isinstance(body, list):
            raise WebapiError(400, "Request body must be an array of entities")
        bulk_id = str(uuid.UUID(int=secrets.randbits(128), version=4))
        operations: list[BulkOperation] = []
        items: list[dict[str, Any]] = []
        service = _SERVICE_METHODS.get((route.method, route.pattern))
        if service is not None:
            topic = f"async.{service}.{route.method.lower()}"
        else:
            topic = ".".join(
                ["async", *(part.lstrip(":") for part in route.segments), route.method.lower()]
            )
        for index, item in enumerate(bodies):
            item_params = self._bulk_params(route, item) if mode == "bulk" else dict(params)
            serialized = json.dumps(item, sort_keys=True)
            operation = BulkOperation(
                id=index,
                topic_name=topic,
                method=route.method,
                path=self._concrete_path(route, item_params),
                store_code=store.code,
                body=item if isinstance(item, dict) else {},
            )
            entry: dict[str, Any] = {
                "id": index,
                "data_hash": hashlib.sha256(serialized.encode()).hexdigest(),
                "status": "accepted",
            }
            rejection = self._validate_item(route, item_params, item)
            if rejection is not None:
                # Input Magento cannot deserialise refuses the whole request: nothing is queued.
                raise rejection
            operations.append(operation)
            items.append(entry)
        self.state.bulks[bulk_id] = Bulk(
            bulk_id=bulk_id,
            user_type=caller.user_type,
            user_id=caller.user_id,
            description=f"Topic {topic}",
            start_time=magento_time(now),
            operations=operations,
        )
        self._bulk_callers[bulk_id] = caller
        if self.options.run_consumers_immediately:
            self._run_bulk(bulk_id, request, now)
        rejected = any(item["status"] == "rejected" for item in items)
        payload = {"bulk_uuid": bulk_id, "request_items": items, "errors": rejected}
        return json_response(202, payload, success=True)

    def _validate_item(
        self, route: RestRoute, params: dict[str, str], item: JsonValue
    ) -> WebapiError | None:
        if not isinstance(item, dict):
            return WebapiError(400, "Request body must be an array of entities")
        # The body's own parameters are read first, the URL's `by<Param>` ones after.
        try:
            self.bind_body(route, params, item)
        except WebapiError as error:
            return error
        for segment in route.segments:
            if segment.startswith(":") and segment[1:] not in params:
                return required_field(segment[1:])
        return None

    def _bulk_params(self, route: RestRoute, item: JsonValue) -> dict[str, str]:
        params: dict[str, str] = {}
        if not isinstance(item, dict):
            return params
        for segment in route.segments:
            if not segment.startswith(":"):
                continue
            name = segment[1:]
            if name in item:
                params[name] = str(item[name])
            elif route.put_binds is not None:
                object_name, _, field_name = route.put_binds.partition(".")
                bound = item.get(object_name)
                if isinstance(bound, dict) and field_name in bound:
                    params[name] = str(bound[field_name])
        return params

    @staticmethod
    def _concrete_path(route: RestRoute, params: dict[str, str]) -> str:
        return "/" + "/".join(
            params.get(segment[1:], segment) if segment.startswith(":") else segment
            for segment in route.segments
        )

    def run_consumers(self) -> int:
        """Run the `async.operations.all` consumer once: executes every open operation."""
        now = self.now()
        done = 0
        with self.lock:
            for bulk_id in list(self.state.bulks):
                done += self._run_bulk(bulk_id, SandboxRequest("POST", "/"), now)
        return done

    def _run_bulk(self, bulk_id: str, request: SandboxRequest, now: float) -> int:
        bulk = self.state.bulks[bulk_id]
        caller = self._bulk_callers.get(bulk_id, Caller())
        done = 0
        for operation in bulk.operations:
            if operation.status != 4:  # noqa: PLR2004 - only open operations run
                continue
            store = self.state.store_by_code(operation.store_code) or self.state.default_store
            found = self.router.match_rest(operation.method, operation.path)
            try:
                if found is None:
                    raise route_not_found()
                route, params = found
                operation.result = self.invoke(
                    route,
                    params,
                    store,
                    query={},
                    body=operation.body,
                    caller=caller,
                    request=request,
                    now=now,
                )
                operation.status = 1
            except WebapiError as error:
                operation.status = 3
                operation.result_message = error.message
                operation.error_code = 0
            done += 1
        return done
