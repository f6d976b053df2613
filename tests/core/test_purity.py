"""The functional core stays pure: no I/O, clock, sleep or randomness can creep in."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import pytest

from tests.conftest import REPO_ROOT

if TYPE_CHECKING:
    from pathlib import Path

CORE_FILES = sorted((REPO_ROOT / "magento_ir" / "_core").glob("*.py"))
FORBIDDEN_MODULES = {"httpx", "time", "asyncio", "random", "socket", "secrets", "threading"}
FORBIDDEN_CALLS = {"now", "utcnow", "today", "sleep", "urandom", "open"}


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [
                alias.name for alias in node.names if alias.name.split(".")[0] in FORBIDDEN_MODULES
            ]
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            if node.module.split(".")[0] in FORBIDDEN_MODULES:
                found.append(node.module)
        elif isinstance(node, ast.Call):
            function = node.func
            name = (
                function.attr
                if isinstance(function, ast.Attribute)
                else getattr(function, "id", "")
            )
            if name in FORBIDDEN_CALLS:
                found.append(f"{name}() at line {node.lineno}")
    return found


def test_core_files_exist() -> None:
    """The purity check looks at real files (a moved package would make it vacuous)."""
    assert len(CORE_FILES) >= 8


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda path: path.name)
def test_core_module_is_pure(path: Path) -> None:
    """No httpx/time/asyncio/random/socket import, no now()/sleep()/open() call in a core module."""
    assert _violations(path) == []


def test_the_check_catches_impurity(tmp_path: Path) -> None:
    """The checker itself flags each kind of impurity it is meant to catch."""
    sample = tmp_path / "impure.py"
    sample.write_text(
        "import time\nfrom httpx import Client\nimport datetime\nx = datetime.datetime.now()\n",
        encoding="utf-8",
    )
    assert _violations(sample) == ["time", "httpx", "now() at line 4"]
