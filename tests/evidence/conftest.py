"""Fixtures for the evidence tests: one signing key per session and small logs built on demand."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from magento_ir.evidence import EvidenceLog, SigningKey

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


@pytest.fixture(scope="session")
def signing_key() -> SigningKey:
    return SigningKey.generate("magento-ir-test")


def write_log(
    path: Path, key: SigningKey, count: int, *, checkpoint_every: int | None = None
) -> Path:
    """A log with a custody record then `count` detection records, closed (so checkpointed)."""
    with EvidenceLog.open(
        path, key=key, sync="batch", checkpoint_every=checkpoint_every, user="tester", host="lab"
    ) as log:
        for number in range(count):
            log.append("detection", {"number": number, "text": f"finding {number} \u00e9"})
    return path


@pytest.fixture
def make_log(tmp_path: Path, signing_key: SigningKey) -> Callable[..., Path]:
    def make(count: int = 5, name: str = "evidence.log", **options: int | None) -> Path:
        return write_log(tmp_path / name, signing_key, count, **options)

    return make
