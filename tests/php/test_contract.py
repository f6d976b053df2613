"""The REST contract (php-module/contract/openapi.json) and the module agree.

`load_contract()` is the one reader of the contract: the SDK and sandbox checks reuse it.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import REPO_ROOT

if TYPE_CHECKING:
    from pathlib import Path

MODULE_DIR = REPO_ROOT / "php-module"
CONTRACT_PATH = MODULE_DIR / "contract" / "openapi.json"
ROUTE_PREFIX = "/V1/incident-response/"
NAMESPACE = "MagentoIr\\IncidentResponse\\"
IDEMPOTENCY_HEADER = "X-Idempotency-Key"


@dataclass(frozen=True)
class ContractRoute:
    """One operation of the contract, in the terms Magento's REST layer uses."""

    method: str  # GET, POST, PUT
    path: str  # "/V1/incident-response/...", as in webapi.xml (prefix with /rest for a URL)
    operation_id: str
    acl: str
    service_class: str
    action: str | None  # action-log name of a write; None for reads
    body_keys: tuple[str, ...]  # top-level JSON keys = service parameter names
    required_body_keys: tuple[str, ...]
    query_keys: tuple[str, ...]
    response_schema: str  # name under components/schemas
    operation: dict[str, Any]

    @property
    def is_write(self) -> bool:
        return self.method != "GET"


def load_contract_document() -> dict[str, Any]:
    """The OpenAPI document itself."""
    document: dict[str, Any] = json.loads(CONTRACT_PATH.read_text(encoding="utf-8"))
    return document


def load_contract() -> list[ContractRoute]:
    """Every route of the contract, in document order."""
    document = load_contract_document()
    routes = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            body_schema = body.get("schema", {"properties": {}, "required": []})
            response = operation["responses"]["200"]["content"]["application/json"]["schema"]
            routes.append(
                ContractRoute(
                    method=method.upper(),
                    path=path,
                    operation_id=operation["operationId"],
                    acl=operation["x-magento-acl"],
                    service_class=operation["x-magento-service"]["class"],
                    action=operation.get("x-magento-ir-action"),
                    body_keys=tuple(body_schema["properties"]),
                    required_body_keys=tuple(body_schema["required"]),
                    query_keys=tuple(
                        p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"
                    ),
                    response_schema=response["$ref"].rsplit("/", 1)[-1],
                    operation=operation,
                )
            )
    return routes


def contract_schema(name: str) -> dict[str, Any]:
    """A response schema by name (components/schemas)."""
    schema: dict[str, Any] = load_contract_document()["components"]["schemas"][name]
    return schema


# --- reading the module ---


def _webapi_routes() -> dict[tuple[str, str], dict[str, Any]]:
    root = ET.parse(MODULE_DIR / "etc" / "webapi.xml").getroot()  # noqa: S314 - our own file
    routes: dict[tuple[str, str], dict[str, Any]] = {}
    for route in root.findall("route"):
        service = route.find("service")
        assert service is not None
        key = (route.attrib["method"], route.attrib["url"])
        assert key not in routes, f"webapi.xml declares {key} twice"
        routes[key] = {
            "class": service.attrib["class"],
            "method": service.attrib["method"],
            "resources": [r.attrib["ref"] for r in route.iter("resource")],
        }
    return routes


def _acl_tree() -> dict[str, str | None]:
    """ACL id -> parent id, for every resource of acl.xml."""
    root = ET.parse(MODULE_DIR / "etc" / "acl.xml").getroot()  # noqa: S314 - our own file
    parents: dict[str, str | None] = {}

    def walk(element: ET.Element, parent: str | None) -> None:
        for child in element.findall("resource"):
            parents[child.attrib["id"]] = parent
            walk(child, child.attrib["id"])

    resources = root.find("acl/resources")
    assert resources is not None
    walk(resources, None)
    return parents


def _php_file(fqcn: str) -> Path:
    assert fqcn.startswith(NAMESPACE), fqcn
    return MODULE_DIR / (fqcn.removeprefix(NAMESPACE).replace("\\", "/") + ".php")


@dataclass(frozen=True)
class PhpParameter:
    name: str
    has_default: bool
    doc_type: str | None


def _execute_signature(fqcn: str) -> tuple[list[PhpParameter], str | None]:
    """Parameters of execute() (with their @param types) and its @return type."""
    source = _php_file(fqcn).read_text(encoding="utf-8")
    match = re.search(
        r"/\*\*(?P<doc>(?:(?!\*/).)*)\*/\s*public function execute\((?P<args>[^)]*)\)",
        source,
        re.DOTALL,
    )
    assert match is not None, f"{fqcn} has no documented execute()"
    doc = match.group("doc")
    doc_types = {name: doc_type for doc_type, name in re.findall(r"@param\s+(\S+)\s+\$(\w+)", doc)}
    returns = re.search(r"@return\s+(\S+)", doc)
    parameters = [
        PhpParameter(
            name=m.group(1), has_default="=" in m.group(0), doc_type=doc_types.get(m.group(1))
        )
        for m in re.finditer(r"\$(\w+)(\s*=\s*[^,]+)?", match.group("args"))
    ]
    return parameters, returns.group(1) if returns else None


def _getters(interface_file: Path) -> dict[str, bool]:
    """snake_case key -> nullable, as Magento's REST serialiser derives it from the getters."""
    source = interface_file.read_text(encoding="utf-8")
    keys = {}
    for prefix, name, nullable in re.findall(
        r"public function (get|is)(\w+)\(\)(?:: (\?)?[\w\\]+)?;", source
    ):
        del prefix
        keys[re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()] = nullable == "?"
    return keys


ROUTES = load_contract()
ROUTE_IDS = [f"{r.method} {r.path}" for r in ROUTES]


# --- the contract itself ---


def test_contract_covers_every_route_of_the_issue() -> None:
    """The contract has exactly the routes of issues 4, 6 and 14, under /V1/incident-response/."""
    expected = {
        ("GET", "capabilities"),
        ("POST", "sessions/terminate"),
        ("POST", "catalog/quarantine"),
        ("GET", "catalog/quarantine"),
        ("POST", "catalog/release"),
        ("POST", "orders/hold"),
        ("POST", "orders/unhold"),
        ("PUT", "maintenance"),
        ("GET", "maintenance"),
        ("POST", "payments/suspend"),
        ("POST", "payments/resume"),
        ("POST", "admins/lockdown"),
        ("POST", "admins/restore"),
        ("POST", "customers/force-password-reset"),
        ("GET", "actions"),
        ("GET", "admins"),
        ("GET", "admin-sessions"),
        ("GET", "integrations"),
        ("GET", "config"),
        ("POST", "guard/rules"),
        ("GET", "guard/rules"),
        ("POST", "guard/rules/remove"),
        ("GET", "guard/blocks"),
        ("GET", "guard/counters"),
        ("GET", "code/manifest"),
        ("GET", "content"),
    }
    assert {(r.method, r.path.removeprefix(ROUTE_PREFIX)) for r in ROUTES} == expected


@pytest.mark.parametrize("route", [r for r in ROUTES if r.is_write], ids=lambda r: r.operation_id)
def test_every_write_takes_an_idempotency_key_and_names_its_action(route: ContractRoute) -> None:
    """Writes accept X-Idempotency-Key and name the action-log action they record."""
    headers = [
        p
        for p in route.operation["parameters"]
        if p.get("$ref") == "#/components/parameters/IdempotencyKey"
    ]
    assert headers, route.operation_id
    document = load_contract_document()
    assert document["components"]["parameters"]["IdempotencyKey"]["name"] == IDEMPOTENCY_HEADER
    assert route.action in document["x-magento-ir-actions"]
    assert "reason" in route.required_body_keys


def test_body_limit_is_the_same_in_contract_and_module() -> None:
    """x-magento-ir-body-limit is RequestPlugin's limits, and every write documents the 413."""
    limit = load_contract_document()["x-magento-ir-body-limit"]
    source = (
        MODULE_DIR / "Plugin" / "Framework" / "Webapi" / "Rest" / "RequestPlugin.php"
    ).read_text("utf-8")
    constants = dict(re.findall(r"const (MAX_BODY_\w+) = (\d+);", source))
    assert constants == {
        "MAX_BODY_BYTES": str(limit["max_bytes"]),
        "MAX_BODY_VALUES": str(limit["max_values"]),
    }
    assert "MagentoIr\\IncidentResponse\\Plugin\\Framework\\Webapi\\Rest\\RequestPlugin" in (
        MODULE_DIR / "etc" / "webapi_rest" / "di.xml"
    ).read_text("utf-8")
    for route in ROUTES:
        assert (str(limit["status"]) in route.operation["responses"]) == route.is_write


def test_config_allow_list_is_the_same_in_contract_and_module() -> None:
    """GET config's evidence allow-list is the PHP ConfigPathPatterns::ALLOW_LIST, in order."""
    operation = load_contract_document()["paths"][f"{ROUTE_PREFIX}config"]["get"]
    source = (MODULE_DIR / "Model" / "Evidence" / "ConfigPathPatterns.php").read_text("utf-8")
    block = re.search(r"ALLOW_LIST = \[(.*?)\];", source, re.DOTALL)
    assert block is not None
    assert re.findall(r"'([^']+)'", block.group(1)) == operation["x-magento-ir-config-allow-list"]


def test_write_actions_are_exactly_the_advertised_actions() -> None:
    """x-magento-ir-actions (what capabilities returns) lists each write's action once."""
    actions = [r.action for r in ROUTES if r.is_write]
    assert sorted(actions) == sorted(load_contract_document()["x-magento-ir-actions"])


def test_errors_use_magentos_message_and_parameters_shape() -> None:
    """Every documented error response is Magento's {message, parameters} body."""
    for route in ROUTES:
        for status, response in route.operation["responses"].items():
            if status == "200":
                continue
            content = response["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/Error"}
            assert set(content["example"]) <= {"message", "parameters"}


def test_examples_fit_their_schemas() -> None:
    """Each response example has the required keys and no key outside its schema."""
    schemas = load_contract_document()["components"]["schemas"]

    def check(value: Any, schema: dict[str, Any], where: str) -> None:
        if "$ref" in schema:
            check(value, schemas[schema["$ref"].rsplit("/", 1)[-1]], where)
        elif schema.get("type") == "object" and "properties" in schema:
            assert set(schema.get("required", [])) <= set(value), where
            assert set(value) <= set(schema["properties"]), where
            for key, item in value.items():
                check(item, schema["properties"][key], f"{where}.{key}")
        elif schema.get("type") == "array" and "items" in schema:
            for index, item in enumerate(value):
                check(item, schema["items"], f"{where}[{index}]")

    for route in ROUTES:
        content = route.operation["responses"]["200"]["content"]["application/json"]
        check(content["example"], content["schema"], route.operation_id)
        if route.is_write:
            body = route.operation["requestBody"]["content"]["application/json"]
            check(body["example"], body["schema"], f"{route.operation_id} request")


# --- contract <-> webapi.xml / acl.xml ---


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_webapi_xml_declares_the_route_with_its_service_and_acl(route: ContractRoute) -> None:
    """webapi.xml has the same method, URL, service interface + execute, and ACL resource."""
    declared = _webapi_routes().get((route.method, route.path))
    assert declared is not None, f"webapi.xml lacks {route.method} {route.path}"
    assert declared["class"] == route.service_class
    assert declared["method"] == "execute"
    assert declared["resources"] == [route.acl]


def test_webapi_xml_has_no_route_outside_the_contract() -> None:
    """Nothing is exposed that the SDK and sandbox do not know about."""
    assert set(_webapi_routes()) == {(r.method, r.path) for r in ROUTES}


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_acl_resource_exists_under_the_module_parent(route: ContractRoute) -> None:
    """Each route's ACL id sits in acl.xml under the module parent, under Magento_Backend::admin."""
    tree = _acl_tree()
    parent = load_contract_document()["x-magento-acl-parent"]
    assert route.acl not in {"anonymous", "self"}
    assert tree.get(route.acl) == parent
    assert tree[parent] == "Magento_Backend::admin"


def test_acl_titles_fit_magentos_schema() -> None:
    """Magento's acl.xsd caps a title at 50 characters; a longer one breaks every ACL check."""
    titles = [
        node.attrib["title"]
        for node in ET.parse(MODULE_DIR / "etc" / "acl.xml").iter("resource")  # noqa: S314
        if "title" in node.attrib
    ]
    assert titles
    assert [title for title in titles if len(title) > 50] == []


def test_each_route_has_its_own_acl_resource() -> None:
    """One resource per action: no two routes share an ACL id, so reads and writes are split."""
    acls = [r.acl for r in ROUTES]
    assert len(acls) == len(set(acls))


# --- contract <-> PHP service contracts ---


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_request_keys_are_the_service_parameter_names(route: ContractRoute) -> None:
    """Body (write) or query (read) keys are execute()'s parameters; required = no default."""
    parameters, _ = _execute_signature(route.service_class)
    names = [p.name for p in parameters]
    if route.is_write:
        assert sorted(names) == sorted(route.body_keys)
        assert sorted(p.name for p in parameters if not p.has_default) == sorted(
            route.required_body_keys
        )
    else:
        assert sorted(names) == sorted(route.query_keys)


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_service_docblock_is_complete_for_magentos_reflection(route: ContractRoute) -> None:
    """Each parameter has an @param type; @return is the response data interface (FQCN)."""
    parameters, returns = _execute_signature(route.service_class)
    assert all(p.doc_type for p in parameters), route.service_class
    assert returns == f"\\{NAMESPACE}Api\\Data\\{route.response_schema}Interface"


def _referenced_schemas() -> set[str]:
    schemas = load_contract_document()["components"]["schemas"]
    found: set[str] = set()

    def walk(name: str) -> None:
        if name in found:
            return
        found.add(name)
        for ref in re.findall(r'"#/components/schemas/(\w+)"', json.dumps(schemas[name])):
            walk(ref)

    for route in ROUTES:
        walk(route.response_schema)
    return found - {"Error", "SearchCriteriaEcho"}


@pytest.mark.parametrize("name", sorted(_referenced_schemas()))
def test_response_schema_matches_the_data_interface_getters(name: str) -> None:
    """Schema properties are the interface getters in snake_case; optional ones are nullable."""
    schema = contract_schema(name)
    getters = _getters(MODULE_DIR / "Api" / "Data" / f"{name}Interface.php")
    if name == "ActionLogSearchResults":
        # Magento's SearchResultsInterface supplies search_criteria and total_count.
        getters |= {"search_criteria": False, "total_count": False}
    assert set(getters) == set(schema["properties"])
    assert {key for key, nullable in getters.items() if not nullable} == set(schema["required"])
