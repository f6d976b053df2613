"""The companion module's routes over HTTP on either backend, and the callers they must refuse.

Each effect is read from outside the module: storefront pages, GraphQL and core REST. On a real
store the refused callers (an admin role and an integration without the module's resources) are
made with Magento's own models by `principals.php` (core REST has no admin-user, role or
integration routes), which needs MAGENTO_IR_TEST_MAGENTO_ROOT; the sandbox ships such callers
("catalog", "Shipping Sync").
"""

from __future__ import annotations

import json
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from magento_ir.auth import OAuth1Credentials
from magento_ir.testing import MAGENTO_ROOT_ENV

if TYPE_CHECKING:
    from collections.abc import Iterator

    import httpx

    from magento_ir.testing import MagentoStore

PREFIX = "/rest/V1/incident-response"
NOT_AUTHORIZED = "The consumer isn't authorized to access %resources."
PRINCIPALS_SCRIPT = Path(__file__).with_name("principals.php")
# Both backends' refused callers hold this core resource (and nothing of the module's).
CONTROL_RESOURCE = "Magento_Catalog::products"


def error_of(response: httpx.Response) -> dict[str, Any]:
    """Magento's error body without the developer-mode `trace` a real test store adds."""
    body: dict[str, Any] = response.json()
    body.pop("trace", None)
    return body


class ModuleStore:
    """One backend, signed in as its admin, with the outside views the module's effects show in."""

    def __init__(self, store: MagentoStore) -> None:
        self.store = store
        self.http = store.http()
        self.token = self.admin_token(store.admin_user, store.admin_password)
        # A fresh incident id per test: the action log is filtered by it to count what was applied.
        self.incident_id = f"module-test-{secrets.token_hex(6)}"

    def admin_token(self, username: str, password: str) -> str:
        response = self.http.post(
            "/rest/V1/integration/admin/token", json={"username": username, "password": password}
        )
        assert response.status_code == 200, response.text
        token: str = response.json()
        return token

    def call(
        self,
        method: str,
        route: str,
        body: dict[str, Any] | None = None,
        *,
        key: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """A module route (`route` after /V1/incident-response) as the store's admin."""
        headers = {"Authorization": f"Bearer {self.token}"}
        if key is not None:
            headers["X-Idempotency-Key"] = key
        return self.http.request(method, PREFIX + route, json=body, params=params, headers=headers)

    def ok(self, method: str, route: str, body: dict[str, Any] | None = None, **kw: Any) -> Any:
        response = self.call(method, route, body, **kw)
        assert response.status_code == 200, (
            f"{method} {route}: {response.status_code} {response.text}"
        )
        return response.json()

    def core(self, method: str, path: str, token: str | None = None, **kw: Any) -> httpx.Response:
        """A core REST route (`path` after /rest), as the admin unless another token is given."""
        headers = {"Authorization": f"Bearer {token or self.token}"}
        return self.http.request(method, "/rest" + path, headers=headers, **kw)

    def graphql_count(self, sku: str) -> int:
        """How many products the storefront's GraphQL finds for a SKU (anonymous, as a shopper)."""
        query = '{products(filter:{sku:{eq:"SKU"}}){total_count items{sku}}}'.replace("SKU", sku)
        response = self.http.post("/graphql", json={"query": query})
        assert response.status_code == 200, response.text
        count: int = response.json()["data"]["products"]["total_count"]
        return count

    def page_status(self, path: str) -> int:
        return self.http.get(path).status_code

    def url_key(self, sku: str) -> str:
        product = self.core("GET", f"/V1/products/{sku}").json()
        return next(
            str(attribute["value"])
            for attribute in product["custom_attributes"]
            if attribute["attribute_code"] == "url_key"
        )

    def status_of(self, sku: str) -> int:
        status: int = self.core("GET", f"/V1/products/{sku}").json()["status"]
        return status

    def release_leftovers(self, sku: str) -> None:
        """Releases an active quarantine of `sku` a crashed earlier run may have left."""
        listed = self.ok("GET", "/catalog/quarantine")
        for item in listed["items"]:
            if item["sku"].lower() == sku.lower():
                self.ok(
                    "POST",
                    "/catalog/release",
                    {"quarantineId": item["quarantine_id"], "reason": "left over", "skus": [sku]},
                )

    def actions_of_incident(self) -> list[dict[str, Any]]:
        prefix = "searchCriteria[filter_groups][0][filters][0]"
        records = self.ok(
            "GET",
            "/actions",
            params={f"{prefix}[field]": "incident_id", f"{prefix}[value]": self.incident_id},
        )
        items: list[dict[str, Any]] = records["items"]
        return items

    def customer_id(self, email: str) -> int:
        prefix = "searchCriteria[filter_groups][0][filters][0]"
        found = self.core(
            "GET",
            "/V1/customers/search",
            params={f"{prefix}[field]": "email", f"{prefix}[value]": email},
        ).json()
        customer_id: int = found["items"][0]["id"]
        return customer_id

    def customer_token(self, email: str, password: str) -> httpx.Response:
        return self.http.post(
            "/rest/V1/integration/customer/token", json={"username": email, "password": password}
        )


@dataclass(frozen=True)
class Principals:
    """An admin whose role lacks every module resource and an integration likewise."""

    admin_user: str
    admin_password: str
    admin_id: int
    integration_name: str
    oauth: OAuth1Credentials
    # A core route each may call: their credentials work, only the module's ACL refuses them.
    admin_control: str
    integration_control: str

    def signed(self, method: str, url: str) -> dict[str, str]:
        return {"Authorization": self.oauth.authorization(method, url)}


def _run_principals(root: Path, *args: str) -> dict[str, Any]:
    result = subprocess.run(  # noqa: S603 - a fixed script with generated arguments
        ["php", str(PRINCIPALS_SCRIPT), *args],  # noqa: S607 - php from PATH, as up.sh runs it
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, f"principals.php {args[0]} failed: {result.stderr[-2000:]}"
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


def integration_keys_now(store: MagentoStore, integration_name: str) -> OAuth1Credentials:
    """The integration's OAuth keys as the store holds them now (a re-issue replaces the token)."""
    if store.sandbox is not None:
        return OAuth1Credentials(**store.sandbox.inspect.integration_credentials(integration_name))
    assert store.magento_root is not None, f"set {MAGENTO_ROOT_ENV}"
    return OAuth1Credentials(**_run_principals(store.magento_root, "token", integration_name))


@pytest.fixture
def module_store(magento_store: MagentoStore) -> ModuleStore:
    return ModuleStore(magento_store)


@pytest.fixture
def principals(module_store: ModuleStore) -> Iterator[Principals]:
    store = module_store.store
    if store.sandbox is not None:
        credentials = store.sandbox.inspect.integration_credentials("Shipping Sync")
        yield Principals(
            "catalog",
            store.admin_password,
            3,
            "Shipping Sync",
            OAuth1Credentials(**credentials),
            "/V1/products/IR-SKU-001",
            "/V1/orders/1",
        )
        return
    root = store.magento_root
    if root is None:
        pytest.skip(
            f"set {MAGENTO_ROOT_ENV} to the real store's directory to create ACL test callers"
        )
    name = f"ir_acl_{secrets.token_hex(4)}"
    password = f"Acl-{secrets.token_urlsafe(12)}1a"
    made = _run_principals(
        root, "create", name, password, "Magento_Backend::admin", CONTROL_RESOURCE
    )
    try:
        yield Principals(
            name,
            password,
            int(made["admin_id"]),
            name,
            OAuth1Credentials(
                made["consumer_key"],
                made["consumer_secret"],
                made["access_token"],
                made["access_token_secret"],
            ),
            "/V1/products/IR-SKU-001",
            "/V1/products/IR-SKU-001",
        )
    finally:
        _run_principals(root, "delete", name)
