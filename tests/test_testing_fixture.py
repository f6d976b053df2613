"""The public `magento_sandbox` pytest fixture, as a user's test suite sees it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest

from magento_ir import AuthenticationError, BearerToken, MagentoClient, SearchCriteria

if TYPE_CHECKING:
    from magento_ir.testing import SandboxStore


def test_fixture_gives_an_in_process_store_with_a_logged_in_client(
    magento_sandbox: SandboxStore,
) -> None:
    """client() talks to the reference store in-process, and inspect sees what it changed."""
    client = magento_sandbox.client()
    assert client.products.retrieve("IR-SKU-001").sku == "IR-SKU-001"
    client.with_store("all").products.update("IR-SKU-002", {"status": 2})
    assert set(magento_sandbox.inspect.product_status("IR-SKU-002").values()) == {2}


@pytest.mark.magento_sandbox(products=50, customers=20, with_module=True, seed=3)
def test_marker_sizes_the_store_and_base_url_serves_it(magento_sandbox: SandboxStore) -> None:
    """The marker's options reach the store; base_url serves it over real HTTP on loopback."""
    assert magento_sandbox.sandbox.options.with_module is True
    assert magento_sandbox.base_url.startswith("http://127.0.0.1:")
    served = magento_sandbox.client(served=True)
    total = served.products.list(SearchCriteria().page(size=1)).total_count
    assert total == 33 + 50


def test_raw_httpx_users_get_an_in_process_transport(magento_sandbox: SandboxStore) -> None:
    """transport() serves plain httpx clients, answering like Magento (401 without a token)."""
    with httpx.Client(transport=magento_sandbox.transport(), base_url="http://shop.test") as http:
        response = http.get("/rest/V1/products/IR-SKU-001")
    assert response.status_code == 401
    assert response.json()["parameters"] == {"resources": "Magento_Catalog::products"}


def test_a_bad_token_is_refused_through_the_fixture_store(magento_sandbox: SandboxStore) -> None:
    """A client with a garbage bearer token gets AuthenticationError from the sandbox."""
    with (
        MagentoClient(
            "http://shop.test", auth=BearerToken("garbage"), transport=magento_sandbox.transport()
        ) as client,
        pytest.raises(AuthenticationError),
    ):
        client.products.retrieve("IR-SKU-001")


def test_one_conftest_line_enables_the_fixture(pytester: pytest.Pytester) -> None:
    """A user's suite gets `magento_sandbox` from `pytest_plugins = ["magento_ir.testing"]`."""
    pytester.makeconftest('pytest_plugins = ["magento_ir.testing"]\n')
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.magento_sandbox(customers=5)
        def test_store(magento_sandbox):
            from magento_ir import SearchCriteria

            client = magento_sandbox.client()
            customers = client.customers.list(SearchCriteria().page(size=100)).items
            assert len(customers) == 12 + 5
            assert all(c.email.endswith("@example.com") for c in customers)
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-o", "addopts=")
    result.assert_outcomes(passed=1)
