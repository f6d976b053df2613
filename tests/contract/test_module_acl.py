"""Every module route refuses callers without its ACL resource, on the sandbox and a real store."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.contract._module import (
    NOT_AUTHORIZED,
    ModuleStore,
    Principals,
    error_of,
    module_store,
    principals,
)
from tests.php.test_contract import load_contract

if TYPE_CHECKING:
    import httpx

__all__ = ["module_store", "principals"]  # the fixtures this module uses

pytestmark = pytest.mark.magento_sandbox(with_module=True)
ROUTES = load_contract()


def _url(http: httpx.Client, path: str) -> str:
    return f"{str(http.base_url).rstrip('/')}/rest{path}"


def test_every_route_refuses_callers_without_its_resource(
    module_store: ModuleStore, principals: Principals
) -> None:
    """Anonymous, an admin role, an integration lacking the module's resources: 401 everywhere."""
    http = module_store.http
    admin_token = module_store.admin_token(principals.admin_user, principals.admin_password)
    # The callers themselves work: core routes of their own resources answer them.
    control = module_store.core("GET", principals.admin_control, token=admin_token)
    assert control.status_code == 200, control.text
    url = _url(http, principals.integration_control)
    assert http.get(url, headers=principals.signed("GET", url)).status_code == 200

    answers: dict[tuple[str, str, str], tuple[int, dict[str, object]]] = {}
    for route in ROUTES:
        url = _url(http, route.path)
        body = {} if route.method != "GET" else None
        callers = {
            "anonymous": {},
            "admin role": {"Authorization": f"Bearer {admin_token}"},
            "integration": principals.signed(route.method, url),
        }
        for caller, headers in callers.items():
            response = http.request(route.method, url, json=body, headers=headers)
            answers[(route.method, route.path, caller)] = (response.status_code, error_of(response))
    expected = {
        key: (401, {"message": NOT_AUTHORIZED, "parameters": {"resources": route.acl}})
        for route in ROUTES
        for key in answers
        if key[:2] == (route.method, route.path)
    }
    assert answers == expected
    assert len(answers) == 3 * len(ROUTES) == 78
