"""Shared test configuration.

Async tests use anyio's pytest plugin (shipped with anyio, which httpx already needs) on asyncio.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Our own public fixture (`magento_sandbox`) as users enable it, and pytester to test that one line.
pytest_plugins = ["magento_ir.testing", "pytester"]

REPO_ROOT = Path(__file__).resolve().parent.parent
# Exchanges recorded on a real Magento 2.4.7-p3: facts the sandbox and the parsers are held to.
# They live in the repository so that the test command needs nothing outside it
# (tests/test_self_contained.py).
RECORDINGS_DIR = REPO_ROOT / "tests" / "data" / "real-magento-2.4.7"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def require_tool(name: str) -> str:
    """Path of an external program, or skip; missing in CI (MAGENTO_IR_REQUIRE_TOOLS=1) fails."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("MAGENTO_IR_REQUIRE_TOOLS") == "1":
            pytest.fail(
                f"{name} is required (MAGENTO_IR_REQUIRE_TOOLS=1) but not installed: see .ci/run"
            )
        pytest.skip(f"{name} is not installed")
    return path
