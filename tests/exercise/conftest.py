"""Exercise test fixtures: a loopback mail server for injects (tests/notify/servers.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.evidence.conftest import free_port
from tests.notify.servers import MailServer

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def mail() -> Iterator[MailServer]:
    """A plain SMTP server on loopback that keeps every message it accepts."""
    server = MailServer(free_port()).start()
    yield server
    server.stop()
