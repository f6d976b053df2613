"""The contract suite: the same requests against the sandbox and a real Magento 2.4.7-p3.

Every test takes `api` (a `magento_store`, so it runs on both backends; see docs/testing.md) and
asserts what Magento answers: status, `message` and `parameters` exactly, shapes, searchCriteria
semantics. A test green on one backend and red on the other is a sandbox bug (real Magento is
right) or, for accepted differences, listed in docs/sandbox.md.

Tests rely only on what `seed.py` puts into a fresh store (IR-SKU-001..030, ir.customer01..10,
footer-promo, one guest order) and scope their queries to it, because other tests share the real
store; what they change they put back.

With MAGENTO_IR_RECORD_CONTRACT=1 (scripts/record_contract_cassettes.py) every real-store test
records its exchanges into cassettes/contract/ through the project's scrubbing vcrpy
configuration; tests/contract/test_cassette_replay.py replays them through both clients.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from magento_ir.testing import magento_vcr
from tests.conftest import REPO_ROOT

if TYPE_CHECKING:
    from collections.abc import Iterator

    import httpx

    from magento_ir.testing import MagentoStore

CASSETTES = REPO_ROOT / "cassettes" / "contract"
RECORD_ENV = "MAGENTO_IR_RECORD_CONTRACT"

# What seed.py makes (and the sandbox's reference store also has).
SKUS = [f"IR-SKU-{number:03d}" for number in range(1, 31)]
EMAILS = [f"ir.customer{number:02d}@example.com" for number in range(1, 11)]
CUSTOMER_PASSWORD = "Customer123!"
# Users that exist on no store: failed logins for them lock nobody out.
NOBODY_ADMIN = "contract-nobody"
NOBODY_EMAIL = "nobody.contract@example.com"

ROUTE_NOT_FOUND = {"message": "Request does not match any route."}
NOT_PROCESSED = {"message": "Specified request cannot be processed."}
SIGN_IN_INCORRECT = {
    "message": "The account sign-in was incorrect or your account is disabled temporarily. "
    "Please wait and try again later."
}


def recorded_modules() -> list[str]:
    """The core REST and GraphQL contract modules whose real exchanges are kept as cassettes
    (the companion module's tests have their own tier), relative to the repository."""
    here = Path(__file__).parent
    return [
        str(path.relative_to(REPO_ROOT))
        for path in sorted(here.glob("test_*.py"))
        if not path.name.startswith("test_module") and path.name != "test_cassette_replay.py"
    ]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The contract sandbox is set up like the real test store: developer mode, the companion
    # module installed (its customer password is already seed.py's).
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.magento_sandbox(developer_mode=True, with_module=True))


@dataclass
class Api:
    """Raw HTTP to the store under test, as an admin unless told otherwise."""

    store: MagentoStore
    http: httpx.Client
    token: str

    @property
    def is_real(self) -> bool:
        return self.store.is_real

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        auth: str | None = "admin",
        store: str | None = None,
    ) -> httpx.Response:
        """`path` is a REST route (`/V1/...`, prefixed by `/rest[/store]`) or `/graphql`."""
        sent = dict(headers or {})
        if auth == "admin":
            sent["Authorization"] = f"Bearer {self.token}"
        elif auth is not None:
            sent["Authorization"] = f"Bearer {auth}"
        url = path if path.startswith("/graphql") else f"/rest{'/' + store if store else ''}{path}"
        return self.http.request(
            method, url, params=params, json=json, content=content, headers=sent
        )

    def get(self, path: str, **options: Any) -> httpx.Response:
        return self.request("GET", path, **options)

    def search(self, path: str, *filters: Any, **criteria: Any) -> dict[str, Any]:
        """A getList page (asserting 200): `filters` are groups of (field, value, condition)."""
        response = self.get(path, params=criteria_params(*filters, **criteria))
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def graphql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        auth: str | None = None,
        store: str | None = None,
    ) -> httpx.Response:
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        headers = {"Store": store} if store is not None else None
        return self.request("POST", "/graphql", json=body, auth=auth, headers=headers)

    def customer_token(self, email: str) -> str:
        response = self.request(
            "POST",
            "/V1/integration/customer/token",
            json={"username": email, "password": CUSTOMER_PASSWORD},
            auth=None,
        )
        assert response.status_code == 200, response.text
        token: str = response.json()
        return token

    def product_id(self, sku: str) -> int:
        body = self.search("/V1/products", [("sku", sku, "eq")])
        return int(body["items"][0]["id"])

    def customer_id(self, email: str) -> int:
        body = self.search("/V1/customers/search", [("email", email, "eq")])
        return int(body["items"][0]["id"])


Filter = tuple[str, Any, str | None]


def criteria_params(
    *groups: list[Filter],
    page_size: int | None = None,
    current_page: int | None = None,
    sort: list[tuple[str, str]] | None = None,
) -> dict[str, str]:
    """searchCriteria in Magento's bracket form; a filter's value or condition may be None (left
    out). With nothing at all, `searchCriteria=` (an empty criteria, which Magento accepts)."""
    params: dict[str, str] = {}
    for g, group in enumerate(groups):
        for f, (field, value, condition) in enumerate(group):
            prefix = f"searchCriteria[filter_groups][{g}][filters][{f}]"
            if field is not None:
                params[f"{prefix}[field]"] = field
            if value is not None:
                params[f"{prefix}[value]"] = str(value)
            if condition is not None:
                params[f"{prefix}[condition_type]"] = condition
    for index, (field, direction) in enumerate(sort or ()):
        params[f"searchCriteria[sortOrders][{index}][field]"] = field
        params[f"searchCriteria[sortOrders][{index}][direction]"] = direction
    if page_size is not None:
        params["searchCriteria[pageSize]"] = str(page_size)
    if current_page is not None:
        params["searchCriteria[currentPage]"] = str(current_page)
    return params or {"searchCriteria": ""}


def error_of(response: httpx.Response) -> tuple[int, dict[str, Any]]:
    """Status and error body without `trace` (developer mode's stack, different on every host)."""
    body = response.json()
    assert isinstance(body, dict), response.text
    body.pop("trace", None)
    return response.status_code, body


def sql_error_prefix(field: str, clause: str, select: str) -> str:
    """The start of MySQL's refusal as developer mode shows it; the rest is the whole query."""
    return (
        f"SQLSTATE[42S22]: Column not found: 1054 Unknown column '{field}' in '{clause}', "
        f"query was: {select}"
    )


def _cassette_name(item: pytest.Item) -> str:
    module = item.path.stem.removeprefix("test_")
    name = re.sub(r"\[(.*)\]$", lambda match: "-" + match.group(1), item.name)
    name = re.sub(r"-?real-?", "-", name).strip("-")
    return f"{module}/{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}"


@pytest.fixture(autouse=True)
def _record_real_exchanges(request: pytest.FixtureRequest) -> Iterator[None]:
    """With MAGENTO_IR_RECORD_CONTRACT=1, a real-store test's exchanges go to its cassette."""
    callspec = getattr(request.node, "callspec", None)
    backend = callspec.params.get("magento_store") if callspec is not None else None
    if os.environ.get(RECORD_ENV) != "1" or backend != "real":
        yield
        return
    recorder = magento_vcr(str(CASSETTES), record_mode="all")
    with recorder.use_cassette(_cassette_name(request.node)):
        yield


# One admin login per real store per run: a login costs the real store a password hash.
_REAL_TOKENS: dict[str, str] = {}


@pytest.fixture
def api(magento_store: MagentoStore) -> Api:
    """The store under test with an admin token (each fresh sandbox logs in itself)."""
    http = magento_store.http()
    token = _REAL_TOKENS.get(magento_store.base_url) if magento_store.is_real else None
    if token is None:
        response = http.post(
            "/rest/V1/integration/admin/token",
            json={"username": magento_store.admin_user, "password": magento_store.admin_password},
        )
        assert response.status_code == 200, response.text
        token = response.json()
        if magento_store.is_real:
            _REAL_TOKENS[magento_store.base_url] = token
    return Api(magento_store, http, token)
