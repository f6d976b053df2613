"""The companion module's PHP: syntax, unit tests, coding standard, XML, packaging.

Runs the real programs (php, phpunit, phpcs); they are skipped when absent and required in CI.
"""

from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import pytest

from tests.conftest import REPO_ROOT, require_tool

if TYPE_CHECKING:
    from pathlib import Path

MODULE_DIR = REPO_ROOT / "php-module"
MODULE_NAME = "MagentoIr_IncidentResponse"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed argument lists of our own tools
        args, cwd=MODULE_DIR, capture_output=True, text=True, check=False, timeout=300
    )


def _php_files() -> list[Path]:
    return sorted(MODULE_DIR.rglob("*.php"))


def _xml_files() -> list[Path]:
    return sorted(
        p for p in MODULE_DIR.rglob("*") if p.suffix == ".xml" or p.name.endswith(".xml.dist")
    )


@pytest.mark.tools
def test_every_php_file_passes_php_lint() -> None:
    """`php -l` accepts every PHP file of the module, its tests and test doubles."""
    php = require_tool("php")
    files = _php_files()
    assert files, "no PHP files found"
    # Start-up dominates each run, so a few run side by side.
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda path: _run(php, "-l", str(path)), files))
    failures = [r.stdout + r.stderr for r in results if r.returncode != 0]
    assert not failures, "\n".join(failures)


@pytest.mark.tools
def test_phpunit_suite_passes_without_magento(tmp_path: Path) -> None:
    """PHPUnit runs the unit suite on Magento test doubles: more than zero tests, all passing."""
    phpunit = require_tool("phpunit")
    report = tmp_path / "junit.xml"
    result = _run(phpunit, "-c", "phpunit.xml.dist", "--log-junit", str(report))
    assert result.returncode == 0, result.stdout + result.stderr
    suite = ET.parse(report).getroot().find("testsuite")  # noqa: S314 - report we just wrote
    assert suite is not None
    assert int(suite.attrib["tests"]) > 0
    assert int(suite.attrib["failures"]) == 0
    assert int(suite.attrib["errors"]) == 0


@pytest.mark.tools
def test_phpcs_psr12_is_clean() -> None:
    """`phpcs` with the committed PSR-12 ruleset reports no error and no warning."""
    phpcs = require_tool("phpcs")
    result = _run(phpcs, "--standard=phpcs.xml.dist", "-q", "--no-colors")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", _xml_files(), ids=lambda p: str(p.relative_to(MODULE_DIR)))
def test_xml_file_is_well_formed(path: Path) -> None:
    """Every XML file of the module parses."""
    ET.parse(path)  # noqa: S314 - our own files


def test_php_files_declare_strict_types_and_classes_are_final() -> None:
    """Sources declare strict types; every class in Model/ and Plugin/ is final."""
    problems = []
    for path in _php_files():
        relative = path.relative_to(MODULE_DIR)
        source = path.read_text(encoding="utf-8")
        if relative.parts[:3] == ("Test", "Unit", "_stubs"):
            continue
        if "declare(strict_types=1);" not in source:
            problems.append(f"{relative}: no strict_types")
        if relative.parts[0] in {"Model", "Plugin"} and re.search(r"^class ", source, re.MULTILINE):
            problems.append(f"{relative}: class is not final")
    assert not problems, problems


def test_packaging_names_agree() -> None:
    """composer.json, registration.php and module.xml name the same module and PSR-4 namespace."""
    composer = json.loads((MODULE_DIR / "composer.json").read_text(encoding="utf-8"))
    assert composer["name"] == "magento-ir/module-incident-response"
    assert composer["type"] == "magento2-module"
    assert composer["autoload"] == {
        "files": ["registration.php"],
        "psr-4": {"MagentoIr\\IncidentResponse\\": ""},
    }
    assert f"'{MODULE_NAME}'" in (MODULE_DIR / "registration.php").read_text(encoding="utf-8")
    module = ET.parse(MODULE_DIR / "etc" / "module.xml").getroot().find("module")  # noqa: S314
    assert module is not None
    assert module.attrib["name"] == MODULE_NAME


# Elements dropped from db_schema.xml stay whitelisted: that is what lets setup:upgrade remove them
# from a store installed with an earlier version (Magento's generator keeps them too).
REMOVED_FROM_SCHEMA = {
    # Keys became per caller (actor_type, actor_id, idempotency_key).
    ("magento_ir_idempotency_key", "constraint", "MAGENTO_IR_IDEMPOTENCY_KEY_IDEMPOTENCY_KEY"),
}


def test_schema_whitelist_matches_db_schema() -> None:
    """The whitelist lists exactly db_schema.xml's tables, columns, indexes and constraints, plus
    the elements removed since a release (so upgrades drop them)."""
    root = ET.parse(MODULE_DIR / "etc" / "db_schema.xml").getroot()  # noqa: S314
    declared: dict[str, dict[str, dict[str, bool]]] = {}
    for table in root.findall("table"):
        entry: dict[str, dict[str, bool]] = {
            "column": {c.attrib["name"]: True for c in table.findall("column")},
            "constraint": {c.attrib["referenceId"]: True for c in table.findall("constraint")},
        }
        indexes = {i.attrib["referenceId"]: True for i in table.findall("index")}
        if indexes:
            entry["index"] = indexes
        declared[table.attrib["name"]] = entry
        assert table.attrib["name"].startswith("magento_ir_")
        # MySQL identifiers are at most 64 characters.
        assert all(len(ref) <= 64 for ref in [*entry["constraint"], *indexes])
        assert table.attrib.get("comment")
        assert all(c.attrib.get("comment") for c in table.findall("column"))
    for table_name, kind, name in REMOVED_FROM_SCHEMA:
        assert name not in declared[table_name][kind]
        declared[table_name][kind][name] = True
    whitelist = json.loads((MODULE_DIR / "etc" / "db_schema_whitelist.json").read_text("utf-8"))
    assert whitelist == declared
