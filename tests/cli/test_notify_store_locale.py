"""`notify draft` drafts customer notices in the store's own language, read from the store."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from typer.testing import CliRunner

from magento_ir.cli import app
from magento_ir.notify.drafts import Draft
from tests.notify.drafting import EXAMPLES
from tests.notify.test_drafts_cli import FACTS

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.sandbox import Sandbox


def _draft(tmp_path: Path, *extra: str) -> set[str]:
    (tmp_path / "facts.json").write_text(json.dumps(FACTS), encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["notify", "draft", "facts.json", "--details", str(EXAMPLES / "details.example.toml"),
         "--out", "drafts", "--as-of", "2026-06-02", "--now", "2026-06-02T09:00:00+00:00", *extra],
        env={"COLUMNS": "250"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return {Draft.load(path).draft_id for path in (tmp_path / "drafts").iterdir()}


def test_the_store_locale_is_read_from_the_store(store: Sandbox, tmp_path: Path) -> None:
    store.state.set_config("general/locale/code", "de_DE", "stores", 1)
    drafts = _draft(tmp_path)
    assert "us-ca/individuals:de" in drafts
    assert "us-ca/individuals:en" not in drafts


def test_an_explicit_store_locale_wins_over_the_store(store: Sandbox, tmp_path: Path) -> None:
    store.state.set_config("general/locale/code", "de_DE", "stores", 1)
    drafts = _draft(tmp_path, "--store-locale", "fr_FR")
    assert "us-ca/individuals:fr" in drafts
    assert "us-ca/individuals:de" not in drafts
