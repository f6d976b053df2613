"""The storefront as a shopper sees it: HTML pages, the `PHPSESSID` session and "remember me".

This is how containment is verified from the outside: an injected skimmer is visible in the home
page's HTML (`design/head/includes` and enabled CMS blocks are rendered as Magento renders them,
unescaped), disabled products 404, inactive payment methods vanish from checkout, killed customer
sessions are logged out on their next request ("The session has expired, please login again."),
and maintenance closes the shop.

Maintenance: Magento's own flag is answered by the dispatcher before any route (every endpoint,
exact-IP allow list). The companion module's `storefront` / `checkout` modes are served here: its
accessible 503 page with `Retry-After`, on storefront pages only (or only checkout), so REST,
GraphQL and the admin stay reachable.

Pages: `/` home, `/<url_key>.html` product, `/checkout/cart/` (+ `POST /checkout/cart/add/`),
`/checkout/`, `/customer/account/login/` (+ `POST .../loginPost/`), `/customer/account/`,
`/customer/account/logout/`, `/customer/account/logoutSuccess/`; anything else is the CMS
`no-route` page with status 404. A store view is chosen with `?___store=<code>` or the `store`
cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import secrets
import string
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, unquote

from magento_ir.sandbox import auth
from magento_ir.sandbox.csp import security_headers
from magento_ir.sandbox.messages import SandboxResponse
from magento_ir.sandbox.module_maintenance import render_maintenance_page
from magento_ir.sandbox.routing import PageCall, RouteTable
from magento_ir.sandbox.state import ADMIN_STORE_ID, CustomerSession

if TYPE_CHECKING:
    from collections.abc import Callable

    from magento_ir.sandbox.state import StoreState, StoreView

__all__ = [
    "CHECKOUT_FRONT_NAMES",
    "SESSION_EXPIRED",
    "active_payment_methods",
    "cart_total",
    "form_key",
    "module_maintenance_response",
    "routes",
]

routes = RouteTable()

SESSION_COOKIE = "PHPSESSID"
PERSISTENT_COOKIE = "persistent_shopping_cart"
MESSAGES_COOKIE = "mage-messages"
STORE_COOKIE = "store"
SESSION_EXPIRED = "The session has expired, please login again."
INVALID_FORM_KEY = "Invalid Form Key. Please refresh the page."
SIGN_IN_INCORRECT = (
    "The account sign-in was incorrect or your account is disabled temporarily. "
    "Please wait and try again later."
)
# The module's FrontControllerPlugin closes these first URL segments in `checkout` mode.
CHECKOUT_FRONT_NAMES = frozenset({"checkout", "multishipping", "paypal", "braintree"})
DEFAULT_COOKIE_LIFETIME = 3600  # web/cookie/cookie_lifetime
DEFAULT_PERSISTENT_LIFETIME = 31_536_000  # persistent/options/lifetime
HTML_CONTENT_TYPE = "text/html; charset=UTF-8"
# Titles from each payment module's config.xml, used when `payment/<code>/title` is not set.
PAYMENT_TITLES = {
    "checkmo": "Check / Money order",
    "banktransfer": "Bank Transfer Payment",
    "cashondelivery": "Cash On Delivery",
    "purchaseorder": "Purchase Order",
    "braintree": "Credit Card (Braintree)",
    "free": "No Payment Information Required",
}
_VISIBLE_ON_ITS_OWN = frozenset({2, 3, 4})

_STYLE = """
body { margin: 0; font-family: system-ui, Arial, sans-serif; font-size: 1rem; line-height: 1.5;
  color: #1f2328; background: #ffffff; }
header, main, footer { max-width: 60rem; margin: 0 auto; padding: 1rem; }
header { border-bottom: 1px solid #6e7781; }
footer { border-top: 1px solid #6e7781; }
nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 1rem; }
a { color: #0a4b94; }
.messages p { padding: 0.5rem; border: 1px solid #6e7781; }
label { display: block; margin-top: 0.5rem; }
p, li, dd { overflow-wrap: anywhere; }
"""


# --- requests, sessions and cookies -----------------------------------------------------------
@dataclass
class _Visit:
    """One storefront request: its store, session and the cookies/messages to send back."""

    call: PageCall
    store: StoreView
    cookies: dict[str, str]
    form: dict[str, str]
    session: CustomerSession | None = None
    new_cookies: list[str] = field(default_factory=list)
    messages: list[dict[str, str]] = field(default_factory=list)

    @property
    def state(self) -> StoreState:
        return self.call.state

    def config(self, path: str) -> str | None:
        return self.state.config_value(path, self.store.id)

    def set_cookie(self, name: str, value: str, max_age: int | None = None) -> None:
        cookie = f"{name}={value}; path=/; HttpOnly; SameSite=Lax"
        if max_age is not None:
            cookie = f"{name}={value}; Max-Age={max_age}; path=/; HttpOnly; SameSite=Lax"
        self.new_cookies.append(cookie)


def _parse_cookies(header: str | None) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header or "")
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def _store_for(call: PageCall, cookies: dict[str, str]) -> StoreView:
    state = call.state
    requested = dict(call.request.query_pairs()).get("___store") or cookies.get(STORE_COOKIE)
    store = state.store_by_code(requested) if requested else None
    if store is None or store.id == ADMIN_STORE_ID or not store.is_active:
        return state.default_store
    return store


def _cookie_lifetime(visit: _Visit) -> int:
    raw = visit.config("web/cookie/cookie_lifetime")
    return int(raw) if raw and raw.isdigit() and int(raw) > 0 else DEFAULT_COOKIE_LIFETIME


def _start_session(visit: _Visit, customer_id: int | None) -> CustomerSession:
    now = visit.call.now
    session_id = secrets.token_hex(16)
    session = CustomerSession(session_id, customer_id, now, now)
    visit.state.customer_sessions[session_id] = session
    visit.set_cookie(SESSION_COOKIE, session_id, _cookie_lifetime(visit))
    return session


def _resume_session(visit: _Visit) -> None:
    """Load the visitor's session, dropping it when expired and logging out a cut-off customer."""
    state, now = visit.state, visit.call.now
    session = state.customer_sessions.get(visit.cookies.get(SESSION_COOKIE, ""))
    if session is not None and now - session.last_visit_at > _cookie_lifetime(visit):
        del state.customer_sessions[session.session_id]
        session = None
    if session is None:
        visit.session = _start_session(visit, None)
        return
    customer_id = session.customer_id
    if customer_id is not None:
        cutoff = state.session_cutoff(customer_id)
        row = state.customers.get(customer_id)
        # Customer\Model\Session\Validators\CutoffValidator: a session started before the
        # customer's session_cutoff is over.
        if (cutoff is not None and session.created_at <= cutoff) or row is None:
            del state.customer_sessions[session.session_id]
            session = _start_session(visit, None)
            visit.messages.append({"type": "error", "text": SESSION_EXPIRED})
    session.last_visit_at = now
    visit.session = session


_FORM_KEY_ALPHABET = string.ascii_letters + string.digits


def form_key(visit: _Visit) -> str:
    """The session's 16-character form key (Magento's CSRF token), derived, not stored."""
    session_id = visit.session.session_id if visit.session is not None else ""
    digest = hmac.new(visit.call.sandbox.jwt_secret, session_id.encode(), hashlib.sha256).digest()
    return "".join(_FORM_KEY_ALPHABET[byte % len(_FORM_KEY_ALPHABET)] for byte in digest[:16])


def _form_key_input(visit: _Visit) -> str:
    return f'<input type="hidden" name="form_key" value="{form_key(visit)}">'


def _customer(visit: _Visit) -> dict[str, Any] | None:
    if visit.session is None or visit.session.customer_id is None:
        return None
    return visit.state.customers.get(visit.session.customer_id)


def _remembered(visit: _Visit) -> dict[str, Any] | None:
    """The customer a valid "remember me" cookie names, when persistent cart is on."""
    if visit.config("persistent/options/enabled") != "1":
        return None
    owner = visit.state.persistent_sessions.get(visit.cookies.get(PERSISTENT_COOKIE, ""))
    return None if owner is None else visit.state.customers.get(owner)


def _flash_messages(visit: _Visit) -> list[dict[str, str]]:
    """Messages a redirect left in the `mage-messages` cookie (cleared once shown)."""
    raw = visit.cookies.get(MESSAGES_COOKIE)
    if not raw:
        return []
    visit.new_cookies.append(f"{MESSAGES_COOKIE}=; Max-Age=0; path=/; SameSite=Lax")
    try:
        decoded = json.loads(unquote(raw))
    except ValueError:
        return []
    if not isinstance(decoded, list):
        return []
    return [
        {"type": str(item.get("type", "")), "text": str(item.get("text", ""))}
        for item in decoded
        if isinstance(item, dict)
    ]


# --- rendering --------------------------------------------------------------------------------
def _media_url(visit: _Visit) -> str:
    return (visit.config("web/unsecure/base_url") or "/") + "media/"


def _page(
    visit: _Visit,
    title: str,
    body: str,
    *,
    status: int = 200,
    extra_head: str = "",
    action: str = "",
) -> SandboxResponse:
    """A storefront page; `action` is Magento's full action name where its CSP differs."""
    locale = visit.config("general/locale/code") or "en_US"
    head_includes = (visit.config("design/head/includes") or "").replace(
        "{{MEDIA_URL}}", _media_url(visit)
    )
    customer = _customer(visit)
    if customer is not None:
        greeting = (
            f"Welcome, {html.escape(customer['firstname'])} {html.escape(customer['lastname'])}!"
        )
        account = (
            '<li><a href="/customer/account/">My Account</a></li>'
            '<li><a href="/customer/account/logout/">Sign Out</a></li>'
        )
    else:
        remembered = _remembered(visit)
        greeting = (
            f"Welcome back, {html.escape(remembered['firstname'])}! Not you?"
            if remembered is not None
            else "Default welcome msg!"
        )
        account = '<li><a href="/customer/account/login/">Sign In</a></li>'
    messages = "".join(
        f'<p class="message-{html.escape(item["type"])}">{html.escape(item["text"])}</p>'
        for item in [*visit.messages, *_flash_messages(visit)]
    )
    document = f"""<!doctype html>
<html lang="{html.escape(locale.replace("_", "-"))}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{_STYLE}</style>
{head_includes}
{extra_head}
</head>
<body>
<header>
<p>{greeting}</p>
<nav aria-label="Store">
<ul><li><a href="/">Home</a></li><li><a href="/checkout/cart/">My Cart</a></li>{account}</ul>
</nav>
</header>
<main id="maincontent">
<div class="messages" role="status">{messages}</div>
{body}
</main>
<footer>
{_blocks(visit)}
<p><small>Copyright &#169; 2013-present Magento, Inc. All rights reserved.</small></p>
</footer>
</body>
</html>
"""
    headers = [("Content-Type", HTML_CONTENT_TYPE), ("X-Frame-Options", "SAMEORIGIN")]
    headers.extend(security_headers(visit.config, action))
    headers.extend(("Set-Cookie", cookie) for cookie in visit.new_cookies)
    return SandboxResponse(status, headers, document.encode())


def _blocks(visit: _Visit) -> str:
    """Every enabled CMS block of this store view, raw, as widgets place them."""
    state = visit.state
    parts = []
    for row in state.cms_blocks.rows():
        stores = state.cms_block_stores.get(row["id"], [ADMIN_STORE_ID])
        if row.get("active") and (ADMIN_STORE_ID in stores or visit.store.id in stores):
            parts.append(
                f'<div class="cms-block" data-identifier="{html.escape(row["identifier"])}">'
                f"{row.get('content', '')}</div>"
            )
    return "\n".join(parts)


def _redirect(
    visit: _Visit, location: str, messages: list[dict[str, str]] | None = None
) -> SandboxResponse:
    if messages:
        encoded = quote(json.dumps(messages, separators=(",", ":")), safe="")
        visit.new_cookies.append(f"{MESSAGES_COOKIE}={encoded}; path=/; SameSite=Lax")
    headers = [("Location", location), ("Content-Type", HTML_CONTENT_TYPE)]
    headers.extend(("Set-Cookie", cookie) for cookie in visit.new_cookies)
    return SandboxResponse(302, headers, b"")


def _cms_page(visit: _Visit, identifier: str) -> dict[str, Any] | None:
    state = visit.state
    for row in state.cms_pages.rows():
        stores = state.cms_page_stores.get(row["id"], [ADMIN_STORE_ID])
        in_store = ADMIN_STORE_ID in stores or visit.store.id in stores
        if row.get("identifier") == identifier and row.get("active") and in_store:
            return row
    return None


def _cms_content(content: str) -> str:
    return content.replace('{{store url=""}}', "/").replace(
        '{{store url="customer/account"}}', "/customer/account/"
    )


def _not_found(visit: _Visit) -> SandboxResponse:
    page = _cms_page(visit, "no-route")
    heading = page.get("content_heading") if page else "Whoops, our bad..."
    content = _cms_content(page.get("content", "")) if page else ""
    title = page.get("title", "404 Not Found") if page else "404 Not Found"
    return _page(visit, title, f"<h1>{html.escape(heading or title)}</h1>\n{content}", status=404)


# --- pages ------------------------------------------------------------------------------------
def _home(visit: _Visit) -> SandboxResponse:
    page = _cms_page(visit, "home")
    if page is None:
        return _not_found(visit)
    heading = page.get("content_heading") or page.get("title", "Home page")
    body = f"<h1>{html.escape(heading)}</h1>\n{_cms_content(page.get('content', ''))}"
    return _page(visit, page.get("title", "Home page"), body)


def _product_by_url_key(state: StoreState, url_key: str) -> int | None:
    # Generated url keys end in the lower-case SKU; fixture and created products are indexed.
    candidates = list(state.sku_index.values())
    suffix = url_key.rsplit("-", 1)[-1]
    generated = state.product_id_for_sku(suffix.upper())
    if generated is not None:
        candidates.insert(0, generated)
    for product_id in candidates:
        row = state.products.get(product_id)
        if row is not None and row.get("url_key") == url_key:
            return product_id
    return None


def _product(visit: _Visit, url_key: str) -> SandboxResponse:
    state, store = visit.state, visit.store
    product_id = _product_by_url_key(state, url_key)
    row = state.products.get(product_id) if product_id is not None else None
    if (
        product_id is None
        or row is None
        or state.product_status(product_id, store.id) != 1
        or store.website_id not in row.get("website_ids", ())
        or int(row.get("visibility", 4)) not in _VISIBLE_ON_ITS_OWN
    ):
        return _not_found(visit)
    name = state.product_store_values.get((product_id, store.id), {}).get("name", row["name"])
    in_stock = int(row.get("qty", 0)) > 0
    stock = "In stock" if in_stock else "Out of stock"
    form = (
        f'<form method="post" action="/checkout/cart/add/">{_form_key_input(visit)}'
        f'<input type="hidden" name="product" value="{product_id}">'
        f'<label for="qty">Qty</label><input id="qty" name="qty" type="number" value="1" min="1">'
        f'<button type="submit">Add to Cart</button></form>'
        if in_stock
        else ""
    )
    body = (
        f"<h1>{html.escape(name)}</h1>\n"
        f'<p class="price">${float(row.get("price", 0)):,.2f}</p>\n'
        f'<p class="stock">{stock}</p>\n<p class="sku">SKU: {html.escape(row["sku"])}</p>\n{form}'
    )
    return _page(visit, name, body)


def _cart_key(visit: _Visit) -> str:
    return visit.session.session_id if visit.session is not None else ""


def _cart(visit: _Visit) -> SandboxResponse:
    items = visit.state.quotes.get(_cart_key(visit), {})
    rows = []
    for product_id, qty in items.items():
        row = visit.state.products.get(product_id)
        if row is not None:
            rows.append(f"<li>{html.escape(row['name'])} &#215; {qty}</li>")
    if rows:
        body = (
            "<h1>Shopping Cart</h1>\n<ul>" + "".join(rows) + "</ul>\n"
            '<p><a href="/checkout/">Proceed to Checkout</a></p>'
        )
    else:
        body = "<h1>Shopping Cart</h1>\n<p>You have no items in your shopping cart.</p>"
    return _page(visit, "Shopping Cart", body)


def _add_to_cart(visit: _Visit) -> SandboxResponse:
    state = visit.state
    raw_id, raw_qty = visit.form.get("product", ""), visit.form.get("qty", "1")
    product_id = int(raw_id) if raw_id.isdigit() else None
    row = state.products.get(product_id) if product_id is not None else None
    sellable = (
        product_id is not None
        and row is not None
        and state.product_status(product_id, visit.store.id) == 1
        and int(row.get("qty", 0)) > 0
    )
    if not sellable or product_id is None:
        return _redirect(
            visit,
            "/checkout/cart/",
            [
                {
                    "type": "error",
                    "text": "The product that was requested doesn't exist. "
                    "Verify the product and try again.",
                }
            ],
        )
    qty = int(raw_qty) if raw_qty.isdigit() and int(raw_qty) > 0 else 1
    cart = state.quotes.setdefault(_cart_key(visit), {})
    cart[product_id] = cart.get(product_id, 0) + qty
    return _redirect(visit, "/checkout/cart/")


def active_payment_methods(
    state: StoreState, store_id: int, grand_total: float
) -> list[tuple[str, str]]:
    """(code, title) of each method whose `payment/<code>/active` is 1 at this store view.

    `free` is on by Magento_Payment's config.xml (sort order 1) and offered only to a cart whose
    grand total is 0 (its method's `isAvailable`).
    """
    codes = {
        path.split("/")[1]
        for path, _scope, _scope_id in [*state.config, *state.locked_config]
        if path.startswith("payment/") and path.endswith("/active") and path.count("/") == 2  # noqa: PLR2004
    }
    codes.add("free")
    methods = []
    for code in codes:
        active = state.config_value(f"payment/{code}/active", store_id)
        if code == "free":
            if grand_total > 0:
                continue
            active = "1" if active is None else active
        if active != "1":
            continue
        title = state.config_value(f"payment/{code}/title", store_id) or PAYMENT_TITLES.get(
            code, code
        )
        order = state.config_value(f"payment/{code}/sort_order", store_id) or (
            "1" if code == "free" else "0"
        )
        methods.append((int(order) if order.lstrip("-").isdigit() else 0, code, title))
    return [(code, title) for _order, code, title in sorted(methods)]


def cart_total(state: StoreState, lines: dict[int, int]) -> float:
    """The grand total of a cart's lines (prices times quantities; no tax or shipping yet)."""
    total = 0.0
    for product_id, qty in lines.items():
        row = state.products.get(product_id)
        if row is not None:
            total += float(row.get("price") or 0) * qty
    return total


def _checkout(visit: _Visit) -> SandboxResponse:
    if not visit.state.quotes.get(_cart_key(visit)):
        return _redirect(visit, "/checkout/cart/")
    cart = visit.state.quotes[_cart_key(visit)]
    methods = active_payment_methods(visit.state, visit.store.id, cart_total(visit.state, cart))
    options = "".join(
        f'<li><input type="radio" name="payment[method]" id="p_method_{code}" value="{code}">'
        f'<label for="p_method_{code}">{html.escape(title)}</label></li>'
        for code, title in methods
    )
    listing = (
        "<fieldset><legend>Payment Method</legend>"
        f'<ul class="payment-methods">{options}</ul></fieldset>'
        if methods
        else "<p>No Payment method available.</p>"
    )
    return _page(
        visit,
        "Checkout",
        f"<h1>Checkout</h1>\n<form>{listing}</form>",
        action="checkout_index_index",
    )


def _login_form(visit: _Visit) -> SandboxResponse:
    remember = ""
    if visit.config("persistent/options/enabled") == "1":
        remember = (
            '<p><input type="checkbox" name="persistent_remember_me" id="remember_me" '
            'value="on" checked><label for="remember_me">Remember Me</label></p>'
        )
    body = (
        "<h1>Customer Login</h1>\n"
        f'<form method="post" action="/customer/account/loginPost/">{_form_key_input(visit)}'
        '<label for="email">Email</label>'
        '<input id="email" name="login[username]" type="email" autocomplete="email" required>'
        '<label for="pass">Password</label>'
        '<input id="pass" name="login[password]" type="password" '
        'autocomplete="current-password" required>'
        f'{remember}<button type="submit">Sign In</button></form>'
    )
    return _page(visit, "Customer Login", body)


def _login(visit: _Visit) -> SandboxResponse:
    state = visit.state
    email = visit.form.get("login[username]", "")
    password = visit.form.get("login[password]", "")
    customer_id = state.customer_id_for_email(email) if email else None
    row = state.customers.get(customer_id) if customer_id is not None else None
    if (
        customer_id is None
        or row is None
        or not row.get("is_active", 1)
        or not auth.verify_customer_password(state, customer_id, password)
    ):
        return _redirect(
            visit, "/customer/account/login/", [{"type": "error", "text": SIGN_IN_INCORRECT}]
        )
    # A new session id on login (no fixation); the guest cart moves along.
    old_key = _cart_key(visit)
    if visit.session is not None:
        state.customer_sessions.pop(visit.session.session_id, None)
    visit.session = _start_session(visit, customer_id)
    if old_key in state.quotes:
        state.quotes[_cart_key(visit)] = state.quotes.pop(old_key)
    remember = visit.form.get("persistent_remember_me") == "on"
    if remember and visit.config("persistent/options/enabled") == "1":
        key = secrets.token_hex(25)  # persistent_session.key is 50 characters
        state.persistent_sessions[key] = customer_id
        lifetime = visit.config("persistent/options/lifetime") or ""
        visit.set_cookie(
            PERSISTENT_COOKIE,
            key,
            int(lifetime) if lifetime.isdigit() else DEFAULT_PERSISTENT_LIFETIME,
        )
    return _redirect(visit, "/customer/account/")


def _account(visit: _Visit) -> SandboxResponse:
    customer = _customer(visit)
    if customer is None:
        return _redirect(visit, "/customer/account/login/", visit.messages)
    name = html.escape(f"{customer['firstname']} {customer['lastname']}")
    body = (
        "<h1>My Account</h1>\n<h2>Contact Information</h2>\n"
        f"<p>{name}<br>{html.escape(customer['email'])}</p>"
    )
    return _page(visit, "My Account", body)


def _logout(visit: _Visit) -> SandboxResponse:
    state = visit.state
    if visit.session is not None:
        state.customer_sessions.pop(visit.session.session_id, None)
        state.quotes.pop(visit.session.session_id, None)
        visit.session = _start_session(visit, None)
    # persistent/options/logout_clear (default 1): signing out forgets "remember me".
    key = visit.cookies.get(PERSISTENT_COOKIE)
    if key and state.persistent_sessions.pop(key, None) is not None:
        visit.new_cookies.append(f"{PERSISTENT_COOKIE}=; Max-Age=0; path=/; HttpOnly; SameSite=Lax")
    return _redirect(visit, "/customer/account/logoutSuccess/")


def _logout_success(visit: _Visit) -> SandboxResponse:
    body = "<h1>You are signed out</h1>\n<p>You have signed out and will go to our homepage.</p>"
    return _page(visit, "Customer Logout", body)


_PAGES: dict[tuple[str, str], Callable[[_Visit], SandboxResponse]] = {
    ("GET", ""): _home,
    ("GET", "checkout/cart"): _cart,
    ("POST", "checkout/cart/add"): _add_to_cart,
    ("GET", "checkout"): _checkout,
    ("GET", "customer/account/login"): _login_form,
    ("POST", "customer/account/loginPost"): _login,
    ("GET", "customer/account"): _account,
    ("GET", "customer/account/logout"): _logout,
    ("GET", "customer/account/logoutSuccess"): _logout_success,
}


# --- maintenance and dispatch -----------------------------------------------------------------
def _module_closes(call: PageCall, path: str) -> bool:
    """Whether the module's front-controller plugin answers this storefront request with 503."""
    if not call.sandbox.options.with_module:
        return False
    mode = call.state.incident_response.maintenance_mode
    front_name = path.strip("/").split("/", 1)[0].lower()
    if front_name == "admin":  # the adminhtml area has no such plugin
        return False
    if mode == "storefront":
        return True
    return mode == "checkout" and front_name in CHECKOUT_FRONT_NAMES


def module_maintenance_response(state: StoreState, store: StoreView) -> SandboxResponse:
    """The module's accessible 503 page with its Retry-After, for this store view's config."""
    module = state.incident_response
    page = render_maintenance_page(
        message=module.maintenance_message,
        retry_after=module.maintenance_retry_after,
        locale=state.config_value("general/locale/code", store.id),
        store_name=state.config_value("general/store_information/name", store.id),
        support_email=state.config_value("trans_email/ident_support/email", store.id),
        general_email=state.config_value("trans_email/ident_general/email", store.id),
    )
    headers = [
        ("Content-Type", HTML_CONTENT_TYPE),
        ("Retry-After", str(module.maintenance_retry_after)),
        ("Cache-Control", "no-store, no-cache, must-revalidate, max-age=0"),
    ]
    return SandboxResponse(503, headers, page.encode())


def _form(call: PageCall) -> dict[str, str]:
    if call.request.method != "POST":
        return {}
    content_type = call.request.header("content-type") or ""
    if not content_type.startswith("application/x-www-form-urlencoded"):
        return {}
    return dict(parse_qsl(call.request.body.decode("utf-8", "replace"), keep_blank_values=True))


def _storefront(call: PageCall) -> SandboxResponse:
    path = call.request.path
    cookies = _parse_cookies(call.request.header("cookie"))
    store = _store_for(call, cookies)
    if _module_closes(call, path):
        return module_maintenance_response(call.state, store)
    visit = _Visit(call, store, cookies, _form(call))
    _resume_session(visit)
    normalised = path.strip("/")
    for suffix in ("/index/index", "/index"):
        normalised = normalised.removesuffix(suffix)
    if normalised in ("cms/index", "cms"):
        normalised = ""
    handler = _PAGES.get((call.request.method, normalised))
    # Magento's CsrfValidator: a POST without the session's form key goes nowhere.
    forged = call.request.method == "POST" and not hmac.compare_digest(
        visit.form.get("form_key", ""), form_key(visit)
    )
    if handler is not None and forged:
        back = (
            "/customer/account/login/" if normalised.startswith("customer") else "/checkout/cart/"
        )
        return _redirect(visit, back, [{"type": "error", "text": INVALID_FORM_KEY}])
    if handler is not None:
        return handler(visit)
    if call.request.method == "GET" and normalised.endswith(".html") and "/" not in normalised:
        return _product(visit, normalised.removesuffix(".html"))
    return _not_found(visit)


routes.page("GET", "/", prefix=True)(_storefront)
routes.page("POST", "/", prefix=True)(_storefront)
