"""The sandbox must be able to disagree with the client: it imports nothing of it."""

from __future__ import annotations

import ast

from tests.conftest import REPO_ROOT

SANDBOX_DIR = REPO_ROOT / "magento_ir" / "sandbox"


def _imported_modules(source: str) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def test_sandbox_imports_no_client_code() -> None:
    """Every sandbox module imports only the sandbox itself from magento_ir."""
    offenders = {}
    for path in sorted(SANDBOX_DIR.glob("*.py")):
        foreign = {
            module
            for module in _imported_modules(path.read_text(encoding="utf-8"))
            if module.startswith("magento_ir") and not module.startswith("magento_ir.sandbox")
        }
        if foreign:
            offenders[path.name] = sorted(foreign)
    assert offenders == {}
