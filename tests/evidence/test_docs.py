"""docs/evidence.md stays true: its quick-start example runs as written."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tests.conftest import REPO_ROOT

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def test_quick_start_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first Python block of docs/evidence.md runs and verifies its own log."""
    text = (REPO_ROOT / "docs" / "evidence.md").read_text(encoding="utf-8")
    block = re.search(r"```python\n(.*?)```", text, re.DOTALL)
    assert block is not None, "docs/evidence.md lost its quick-start example"
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(block.group(1), "docs/evidence.md", "exec"), namespace)  # noqa: S102 - our own docs
    assert namespace["report"].ok  # type: ignore[attr-defined]
