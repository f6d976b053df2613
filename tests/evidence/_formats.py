"""Both record format versions, for the tests that must hold for each (docs/evidence.md)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest

from magento_ir.evidence import log as log_module

if TYPE_CHECKING:
    from collections.abc import Iterator

FORMAT_VERSIONS = (1, 2)
# Runs a test that uses `make_log` (or the `log_version` fixture) once per format version.
both_formats = pytest.mark.parametrize("log_version", FORMAT_VERSIONS, indirect=True)


@contextmanager
def new_logs_in(version: int | None) -> Iterator[None]:
    """New logs created meanwhile are written in format `version` (None: the default, 2);
    as in use, a reopened log keeps its own version."""
    before = log_module._NEW_LOG_VERSION
    if version is not None:
        log_module._NEW_LOG_VERSION = version
    try:
        yield
    finally:
        log_module._NEW_LOG_VERSION = before
