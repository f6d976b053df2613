"""Fixtures for the delivery tests: a TLS mail server on loopback with a throwaway CA."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.evidence.conftest import LoopbackCA, free_port, test_ca
from tests.notify.servers import MailServer

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

__all__ = ["mail_server", "test_ca"]

SMTP_USER = "notifier"
SMTP_PASSWORD = "s3cret-smtp-pass-XYZ"


@pytest.fixture
def mail_server(test_ca: LoopbackCA, tmp_path: Path) -> Iterator[MailServer]:
    """aiosmtpd requiring STARTTLS, then AUTH, with one user."""
    server = MailServer(
        free_port(),
        tls=test_ca.server_context(),
        users={SMTP_USER: SMTP_PASSWORD},
        accepted_log=tmp_path / "maillog",
    ).start()
    yield server
    server.stop()
