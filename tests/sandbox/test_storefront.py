"""The storefront as a shopper sees it, and the module's maintenance page (same as the PHP one)."""

from __future__ import annotations

import json
import re
import subprocess
from typing import TYPE_CHECKING

import httpx
import pytest

from magento_ir.sandbox import Sandbox
from magento_ir.sandbox.module_maintenance import TEMPLATE, render_maintenance_page
from magento_ir.sandbox.server import SandboxServer
from tests.conftest import REPO_ROOT, require_tool
from tests.sandbox.conftest import client_for

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.sandbox.conftest import Clock

CUSTOMER = "ir.customer01@example.com"
PASSWORD = "Customer123!"
PRODUCT_PAGE = "/incident-test-product-1.html"
MODULE_DIR = REPO_ROOT / "php-module"
XSS = "<script>alert(\"x\")</script> & 'quotes'"


@pytest.fixture
def store(clock: Clock) -> Sandbox:
    return Sandbox(clock=clock, with_module=True)


@pytest.fixture
def shopper(store: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(transport=store.transport(), base_url="http://magento.test") as client:
        yield client


def form_key_on(client: httpx.Client, page: str) -> str:
    """The form key a page's form carries (the session's CSRF token)."""
    found = re.search(r'name="form_key" value="([A-Za-z0-9]{16})"', client.get(page).text)
    assert found is not None
    return found.group(1)


def log_in(client: httpx.Client, *, remember: bool = False) -> httpx.Response:
    form = {
        "login[username]": CUSTOMER,
        "login[password]": PASSWORD,
        "form_key": form_key_on(client, "/customer/account/login/"),
    }
    if remember:
        form["persistent_remember_me"] = "on"
    return client.post("/customer/account/loginPost/", data=form, follow_redirects=True)


def set_maintenance(store: Sandbox, mode: str, message: str | None = None) -> None:
    with client_for(store, store.admin_token()) as admin:
        response = admin.put(
            "/rest/V1/incident-response/maintenance",
            json={"mode": mode, "reason": "drill", "message": message, "retryAfter": 600},
        )
    assert response.status_code == 200, response.text


def test_home_renders_head_includes_and_blocks(store: Sandbox, shopper: httpx.Client) -> None:
    """The home page carries design/head/includes and enabled CMS blocks, unescaped."""
    store.state.set_config(
        "design/head/includes", '<script src="https://evil.example/s.js"></script>'
    )
    response = shopper.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=UTF-8"
    assert '<script src="https://evil.example/s.js"></script>' in response.text
    assert (
        '<script src="https://cdn-analytics.example.net/jquery.min.js"></script>' in response.text
    )
    assert "PHPSESSID" in response.cookies


def test_disabled_block_disappears(store: Sandbox, shopper: httpx.Client) -> None:
    """A CMS block switched off is no longer in the page."""
    row = dict(store.state.cms_blocks.get(1) or {})
    store.state.cms_blocks.put(1, {**row, "active": False})
    assert "cdn-analytics" not in shopper.get("/").text


def test_product_page_and_disabled_product(store: Sandbox, shopper: httpx.Client) -> None:
    """A product page is served by url_key; once disabled on the store view it 404s."""
    page = shopper.get(PRODUCT_PAGE)
    assert page.status_code == 200
    assert "<h1>Incident Test Product 1</h1>" in page.text
    product_id = store.state.product_id_for_sku("IR-SKU-001") or 0
    store.state.product_store_values[(product_id, 1)] = {"status": 2}
    gone = shopper.get(PRODUCT_PAGE)
    assert gone.status_code == 404
    assert "Whoops, our bad..." in gone.text


def test_unknown_page_is_cms_no_route(shopper: httpx.Client) -> None:
    """An unknown URL is the CMS no-route page with status 404."""
    response = shopper.get("/no/such/page")
    assert response.status_code == 404
    assert "<title>404 Not Found</title>" in response.text


def test_checkout_lists_only_active_payment_methods(store: Sandbox, shopper: httpx.Client) -> None:
    """Checkout shows methods active at the store view; a suspended one disappears."""
    assert shopper.get("/checkout/").headers["location"] == "/checkout/cart/"
    key = form_key_on(shopper, PRODUCT_PAGE)
    shopper.post("/checkout/cart/add/", data={"product": "4", "qty": "2", "form_key": key})
    assert "&#215; 2" in shopper.get("/checkout/cart/").text
    checkout = shopper.get("/checkout/").text
    assert "Check / Money order" in checkout
    assert "Bank Transfer Payment" not in checkout
    store.state.set_config("payment/checkmo/active", "0", "websites", 1)
    assert "Check / Money order" not in shopper.get("/checkout/").text


def test_add_disabled_product_is_refused(store: Sandbox, shopper: httpx.Client) -> None:
    """A disabled product cannot be added to the cart; the error shows on the cart page."""
    product_id = store.state.product_id_for_sku("IR-SKU-001") or 0
    store.state.product_store_values[(product_id, 1)] = {"status": 2}
    key = form_key_on(shopper, "/customer/account/login/")
    page = shopper.post(
        "/checkout/cart/add/",
        data={"product": str(product_id), "form_key": key},
        follow_redirects=True,
    )
    assert "requested doesn&#x27;t exist" in page.text
    assert "You have no items" in page.text


def test_login_logout_and_account(store: Sandbox, shopper: httpx.Client) -> None:
    """Signing in opens My Account under a new session id; signing out closes it."""
    assert shopper.get("/customer/account/").headers["location"] == "/customer/account/login/"
    account = log_in(shopper)
    assert "<h1>My Account</h1>" in account.text
    assert len(store.inspect.customer_sessions(customer_id=3)) == 1
    shopper.get("/customer/account/logout/", follow_redirects=True)
    assert shopper.get("/customer/account/").status_code == 302
    assert store.inspect.customer_sessions(customer_id=3) == []


def test_wrong_password_shows_message(shopper: httpx.Client) -> None:
    """A wrong password redirects back to the login form with Magento's message."""
    page = shopper.post(
        "/customer/account/loginPost/",
        data={
            "login[username]": CUSTOMER,
            "login[password]": "wrong",
            "form_key": form_key_on(shopper, "/customer/account/login/"),
        },
        follow_redirects=True,
    )
    assert "The account sign-in was incorrect" in page.text
    assert "<h1>Customer Login</h1>" in page.text


def test_killed_session_is_logged_out(store: Sandbox, shopper: httpx.Client, clock: Clock) -> None:
    """After sessions/terminate the shopper's next request is logged out with the expiry message."""
    log_in(shopper)
    clock.advance(5)
    with client_for(store, store.admin_token()) as admin:
        admin.post(
            "/rest/V1/incident-response/sessions/terminate",
            json={"scope": "customers", "reason": "leak"},
        )
    page = shopper.get("/customer/account/", follow_redirects=True)
    assert "<h1>Customer Login</h1>" in page.text
    assert "The session has expired, please login again." in page.text


def test_session_expires_after_cookie_lifetime(shopper: httpx.Client, clock: Clock) -> None:
    """An idle session older than web/cookie/cookie_lifetime is dropped."""
    log_in(shopper)
    clock.advance(3601)
    assert shopper.get("/customer/account/").status_code == 302


def test_remember_me_until_password_reset(store: Sandbox, shopper: httpx.Client) -> None:
    """With persistent cart on, "remember me" greets the customer until the reset deletes it."""
    store.state.set_config("persistent/options/enabled", "1")
    log_in(shopper, remember=True)
    assert "persistent_shopping_cart" in shopper.cookies
    shopper.cookies.delete("PHPSESSID")
    assert "Welcome back, Ir1! Not you?" in shopper.get("/").text
    with client_for(store, store.admin_token()) as admin:
        response = admin.post(
            "/rest/V1/incident-response/customers/force-password-reset",
            json={"reason": "dump", "customerIds": [3]},
        )
    assert response.json()["persistent_sessions_deleted"] == 1
    assert "Welcome back" not in shopper.get("/").text


def test_magento_flag_closes_everything_with_its_own_page(
    store: Sandbox, shopper: httpx.Client
) -> None:
    """Magento's maintenance flag answers every endpoint with pub/errors 503 (no Retry-After)."""
    store.state.maintenance = True
    for response in (
        shopper.get("/"),
        shopper.post("/graphql", json={"query": '{ products(search: "a") { total_count } }'}),
        shopper.get("/rest/V1/store/websites"),
    ):
        assert response.status_code == 503
        assert "<title>Error 503: Service Unavailable</title>" in response.text
        assert "Retry-After" not in response.headers
    store.state.maintenance_ips = ("127.0.0.1",)
    assert shopper.get("/").status_code == 200


def test_module_storefront_mode_keeps_api_reachable(store: Sandbox, shopper: httpx.Client) -> None:
    """Storefront mode: the module's 503 page with Retry-After; REST and GraphQL still answer."""
    set_maintenance(store, "storefront", XSS)
    page = shopper.get(PRODUCT_PAGE)
    assert page.status_code == 503
    assert page.headers["retry-after"] == "600"
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;quotes&apos;" in page.text
    assert "<script>alert" not in page.text
    graphql = shopper.post("/graphql", json={"query": '{ products(search: "a") { total_count } }'})
    assert graphql.status_code == 200
    rest = shopper.get("/rest/V1/store/websites")
    assert (rest.status_code, rest.json()["message"]) == (
        401,
        "The consumer isn't authorized to access %resources.",
    )
    assert shopper.get("/admin").status_code == 404


def test_module_checkout_mode_closes_checkout_only(store: Sandbox, shopper: httpx.Client) -> None:
    """Checkout mode closes checkout pages only; the rest of the shop stays open."""
    set_maintenance(store, "checkout")
    assert shopper.get("/checkout/cart/").status_code == 503
    assert shopper.get("/").status_code == 200
    set_maintenance(store, "off")
    assert shopper.get("/checkout/cart/").status_code == 200


def test_template_is_the_php_modules_file() -> None:
    """The sandbox's copy of the 503 template is byte-identical to php-module's."""
    source = MODULE_DIR / "view" / "frontend" / "templates" / "maintenance.html"
    assert source.read_text(encoding="utf-8") == TEMPLATE


PHP_RENDER = r"""
require $argv[1] . '/Test/Unit/bootstrap.php';
$input = json_decode($argv[2], true);
$config = new class($input['config']) implements \Magento\Framework\App\Config\ScopeConfigInterface {
    public function __construct(private array $values) {}
    public function getValue($path, $scopeType = 'default', $scopeCode = null) { return $this->values[$path] ?? null; }
    public function isSetFlag($path, $scopeType = 'default', $scopeCode = null) { return false; }
};
$page = new \MagentoIr\IncidentResponse\Model\Maintenance\MaintenancePage($config, new \Magento\Framework\Module\Dir());
echo $page->render($input['state']);
"""  # noqa: E501


@pytest.mark.tools
@pytest.mark.parametrize(
    ("message", "retry_after", "config"),
    [
        (XSS, 600, {"general/locale/code": "fr_FR", "general/store_information/name": "Shop & Co"}),
        (None, 61, {"trans_email/ident_support/email": "help@example.com"}),
        (
            "Back at 3\nthanks",
            86400,
            {"general/locale/code": "bad locale!", "trans_email/ident_general/email": "nope"},
        ),
    ],
)
def test_sandbox_page_equals_phps_render(
    message: str | None, retry_after: int, config: dict[str, str]
) -> None:
    """PHP's MaintenancePage::render and the sandbox produce the same bytes for the same state."""
    php_binary = require_tool("php")
    payload = json.dumps(
        {"state": {"message": message, "retry_after": retry_after}, "config": config}
    )
    php = subprocess.run(  # noqa: S603 - fixed program, our own script
        [php_binary, "-r", PHP_RENDER, "--", str(MODULE_DIR), payload],
        capture_output=True,
        check=True,
        text=True,
    )
    ours = render_maintenance_page(
        message=message,
        retry_after=retry_after,
        locale=config.get("general/locale/code"),
        store_name=config.get("general/store_information/name"),
        support_email=config.get("trans_email/ident_support/email"),
        general_email=config.get("trans_email/ident_general/email"),
    )
    assert ours == php.stdout
    # Without a valid contact address there is no (empty, nameless) mailto: link.
    assert ("mailto:" in ours) == any("@example.com" in value for value in config.values())


def test_post_without_form_key_is_refused(store: Sandbox, shopper: httpx.Client) -> None:
    """A POST without the session's form key (CSRF) changes nothing and says why."""
    shopper.get("/")
    page = shopper.post(
        "/customer/account/loginPost/",
        data={"login[username]": CUSTOMER, "login[password]": PASSWORD, "form_key": "x" * 16},
        follow_redirects=True,
    )
    assert "Invalid Form Key. Please refresh the page." in page.text
    assert store.inspect.customer_sessions(customer_id=3) == []


def test_shopping_and_signing_in_over_real_http(store: Sandbox) -> None:
    """Served on loopback, cookies, form keys and redirects work as in-process."""
    with SandboxServer(store) as server, httpx.Client(base_url=server.base_url) as client:
        assert "<h1>My Account</h1>" in log_in(client).text
        key = form_key_on(client, PRODUCT_PAGE)
        client.post("/checkout/cart/add/", data={"product": "4", "form_key": key})
        assert "Check / Money order" in client.get("/checkout/").text


def test_session_started_the_same_second_is_cut_off(
    store: Sandbox, shopper: httpx.Client, clock: Clock
) -> None:
    """A session opened a moment before the cut-off, within the same second, is still killed."""
    clock.advance(0.5)
    log_in(shopper)
    clock.advance(0.4)
    with client_for(store, store.admin_token()) as admin:
        admin.post(
            "/rest/V1/incident-response/sessions/terminate",
            json={"scope": "customers", "reason": "leak", "customerIds": [3]},
        )
    assert shopper.get("/customer/account/").status_code == 302
