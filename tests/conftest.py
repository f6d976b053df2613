"""Shared test configuration.

Async tests use anyio's pytest plugin (shipped with anyio, which httpx already needs) on asyncio.
"""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.a11y.browser import Browser, axe_script_path

if TYPE_CHECKING:
    from collections.abc import Iterator

# Our own public fixture (`magento_sandbox`) as users enable it, and pytester to test that one line.
pytest_plugins = ["magento_ir.testing", "pytester"]

REPO_ROOT = Path(__file__).resolve().parent.parent
# Exchanges recorded on a real Magento 2.4.7-p3: facts the sandbox and the parsers are held to.
# They live in the repository so that the test command needs nothing outside it
# (tests/test_self_contained.py).
RECORDINGS_DIR = REPO_ROOT / "tests" / "data" / "real-magento-2.4.7"


def pytest_configure() -> None:
    # xdist workers export COLUMNS=80 and LINES=24; the CLIs the tests start would draw for that
    # size instead of their own terminal's (or none), unlike a plain run.
    if "PYTEST_XDIST_WORKER" in os.environ:
        os.environ.pop("COLUMNS", None)
        os.environ.pop("LINES", None)
    # A suite started in the background by a non-interactive shell (`.ci/run &`) inherits SIGINT
    # ignored, and every process the tests start would too: the Ctrl-C tests' SIGINT would be
    # lost. A handler is not inherited across exec; the children get the default back.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


# Before xdist's own hook, which turns the group marker into the node id's "@real-store" suffix.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Keep every test that talks to the real store on one xdist worker, in collection order.

    The suite runs on several workers (`-n auto --dist loadgroup`), but the real store is one shared
    store: its tests restore what they change and must not interleave with each other.
    """
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_real_store = item.get_closest_marker("real_store") is not None or (
            callspec is not None and callspec.params.get("magento_store") == "real"
        )
        if on_real_store:
            item.add_marker(pytest.mark.xdist_group("real-store"))


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


@pytest.fixture(scope="session")
def axe_source() -> str:
    path = axe_script_path()
    if not path.is_file():
        message = f"axe-core is not installed at {path}: run .ci/run (npm install axe-core)"
        if os.environ.get("MAGENTO_IR_REQUIRE_TOOLS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    chromium = require_tool("chromium")
    chromedriver = require_tool("chromedriver")
    session = Browser(chromium, chromedriver)
    yield session
    session.close()
