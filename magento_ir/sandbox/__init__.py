""" "moto for Magento": an embedded, faithful simulation of a Magento 2.4.7 store.

```python
from magento_ir.sandbox import Sandbox, SandboxServer

sandbox = Sandbox(products=1000, customers=10_000, seed=7)
client = httpx.Client(transport=sandbox.transport(), base_url="http://magento.test")
with SandboxServer(sandbox) as server:      # real HTTP/1.1 on loopback
    httpx.get(f"{server.base_url}/rest/V1/store/websites", headers=...)
```

Layout (one concern per module):

- `messages.py`  `SandboxRequest` / `SandboxResponse`: plain data in and out of `Sandbox.handle`.
- `app.py`       `Sandbox`: store resolution (`/rest[/<store>|/all][/async[/bulk]]/V1/...`),
                 auth, ACL, body decoding and validation, error rendering, async/bulk queueing.
- `routing.py`   `RouteTable` (registration), `Router` (matching), `Call` / `PageCall` (input).
- `state.py`     `StoreState`: the database (scopes, catalog, customers, sales, CMS, admin users
                 and roles, integrations, core config, token cut-offs, sessions, bulk, action log).
- `auth.py`      JWTs, token throttle, TOTP, OAuth 1.0a.      `search.py`  searchCriteria.
- `generator.py` / `fixtures.py`  the reference store and the seeded generator.
- `faults.py`, `latency.py`, `inspection.py`, `transport.py` (httpx), `server.py` (h11), `cli.py`.
- Route modules: `rest_auth`, `rest_catalog`, `rest_customers`, `rest_sales`, `rest_cms`,
  `rest_store`, `rest_bulk`; and, by their own authors, `graphql`, `storefront`, `module_api`.

How to add a route module
    Create `magento_ir/sandbox/<name>.py` with a module-level `routes = RouteTable()` (pass
    `requires_module=True` for the companion module's endpoints: they then exist only when the
    sandbox is started `with_module=True`) and decorate handlers with `@routes.rest(...)` (REST,
    JSON in and out, Magento's ACL/body rules applied for you) or `@routes.page(method, path,
    prefix=...)` (anything outside `/rest`, e.g. `/graphql` or storefront pages; you build the whole
    `SandboxResponse`). `app.ROUTE_MODULES` already lists `graphql`, `storefront` and `module_api`:
    a listed module that does not exist is skipped, so adding the file is enough.

How to read and change state
    Handlers run with `Sandbox.lock` held: read and write `call.state` (a `StoreState`) directly.
    Outside a handler, take `with sandbox.lock:` first. Useful pieces: `state.config_value(path,
    store_id)` / `state.set_config(path, value, scope, scope_id)` (core_config_data with scopes,
    e.g. `design/head/includes`, `payment/<code>/active`); `state.product_status(id, store_id)` and
    `state.product_store_values` (store-view overrides); `sandbox.revoke_tokens(user_type, user_id)`
    (jwt_auth_revoked cut-off); `state.customer_session_cutoff` and `state.customer_sessions`;
    `state.admin_users` / `admin_roles` / `admin_sessions`; `state.integrations`;
    `state.maintenance` / `maintenance_ips`; `state.action_log` (append-only);
    `sandbox.rotate_crypt_key()` (every JWT dies). Entity tables (`state.products`, `customers`,
    `orders`, ...) are `EntityTable`s: `get(id)` returns a row you must not mutate; write a changed
    copy back with `put(id, row)`. A getList route answers with `search.search_response(...)`;
    give it `window=table.rows_between` and `keyed=KeyedAccess(...)` so huge generated tables
    page without building every row.

How errors are raised
    Raise `WebapiError(status, phrase, parameters)` with Magento's phrase and its placeholders
    unsubstituted (helpers in `errors.py`: `required_field`, `no_such_entity`, `not_authorized`,
    `route_not_found`, ...). The dispatcher renders `{"message", "parameters"?, "trace"?}` with only
    `Content-Type`; any other exception becomes Magento's 500 "Internal Error ... Report ID:
    webapi-<id>" and is logged, never shown.
"""

from __future__ import annotations

from magento_ir.sandbox.app import Sandbox
from magento_ir.sandbox.errors import SandboxConfigError, WebapiError
from magento_ir.sandbox.messages import SandboxRequest, SandboxResponse
from magento_ir.sandbox.options import SandboxOptions
from magento_ir.sandbox.routing import Call, PageCall, RouteTable
from magento_ir.sandbox.server import SandboxServer
from magento_ir.sandbox.state import StoreState

__all__ = [
    "Call",
    "PageCall",
    "RouteTable",
    "Sandbox",
    "SandboxConfigError",
    "SandboxOptions",
    "SandboxRequest",
    "SandboxResponse",
    "SandboxServer",
    "StoreState",
    "WebapiError",
]
