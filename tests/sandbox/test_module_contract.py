"""The sandbox's module routes and php-module/contract/openapi.json agree, both ways."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from jsonschema import Draft202012Validator

from magento_ir.sandbox import Sandbox, module_api
from tests.php.test_contract import ContractRoute, load_contract, load_contract_document
from tests.sandbox.conftest import client_for

if TYPE_CHECKING:
    import httpx

    from magento_ir.sandbox.routing import RestRoute

CONTRACT = load_contract()
IDS = [f"{route.method} {route.path}" for route in CONTRACT]


def served_routes() -> dict[tuple[str, str], RestRoute]:
    return {(route.method, route.pattern): route for route in module_api.routes.rest_routes}


def validator(schema_name: str) -> Draft202012Validator:
    document = load_contract_document()
    schema = {"components": document["components"], "$ref": f"#/components/schemas/{schema_name}"}
    return Draft202012Validator(schema)


def assert_valid(schema_name: str, body: Any) -> None:
    errors = sorted(validator(schema_name).iter_errors(body), key=str)
    assert not errors, f"{schema_name}: {[error.message for error in errors]}"


@pytest.mark.parametrize("route", CONTRACT, ids=IDS)
def test_contract_route_is_served_alike(route: ContractRoute) -> None:
    """Each contract route exists with its method, path, ACL, body keys and required keys."""
    served = served_routes().get((route.method, route.path))
    assert served is not None, f"the sandbox lacks {route.method} {route.path}"
    assert served.acl == route.acl
    assert set(served.body) == set(route.body_keys)
    assert served.required == frozenset(route.required_body_keys)
    assert served.search == ("searchCriteria" in route.query_keys)


def test_no_module_route_outside_the_contract() -> None:
    """Every module route the sandbox serves is in the contract, and only with the module."""
    declared = {(route.method, route.path) for route in CONTRACT}
    assert set(served_routes()) == declared
    assert module_api.routes.requires_module


def test_body_limit_is_the_contracts() -> None:
    """Module routes refuse the bodies the contract's x-magento-ir-body-limit refuses."""
    limit = load_contract_document()["x-magento-ir-body-limit"]
    assert (module_api.BODY_LIMIT.max_bytes, module_api.BODY_LIMIT.max_values) == (
        limit["max_bytes"],
        limit["max_values"],
    )
    assert all(route.body_limit == module_api.BODY_LIMIT for route in module_api.routes.rest_routes)


def test_actions_are_the_contracts() -> None:
    """Capabilities advertise exactly the contract's action names, in its order."""
    assert list(module_api.ACTIONS) == load_contract_document()["x-magento-ir-actions"]


def _example(route: ContractRoute) -> dict[str, Any]:
    body: dict[str, Any] = route.operation["requestBody"]["content"]["application/json"]["example"]
    return dict(body)


def _by_id(operation_id: str) -> ContractRoute:
    return next(route for route in CONTRACT if route.operation_id == operation_id)


def _call(
    client: httpx.Client,
    route: ContractRoute,
    body: dict[str, Any] | None = None,
    params: dict[str, Any] | None = None,
    key: str | None = None,
) -> httpx.Response:
    headers = {"X-Idempotency-Key": key} if key else {}
    return client.request(
        route.method, f"/rest{route.path}", json=body, params=params, headers=headers
    )


def test_responses_validate_against_the_contract() -> None:
    """Every route, driven with the contract's own examples, answers what its schema says."""
    sandbox = Sandbox(with_module=True)
    answers: dict[str, Any] = {}
    with client_for(sandbox, sandbox.admin_token()) as admin:

        def run(operation_id: str, body: dict[str, Any] | None = None, **kwargs: Any) -> Any:
            route = _by_id(operation_id)
            if body is None and route.is_write:
                body = _example(route)
            response = _call(admin, route, body, **kwargs)
            assert response.status_code == 200, f"{operation_id}: {response.text}"
            assert_valid(route.response_schema, response.json())
            answers[operation_id] = response.json()
            return response.json()

        run("getCapabilities")
        run("terminateSessions")
        quarantine = run("quarantineProducts", key="contract-1")
        run("listQuarantinedProducts", params={"quarantineId": quarantine["quarantine_id"]})
        run("releaseProducts", {"quarantineId": quarantine["quarantine_id"], "reason": "clean"})
        hold = run("holdOrders")
        run("unholdOrders", {"holdId": hold["hold_id"], "reason": "reviewed"})
        run("setMaintenanceMode")
        run("getMaintenanceMode")
        run("setMaintenanceMode", {"mode": "full", "reason": "r", "allowIps": ["192.0.2.1"]})
        run("suspendPaymentMethods")
        run("resumePaymentMethods")
        lockdown = run("lockdownAdmins")
        run("restoreAdmins", {"lockdownId": lockdown["lockdown_id"], "reason": "ok"})
        run("forceCustomerPasswordReset")
        rule = run("addGuardRule")["rule"]
        run("listGuardRules")
        run("removeGuardRules", {"ruleIds": [rule["rule_id"], 99], "reason": "over"})
        run("listGuardBlocks", params={"afterId": 0})
        run("getCodeManifest", params={"pageSize": 5})
        run("listActions", params={"searchCriteria[pageSize]": 50})
        replay = run("quarantineProducts", key="contract-1")
    assert replay["replayed"] is True
    assert answers["listActions"]["total_count"] == 14
    assert answers["removeGuardRules"]["not_found"] == [99]
    assert answers["getCodeManifest"]["complete"] is False


@pytest.mark.parametrize("route", CONTRACT, ids=IDS)
def test_errors_validate_against_the_contract(route: ContractRoute) -> None:
    """A caller without the route's resource gets the contract's 401 body."""
    sandbox = Sandbox(with_module=True)
    with client_for(sandbox, sandbox.admin_token("support")) as support:
        response = _call(support, route, {} if route.is_write else None)
    assert response.status_code == 401
    assert_valid("Error", response.json())
    assert response.json()["parameters"] == {"resources": route.acl}


@pytest.mark.parametrize(
    "route", [route for route in CONTRACT if route.is_write], ids=lambda route: route.path
)
def test_missing_required_body_key_is_the_contracts_400(route: ContractRoute) -> None:
    """An empty body is Magento's `"%fieldName" is required` 400 for each missing required key:
    one is the top-level error, two or more are aggregated in `errors[]` (ServiceInputProcessor)."""
    sandbox = Sandbox(with_module=True)
    with client_for(sandbox, sandbox.admin_token()) as admin:
        response = _call(admin, route, {})
    assert response.status_code == 400
    body = response.json()
    assert_valid("Error", body)
    if "errors" in body:
        assert body["message"] == "One or more input exceptions have occurred."
        reported = [error["parameters"]["fieldName"] for error in body["errors"]]
        assert len(reported) > 1
    else:
        reported = [body["parameters"]["fieldName"]]
    assert set(reported) <= set(route.required_body_keys)


def test_logged_request_text_is_the_modules() -> None:
    """The action log's `request` JSON text is byte-identical to the contract's example."""
    example = _by_id("listActions").operation["responses"]["200"]["content"]["application/json"]
    record = example["example"]["items"][0]
    sandbox = Sandbox(with_module=True)
    body = json.loads(record["request"])
    with client_for(sandbox, sandbox.admin_token()) as admin:
        response = _call(admin, _by_id("setMaintenanceMode"), body, key=record["idempotency_key"])
    assert response.status_code == 200
    logged = sandbox.inspect.action_log()[0]
    assert logged["request"] == record["request"]
    assert (logged["action"], logged["incident_id"], logged["reason"]) == (
        record["action"],
        record["incident_id"],
        record["reason"],
    )
    assert logged["previous_hash"] == record["previous_hash"]
