"""The GraphQL engine behind `/graphql` (needs graphql-core, from the `sandbox` extra).

Covered: `products(search, filter, pageSize, currentPage)` with search-index semantics,
`generateCustomerToken` and `revokeCustomerToken`, and guest checkout's `setGuestEmailOnCart`,
`setPaymentMethodOnCart` and `placeOrder` (through the payment guard, as on a real store).
Parsing, validation and execution are graphql-core's; what differs from Magento's
webonyx/graphql-php 15 (message wording, status codes, developer-mode `extensions`) is
translated here so answers match the 2.4.7 recordings.

2.4.7 status codes: a syntax error or a request rejected before execution is 500 with `errors[]`;
validation and resolver errors (including `graphql-authentication` / `graphql-authorization`) are
200 with `errors[]` and `data`.
"""

from __future__ import annotations

import base64
import json
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graphql import (
    ExecutionResult,
    GraphQLError,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    OperationType,
    build_schema,
    execute,
    parse,
    validate,
)

from magento_ir.sandbox import auth
from magento_ir.sandbox.errors import SIGN_IN_INCORRECT, WebapiError
from magento_ir.sandbox.messages import SandboxResponse
from magento_ir.sandbox.rest_checkout import place_order
from magento_ir.sandbox.state import USER_TYPE_CUSTOMER
from magento_ir.sandbox.storefront import active_payment_methods, cart_total

if TYPE_CHECKING:
    from graphql import DocumentNode, GraphQLResolveInfo

    from magento_ir.sandbox.routing import PageCall
    from magento_ir.sandbox.state import GuestCart, StoreState, StoreView

__all__ = ["SCHEMA", "answer", "searchable_product_ids"]

# The subset of Magento's schema (CatalogGraphQl, CustomerGraphQl) the sandbox serves.
SCHEMA = build_schema(
    """
    type Query {
      products(
        search: String
        filter: ProductAttributeFilterInput
        pageSize: Int = 20
        currentPage: Int = 1
      ): Products
    }

    type Mutation {
      generateCustomerToken(email: String!, password: String!): CustomerToken
      revokeCustomerToken: RevokeCustomerTokenOutput
      setGuestEmailOnCart(input: SetGuestEmailOnCartInput): SetGuestEmailOnCartOutput
      setPaymentMethodOnCart(input: SetPaymentMethodOnCartInput): SetPaymentMethodOnCartOutput
      placeOrder(input: PlaceOrderInput): PlaceOrderOutput
    }
    input SetGuestEmailOnCartInput { cart_id: String! email: String! }
    input SetPaymentMethodOnCartInput { cart_id: String! payment_method: PaymentMethodInput! }
    input PaymentMethodInput { code: String! purchase_order_number: String }
    input PlaceOrderInput { cart_id: String! }
    type SetGuestEmailOnCartOutput { cart: Cart! }
    type SetPaymentMethodOnCartOutput { cart: Cart! }
    type Cart { id: ID! email: String selected_payment_method: SelectedPaymentMethod! }
    type SelectedPaymentMethod { code: String! title: String! }
    type PlaceOrderOutput { order: Order errors: [PlaceOrderError]! }
    type Order { order_number: String! order_id: String }
    type PlaceOrderError { message: String! code: PlaceOrderErrorCodes! }
    enum PlaceOrderErrorCodes {
      CART_NOT_FOUND
      CART_NOT_ACTIVE
      GUEST_EMAIL_MISSING
      UNABLE_TO_PLACE_ORDER
      UNDEFINED
    }

    input FilterEqualTypeInput { eq: String in: [String] }
    input FilterMatchTypeInput { match: String }

    input ProductAttributeFilterInput {
      sku: FilterEqualTypeInput
      url_key: FilterEqualTypeInput
      name: FilterMatchTypeInput
    }

    type Products {
      items: [ProductInterface]
      page_info: SearchResultPageInfo
      total_count: Int
    }

    type SearchResultPageInfo { page_size: Int current_page: Int total_pages: Int }

    enum ProductStockStatus { IN_STOCK OUT_OF_STOCK }

    interface ProductInterface {
      id: Int
      uid: ID!
      sku: String
      name: String
      url_key: String
      type_id: String
      stock_status: ProductStockStatus
      created_at: String
      updated_at: String
    }

    type SimpleProduct implements ProductInterface {
      id: Int
      uid: ID!
      sku: String
      name: String
      url_key: String
      type_id: String
      stock_status: ProductStockStatus
      created_at: String
      updated_at: String
    }

    type ConfigurableProduct implements ProductInterface {
      id: Int
      uid: ID!
      sku: String
      name: String
      url_key: String
      type_id: String
      stock_status: ProductStockStatus
      created_at: String
      updated_at: String
    }

    type CustomerToken { token: String }
    type RevokeCustomerTokenOutput { result: Boolean! }
    """
)

# Where webonyx/graphql-php 15.x (Magento 2.4.7-p3) throws each syntax error, as developer mode
# reports it; the recording redacts the installation path to <magento-root>.
_PARSER_FILE = "<magento-root>/vendor/webonyx/graphql-php/src/Language/Parser.php"
_LEXER_FILE = "<magento-root>/vendor/webonyx/graphql-php/src/Language/Lexer.php"
_STORE_VALIDATOR_FILE = (
    "<magento-root>/vendor/magento/module-store-graph-ql/Controller/HttpRequestValidator/"
    "StoreValidator.php"
)
_PARSER_LINE_UNEXPECTED = 437
_PARSER_LINE_EXPECT = 394
_PARSER_LINE_EXPECT_KEYWORD = 408
_LEXER_LINE_UNTERMINATED = 507
_LEXER_LINE_UNEXPECTED_CHARACTER = 247

_GRAPHQL_HEADERS = (("X-Frame-Options", "SAMEORIGIN"), ("Content-Type", "application/json"))
# graphql-core quotes tokens `'}'` and `Name 'x'` and ends with a period; webonyx writes `}`,
# `Name "x"` and no period.
_TOKEN = re.compile(r"^(?:'(?P<punct>[^']+)'|(?P<kind>[A-Za-z]+) '(?P<value>.*)'|(?P<bare>.+))$")
_EXPECTED = re.compile(r"^Expected (?P<want>.+?), found (?P<found>.+)\.$")
_UNEXPECTED = re.compile(r"^Unexpected (?P<found>.+)\.$")
_QUOTED_NAME = re.compile(r"'(\$?[_A-Za-z][_0-9A-Za-z!\[\]]*)'")
# graphql-core sentences that graphql-php 15 words differently (validation rules).
_REWORDED = (
    (
        re.compile(r"^Unknown argument '(\w+)' on field '(\w+)\.(\w+)'\.(.*)$"),
        r'Unknown argument "\1" on field "\3" of type "\2".\4',
    ),
    (
        re.compile(
            r"^Field '(\w+)' must not have a selection since type '([^']+)' has no subfields\.$"
        ),
        r'Field "\1" of type "\2" must not have a sub selection.',
    ),
    (
        re.compile(r"^Field '(\w+)' of type '([^']+)' must have a selection of subfields\..*$"),
        r'Field "\1" of type "\2" must have a sub selection.',
    ),
    (
        re.compile(
            r"^Field '(\w+)' argument '(\w+)' of type '([^']+)' is required,"
            r" but it was not provided\.$"
        ),
        r'Field "\1" argument "\2" of type "\3" is required but not provided.',
    ),
)

CATEGORY_AUTHENTICATION = "graphql-authentication"
CATEGORY_AUTHORIZATION = "graphql-authorization"
CATEGORY_INPUT = "graphql-input"

# Visibility values the search index returns: catalog (2, 4) for filter-only queries,
# search (3, 4) when a search term is given (CatalogGraphQl SearchCriteriaBuilder).
_VISIBLE_IN_CATALOG = frozenset({2, 4})
_VISIBLE_IN_SEARCH = frozenset({3, 4})


def _token_desc(text: str) -> str:
    found = _TOKEN.match(text)
    if found is None:  # pragma: no cover - the pattern's last branch matches anything
        return text
    if found.group("punct") is not None:
        return found.group("punct")
    if found.group("kind") is not None:
        return f'{found.group("kind")} "{found.group("value")}"'
    return found.group("bare")


def _webonyx_syntax(description: str) -> tuple[str, str, int]:
    """graphql-core's syntax error description as webonyx words it, with its throw site."""
    expected = _EXPECTED.match(description)
    if expected is not None:
        want = expected.group("want")
        line = _PARSER_LINE_EXPECT_KEYWORD if want.startswith('"') else _PARSER_LINE_EXPECT
        found = _token_desc(expected.group("found"))
        return f"Expected {_token_desc(want)}, found {found}", _PARSER_FILE, line
    unexpected = _UNEXPECTED.match(description)
    if unexpected is not None:
        found = unexpected.group("found")
        if found.startswith("character"):
            return f"Unexpected {found}", _LEXER_FILE, _LEXER_LINE_UNEXPECTED_CHARACTER
        return f"Unexpected {_token_desc(found)}", _PARSER_FILE, _PARSER_LINE_UNEXPECTED
    return description, _LEXER_FILE, _LEXER_LINE_UNTERMINATED


def _webonyx_message(message: str) -> str:
    """A validation message as graphql-php words it: its sentences, double-quoted names."""
    for pattern, replacement in _REWORDED:
        if pattern.match(message):
            message = pattern.sub(replacement, message)
            break
    return _QUOTED_NAME.sub(r'"\1"', message)


@dataclass
class _Context:
    call: PageCall
    store: StoreView


class _InputError(GraphQLError):
    """Magento's GraphQlInputException (client-safe, category graphql-input)."""

    def __init__(self, message: str, category: str = CATEGORY_INPUT) -> None:
        super().__init__(message, extensions={"category": category})


def _response(status: int, payload: dict[str, Any]) -> SandboxResponse:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return SandboxResponse(status, list(_GRAPHQL_HEADERS), body)


def _error_response(message: str, extensions: dict[str, Any] | None = None) -> SandboxResponse:
    error: dict[str, Any] = {"message": message}
    if extensions:
        error["extensions"] = extensions
    return _response(500, {"errors": [error]})


# --- products ---------------------------------------------------------------------------------
def _sellable(
    state: StoreState,
    row: dict[str, Any],
    store: StoreView,
    visible: frozenset[int],
    show_out_of_stock: bool,
) -> bool:
    """Whether the fulltext index of `store` holds this product (GetSearchableProductsSelect)."""
    product_id = row["id"]
    if store.website_id not in row.get("website_ids", ()):
        return False
    overrides = state.product_store_values.get((product_id, store.id), {})
    if int(overrides.get("status", row["status"])) != 1:
        return False
    if int(overrides.get("visibility", row.get("visibility", 4))) not in visible:
        return False
    return show_out_of_stock or int(row.get("qty", 0)) > 0


def _matches(row: dict[str, Any], name: str, condition: dict[str, Any]) -> bool:
    value = str(row.get(name, ""))
    if condition.get("eq") is not None and value != condition["eq"]:
        return False
    if condition.get("in") is not None and value not in condition["in"]:
        return False
    match = condition.get("match")
    return match is None or str(match).lower() in value.lower()


def searchable_product_ids(
    state: StoreState,
    store: StoreView,
    filters: dict[str, dict[str, Any]],
    search: str | None = None,
) -> list[int]:
    """Ids the `products` query finds on `store`, in the order Magento's index returns them.

    With the legacy MySQL search and no sort, equal relevance leaves the newest entity first
    (the recording lists IR-SKU-030 before IR-SKU-001).
    """
    visible = _VISIBLE_IN_SEARCH if search else _VISIBLE_IN_CATALOG
    sku_filter = filters.get("sku") or {}
    candidates: list[int]
    if sku_filter.get("eq") is not None or sku_filter.get("in") is not None:
        wanted = [sku_filter["eq"]] if sku_filter.get("eq") is not None else sku_filter["in"]
        found = {state.product_id_for_sku(str(sku)) for sku in wanted if sku is not None}
        candidates = sorted(product_id for product_id in found if product_id is not None)
    else:
        candidates = list(state.products.ids())
    show_out_of_stock = (
        state.config_value("cataloginventory/options/show_out_of_stock", store.id) == "1"
    )
    term = search.lower() if search else None
    result = []
    for product_id in candidates:
        row = state.products.get(product_id)
        if row is None:
            continue
        if term is not None and term not in f"{row['sku']} {row['name']}".lower():
            continue
        if not all(_matches(row, name, condition) for name, condition in filters.items()):
            continue
        if _sellable(state, row, store, visible, show_out_of_stock):
            result.append(product_id)
    result.reverse()
    return result


def _product_item(state: StoreState, product_id: int, store: StoreView) -> dict[str, Any]:
    row = state.products.get(product_id) or {}
    overrides = state.product_store_values.get((product_id, store.id), {})
    type_id = row.get("type_id", "simple")
    in_stock = int(row.get("qty", 0)) > 0
    return {
        "__typename": "ConfigurableProduct" if type_id == "configurable" else "SimpleProduct",
        "id": product_id,
        "uid": _uid(product_id),
        "sku": row.get("sku"),
        "name": overrides.get("name", row.get("name")),
        "url_key": row.get("url_key"),
        "type_id": type_id,
        "stock_status": "IN_STOCK" if in_stock else "OUT_OF_STOCK",
        "created_at": row.get("created_at"),
        "updated_at": row.get("updated_at"),
    }


def _uid(product_id: int) -> str:
    return base64.b64encode(str(product_id).encode()).decode()


class _Root:
    """Root resolvers: graphql-core's default resolver calls these methods with the arguments."""

    def products(
        self,
        info: GraphQLResolveInfo,
        *,
        pageSize: int | None,  # noqa: N803 - Magento's argument names
        currentPage: int | None,  # noqa: N803
        search: str | None = None,
        filter: dict[str, dict[str, Any]] | None = None,  # noqa: A002
    ) -> dict[str, Any]:
        context: _Context = info.context
        page_size, current_page, filters = pageSize, currentPage, filter
        if current_page is None or current_page < 1:
            raise _InputError("currentPage value must be greater than 0.")
        if page_size is None or page_size < 1:
            raise _InputError("pageSize value must be greater than 0.")
        if search is None and filters is None:
            raise _InputError("'search' or 'filter' input argument is required.")
        state = context.call.state
        ids = searchable_product_ids(state, context.store, filters or {}, search)
        total_pages = math.ceil(len(ids) / page_size)
        if ids and current_page > total_pages:
            raise _InputError(
                f"currentPage value {current_page} specified is greater than the "
                f"{total_pages} page(s) available."
            )
        start = (current_page - 1) * page_size
        return {
            "total_count": len(ids),
            "items": [
                _product_item(state, product_id, context.store)
                for product_id in ids[start : start + page_size]
            ],
            "page_info": {
                "page_size": page_size,
                "current_page": current_page,
                "total_pages": total_pages,
            },
        }

    def generateCustomerToken(  # noqa: N802 - Magento's field name
        self, info: GraphQLResolveInfo, email: str, password: str
    ) -> dict[str, str]:
        context: _Context = info.context
        call = context.call
        if not email.strip():
            raise _InputError('Specify the "email" value.')
        if not password.strip():
            raise _InputError('Specify the "password" value.')
        state = call.state
        # The same service (and throttle) as POST /V1/integration/customer/token.
        try:
            auth.ensure_not_locked(state, email, USER_TYPE_CUSTOMER, call.now)
        except WebapiError:
            raise _InputError(SIGN_IN_INCORRECT, CATEGORY_AUTHENTICATION) from None
        customer_id = state.customer_id_for_email(email)
        row = state.customers.get(customer_id) if customer_id is not None else None
        if (
            customer_id is None
            or row is None
            or not row.get("is_active", 1)
            or not auth.verify_customer_password(state, customer_id, password)
        ):
            auth.record_failure(state, email, USER_TYPE_CUSTOMER, call.now)
            raise _InputError(SIGN_IN_INCORRECT, CATEGORY_AUTHENTICATION)
        auth.record_success(state, email, USER_TYPE_CUSTOMER)
        return {"token": call.sandbox.issue_token(USER_TYPE_CUSTOMER, customer_id)}

    def revokeCustomerToken(self, info: GraphQLResolveInfo) -> dict[str, bool]:  # noqa: N802
        context: _Context = info.context
        call = context.call
        caller = auth.resolve_caller(call.state, call.sandbox.jwt_secret, call.request, call.now)
        if caller.user_type != USER_TYPE_CUSTOMER or caller.user_id is None:
            raise _InputError("The current customer isn't authorized.", CATEGORY_AUTHORIZATION)
        call.state.revoked_before[(USER_TYPE_CUSTOMER, caller.user_id)] = int(call.now)
        return {"result": True}

    # --- checkout (QuoteGraphQl), guest carts by masked id ------------------------------------
    def setGuestEmailOnCart(  # noqa: N802 - Magento's field name
        self,
        info: GraphQLResolveInfo,
        input: dict[str, Any],  # noqa: A002
    ) -> dict[str, Any]:
        cart = _guest_cart(info, input["cart_id"])
        if not input["email"].strip() or "@" not in input["email"]:
            raise _InputError("Invalid email format")
        cart.email = input["email"]
        return {"cart": _cart(info, input["cart_id"], cart)}

    def setPaymentMethodOnCart(  # noqa: N802 - Magento's field name
        self,
        info: GraphQLResolveInfo,
        input: dict[str, Any],  # noqa: A002
    ) -> dict[str, Any]:
        cart = _guest_cart(info, input["cart_id"])
        code = input["payment_method"]["code"]
        state = info.context.call.state
        total = cart_total(state, {pid: line[1] for pid, line in cart.lines.items()})
        if code not in dict(active_payment_methods(state, cart.store_id, total)):
            raise _InputError("The requested Payment Method is not available.")
        cart.payment_method = code
        return {"cart": _cart(info, input["cart_id"], cart)}

    def placeOrder(  # noqa: N802 - Magento's field name
        self,
        info: GraphQLResolveInfo,
        input: dict[str, Any],  # noqa: A002
    ) -> dict[str, Any]:
        call = info.context.call
        masked = input["cart_id"]
        cart = call.state.guest_carts.get(masked)
        if cart is None:
            message = f'Could not find a cart with ID "{masked}"'
            return {"order": None, "errors": [{"message": message, "code": "CART_NOT_FOUND"}]}
        if not cart.email:
            message = "Guest email for cart is missing."
            return {"order": None, "errors": [{"message": message, "code": "GUEST_EMAIL_MISSING"}]}
        try:
            order_id = place_order(call, cart, "graphql", None)
        except WebapiError as error:
            # The resolver turns the LocalizedException into an entry of `errors`.
            return {"order": None, "errors": [{"message": error.message, "code": "UNDEFINED"}]}
        number = call.state.orders.get(order_id)["increment_id"]
        return {"order": {"order_number": number, "order_id": number}, "errors": []}


def _guest_cart(info: GraphQLResolveInfo, masked: str) -> GuestCart:
    cart: GuestCart | None = info.context.call.state.guest_carts.get(masked)
    if cart is None:
        raise _InputError(f'Could not find a cart with ID "{masked}"', "graphql-no-such-entity")
    return cart


def _cart(info: GraphQLResolveInfo, masked: str, cart: GuestCart) -> dict[str, Any]:
    state = info.context.call.state
    code = cart.payment_method or ""
    title = dict(active_payment_methods(state, cart.store_id, 1.0)).get(code, "")
    return {
        "id": masked,
        "email": cart.email,
        "selected_payment_method": {"code": code, "title": title},
    }


# --- the endpoint -----------------------------------------------------------------------------
@dataclass
class _Operation:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None


def _read_operation(call: PageCall) -> _Operation | SandboxResponse:
    request = call.request
    if request.method == "GET":
        params = dict(request.query_pairs())
        raw_variables: Any = params.get("variables")
        query: Any = params.get("query", "")
        operation_name: Any = params.get("operationName")
        if raw_variables:
            try:
                raw_variables = json.loads(raw_variables)
            except ValueError:
                return _unserialize_error(call)
    else:
        try:
            payload: Any = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return _unserialize_error(call)
        if not isinstance(payload, dict):
            payload = {}
        query = payload.get("query") or ""
        raw_variables, operation_name = payload.get("variables"), payload.get("operationName")
    variables = raw_variables if isinstance(raw_variables, dict) else None
    if not isinstance(query, str):
        query = ""
    if not isinstance(operation_name, str):
        operation_name = None
    return _Operation(query, variables, operation_name)


def _unserialize_error(call: PageCall) -> SandboxResponse:
    # Not client-safe: masked, the reason only in developer mode.
    extensions = (
        {"debugMessage": "Unable to unserialize value. Error: Syntax error"}
        if call.sandbox.options.developer_mode
        else None
    )
    return _error_response("Internal server error", extensions)


def _syntax_error(call: PageCall, error: GraphQLSyntaxError) -> SandboxResponse:
    message, file, line = _webonyx_syntax(error.description)
    entry: dict[str, Any] = {"message": f"Syntax Error: {message}"}
    if error.locations:
        entry["locations"] = [
            {"line": location.line, "column": location.column} for location in error.locations
        ]
    if call.sandbox.options.developer_mode:
        entry["extensions"] = {"file": file, "line": line}
    return _response(500, {"errors": [entry]})


def _is_mutation(document: DocumentNode, operation_name: str | None) -> bool:
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        name = definition.name.value if definition.name else None
        if operation_name is None or name == operation_name:
            return definition.operation == OperationType.MUTATION
    return False


def _format(error: GraphQLError) -> dict[str, Any]:
    ours = isinstance(error.original_error, _InputError)
    message = error.message if ours else _webonyx_message(error.message)
    formatted: dict[str, Any] = {"message": message}
    if error.locations:
        formatted["locations"] = [
            {"line": location.line, "column": location.column} for location in error.locations
        ]
    if error.path:
        formatted["path"] = list(error.path)
    original = error.original_error
    extensions = (original.extensions if isinstance(original, GraphQLError) else None) or (
        error.extensions
    )
    if extensions:
        formatted["extensions"] = dict(extensions)
    return formatted


def _store(call: PageCall) -> StoreView | SandboxResponse:
    """The `Store` header's store view, or StoreValidator's refusal."""
    store_code = call.request.header("store")
    if not store_code:
        return call.state.default_store
    found = call.state.store_by_code(store_code)
    if found is not None and found.id != 0 and found.is_active:
        return found
    # A GraphQlInputException: its category always, the thrower in developer mode (as with every
    # exception thrown before execution).
    extensions: dict[str, Any] = {"category": "graphql-input"}
    if call.sandbox.options.developer_mode:
        extensions |= {"file": _STORE_VALIDATOR_FILE, "line": 48, "trace": []}
    return _error_response(f"Requested store is not found ({store_code})", extensions)


def answer(call: PageCall) -> SandboxResponse:
    """The whole `/graphql` response for one request."""
    operation = _read_operation(call)
    if isinstance(operation, SandboxResponse):
        return operation
    store = _store(call)
    if isinstance(store, SandboxResponse):
        return store
    try:
        document = parse(operation.query)
    except GraphQLSyntaxError as error:
        return _syntax_error(call, error)
    if call.request.method == "GET" and _is_mutation(document, operation.operation_name):
        return _error_response("Mutation requests allowed only for POST requests")
    errors = validate(SCHEMA, document)
    if errors:
        return _response(200, {"errors": [_format(error) for error in errors]})
    result = execute(
        SCHEMA,
        document,
        root_value=_Root(),
        context_value=_Context(call, store),
        variable_values=operation.variables,
        operation_name=operation.operation_name,
    )
    if not isinstance(result, ExecutionResult):  # pragma: no cover - no async resolvers here
        raise TypeError("GraphQL resolvers must be synchronous")
    payload: dict[str, Any] = {}
    if result.errors:
        payload["errors"] = [_format(error) for error in result.errors]
    if result.data is not None or not result.errors:
        payload["data"] = result.data
    return _response(200, payload)
