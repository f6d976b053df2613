"""The public `magento_sandbox` pytest fixture, as a user's test suite sees it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest

from magento_ir import AuthenticationError, BearerToken, MagentoClient, SearchCriteria
from magento_ir.testing import NO_REAL_STORE_REASON, MagentoStore, RealStoreConfig
from tests.conftest import REPO_ROOT

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


# The real-store tier: `magento_store` over both backends, the `real_store` marker, --magento-url.
REAL_STORE_ENV = (
    "MAGENTO_IR_TEST_STORE_URL",
    "MAGENTO_IR_TEST_ADMIN_USER",
    "MAGENTO_IR_TEST_ADMIN_PASSWORD",
    "MAGENTO_IR_TEST_MAGENTO_ROOT",
    "MAGENTO_IR_REQUIRE_REAL_STORE",
)

BOTH_BACKENDS_SUITE = """
    import pytest
    from magento_ir.testing import MagentoStore

    def test_both(magento_store: MagentoStore):
        client = magento_store.client()
        assert client.products.retrieve("IR-SKU-001").sku == "IR-SKU-001"
        assert magento_store.http().get("/rest/V1/products/IR-SKU-001").status_code == 401
        print("BACKEND", magento_store.backend, magento_store.is_real,
              magento_store.sandbox is None, magento_store.admin_user)

    @pytest.mark.real_store
    def test_real_only(magento_store: MagentoStore):
        assert magento_store.is_real

    @pytest.mark.real_store
    def test_marker_without_the_fixture():
        pass
"""


@pytest.fixture
def user_suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A user's suite with the plugin enabled and no real store in its environment."""
    for name in REAL_STORE_ENV:
        monkeypatch.delenv(name, raising=False)
    # The subprocess imports this checkout's magento_ir, not whichever one is installed.
    monkeypatch.setenv("PYTHONPATH", str(REPO_ROOT))
    pytester.makeconftest('pytest_plugins = ["magento_ir.testing"]\n')
    pytester.makepyfile(BOTH_BACKENDS_SUITE)
    return pytester


def run_user_suite(suite: pytest.Pytester, *args: str) -> pytest.RunResult:
    options = ("-p", "no:cacheprovider", "-o", "addopts=", "-rs", "-s")
    return suite.runpytest_subprocess(*options, *args)


def test_without_a_store_the_real_backend_is_skipped_with_its_reason(
    user_suite: pytest.Pytester,
) -> None:
    """No store configured: the sandbox half runs, each real-store test is skipped with why."""
    result = run_user_suite(user_suite, "-v")
    result.assert_outcomes(passed=1, skipped=3)
    result.stdout.fnmatch_lines(
        [
            "*test_both?sandbox? BACKEND sandbox False False admin",
            "PASSED",
            "*test_both?real? SKIPPED*",
            "*test_real_only?real? SKIPPED*",
            f"*{NO_REAL_STORE_REASON}*",
        ]
    )
    # A real_store test is never run on the sandbox.
    assert "test_real_only[sandbox]" not in result.stdout.str()


def test_require_real_store_turns_the_skip_into_a_failure(
    user_suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MAGENTO_IR_REQUIRE_REAL_STORE=1 (CI) fails each real-store test that has no store."""
    monkeypatch.setenv("MAGENTO_IR_REQUIRE_REAL_STORE", "1")
    result = run_user_suite(user_suite)
    result.assert_outcomes(passed=1, errors=3)
    result.stdout.fnmatch_lines(["*MAGENTO_IR_REQUIRE_REAL_STORE=1 requires one*"])


def test_a_configured_store_runs_the_real_backend(
    user_suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, magento_sandbox: SandboxStore
) -> None:
    """With a URL and credentials in the environment, the real half talks to that store."""
    monkeypatch.setenv("MAGENTO_IR_TEST_STORE_URL", magento_sandbox.base_url + "/")
    monkeypatch.setenv("MAGENTO_IR_TEST_ADMIN_USER", magento_sandbox.admin_user)
    monkeypatch.setenv("MAGENTO_IR_TEST_ADMIN_PASSWORD", magento_sandbox.admin_password)
    result = run_user_suite(user_suite)
    result.assert_outcomes(passed=4)
    assert "BACKEND real True True admin" in result.stdout.str()
    # The real backend's requests reached the served store (the in-process half did not).
    assert magento_sandbox.inspect.request_counts()["GET /V1/products/:sku"] == 2


def test_the_command_line_option_names_the_store(
    user_suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, magento_sandbox: SandboxStore
) -> None:
    """--magento-url works like MAGENTO_IR_TEST_STORE_URL."""
    monkeypatch.setenv("MAGENTO_IR_TEST_ADMIN_USER", magento_sandbox.admin_user)
    monkeypatch.setenv("MAGENTO_IR_TEST_ADMIN_PASSWORD", magento_sandbox.admin_password)
    result = run_user_suite(user_suite, "--magento-url", magento_sandbox.base_url)
    result.assert_outcomes(passed=4)


@pytest.mark.parametrize(
    ("url", "user", "message"),
    [
        (
            "http://127.0.0.1:9",
            None,
            "*MAGENTO_IR_TEST_ADMIN_USER and MAGENTO_IR_TEST_ADMIN_PASSWORD are not set*",
        ),
        ("http://127.0.0.1:9", "admin", "*MAGENTO_IR_TEST_ADMIN_PASSWORD is not set*"),
        ("127.0.0.1:9", "admin", "*must start with http:// or https://*"),
    ],
)
def test_a_store_without_credentials_is_a_usage_error(
    user_suite: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    user: str | None,
    message: str,
) -> None:
    """A URL without credentials (none are assumed) or with no scheme stops the run at once."""
    monkeypatch.setenv("MAGENTO_IR_TEST_STORE_URL", url)
    if user is not None:
        monkeypatch.setenv("MAGENTO_IR_TEST_ADMIN_USER", user)
    result = run_user_suite(user_suite)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_the_store_object_never_shows_the_password() -> None:
    """A real store's repr (and its config's) name the URL and user, never the password."""
    config = RealStoreConfig("http://127.0.0.1:8080", "admin", "Sekret-Passw0rd")
    store = MagentoStore("real", real=config)
    assert "Sekret" not in repr(store)
    assert "Sekret" not in repr(config)
    assert store.is_real
    assert store.sandbox is None
    assert store.base_url == "http://127.0.0.1:8080"
    with pytest.raises(ValueError, match="real="):
        MagentoStore("real")
