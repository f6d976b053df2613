"""docker-compose.yml and the GitHub Actions example in docs/testing.md follow their JSON schemas.

The schemas are the ones check-jsonschema vendors (the Compose Specification's and SchemaStore's
github-workflow), read from the installed package: no network.
"""

from __future__ import annotations

import copy
import importlib.resources
import json
import re
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from tests.conftest import REPO_ROOT

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
TESTING_DOC = REPO_ROOT / "docs" / "testing.md"


def _schema(name: str) -> dict[str, Any]:
    vendored = importlib.resources.files("check_jsonschema.builtin_schemas.vendor")
    schema: dict[str, Any] = json.loads((vendored / f"{name}.json").read_text(encoding="utf-8"))
    return schema


def _errors(document: object, name: str) -> list[str]:
    schema = _schema(name)
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [
        f"{'/'.join(str(part) for part in error.absolute_path) or '<root>'}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def _yaml(text: str) -> Any:
    # YAML 1.2 (ruamel's default), as Compose and GitHub read it: `on:` stays a string key.
    return YAML(typ="safe", pure=True).load(text)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = _yaml(COMPOSE_FILE.read_text(encoding="utf-8"))
    return document


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    text = TESTING_DOC.read_text(encoding="utf-8")
    section = re.search(r"^## GitHub Actions\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert section is not None, "docs/testing.md lost its '## GitHub Actions' section"
    blocks = re.findall(r"^```yaml\n(.*?)^```$", section.group(1), re.MULTILINE | re.DOTALL)
    assert len(blocks) == 1, f"one yaml block expected under GitHub Actions, found {blocks}"
    document: dict[str, Any] = _yaml(blocks[0])
    return document


def test_compose_file_follows_the_compose_specification(compose: dict[str, Any]) -> None:
    """docker-compose.yml validates against the Compose Specification's JSON schema."""
    assert _errors(compose, "compose-spec") == []


def test_the_compose_schema_check_catches_a_mistake(compose: dict[str, Any]) -> None:
    """A misspelt service key and ports given as a mapping are reported: the check can fail."""
    broken = copy.deepcopy(compose)
    broken["services"]["magento"]["imagee"] = broken["services"]["magento"].pop("image")
    broken["services"]["magento"]["ports"] = {"8080": 8080}
    errors = _errors(broken, "compose-spec")
    assert any("imagee" in error for error in errors), errors
    assert any(error.startswith("services/magento/ports") for error in errors), errors


def test_compose_runs_magento_247_with_mariadb_opensearch_and_our_module(
    compose: dict[str, Any],
) -> None:
    """Magento 2.4.7 on MariaDB and OpenSearch, with php-module/ mounted and installed."""
    services = compose["services"]
    assert re.fullmatch(r"(docker\.io/)?bitnami/magento:2\.4\.7", services["magento"]["image"])
    assert "mariadb:" in services["mariadb"]["image"]
    assert "opensearchproject/opensearch:" in services["opensearch"]["image"]
    mounts = dict(volume.rsplit(":", 2)[:2] for volume in services["magento"]["volumes"])
    assert mounts["./php-module"] == "/magento-ir/php-module"
    init_scripts = [
        source
        for source, target in mounts.items()
        if target.startswith("/docker-entrypoint-init.d/")
    ]
    assert len(init_scripts) == 1, mounts
    installer = init_scripts[0]
    script = (REPO_ROOT / installer).read_text(encoding="utf-8")
    assert "/magento-ir/php-module" in script
    assert "module:enable MagentoIr_IncidentResponse" in script
    assert "setup:upgrade" in script
    environment = services["magento"]["environment"]
    assert "--search-engine=opensearch" in environment["MAGENTO_EXTRA_INSTALL_ARGS"]


def test_the_github_actions_example_is_a_valid_workflow(workflow: dict[str, Any]) -> None:
    """The workflow in docs/testing.md validates against SchemaStore's github-workflow schema."""
    assert _errors(workflow, "github-workflows") == []


def test_the_workflow_runs_the_readme_test_command_against_the_compose_store(
    workflow: dict[str, Any],
) -> None:
    """It starts docker-compose.yml, sets the real-store tier up and runs the README's command."""
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    runs = "\n".join(step.get("run", "") for step in steps)
    assert "docker compose up" in runs
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    test_command = re.findall(r"^\$ (.+)$", readme, re.MULTILINE)[1]
    assert test_command in runs.splitlines()
    environment = {
        key: value
        for scope in (workflow, *workflow["jobs"].values(), *steps)
        for key, value in scope.get("env", {}).items()
    }
    assert environment["MAGENTO_IR_TEST_STORE_URL"] == "http://127.0.0.1:8080"
    assert environment["MAGENTO_IR_REQUIRE_REAL_STORE"] == "1"
    assert {"MAGENTO_IR_TEST_ADMIN_USER", "MAGENTO_IR_TEST_ADMIN_PASSWORD"} <= environment.keys()
