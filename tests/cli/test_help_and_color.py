"""Help shows human placeholders (`NAME=VALUE`, `FILE`, no `<list[str]>` or `<bool>`), and
`--no-color` turns colour off (NO_COLOR is rich's own)."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from magento_ir.cli import app
from magento_ir.cli._errors import errors
from magento_ir.cli._output import console

COMMANDS = [
    [], ["contain"], ["verify"], ["rollback"], ["status"], ["playbooks"], ["drill"],
    ["playbooks", "show"], ["playbooks", "validate"],
    ["evidence", "capture"], ["evidence", "verify"], ["evidence", "export"], ["evidence", "ship"],
    ["evidence", "adopt"], ["evidence", "repair"], ["sandbox", "serve"],
    ["notify", "plan"], ["notify", "assess"], ["notify", "rules"], ["notify", "explain"],
    ["notify", "decide"], ["notify", "register"],
    ["notify", "draft"], ["notify", "approve"], ["notify", "contacts", "check"],
]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS, ids=lambda words: " ".join(words) or "root")
def test_help_names_values_as_people_do(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if re.match(r"^│\s+(\*\s+)?--", line)]
    assert rows
    for row in rows:
        if "--help" not in row:
            assert not re.search(r"<(list\[|bool|str|int|float|path)", row), row


def test_repeatable_options_show_their_form() -> None:
    text = CliRunner().invoke(app, ["contain", "--help"], terminal_width=200).output
    assert "NAME=VALUE" in text
    assert "'KIND NAME=VALUE ...'" in text


def test_no_color_turns_colour_off() -> None:
    before = console.no_color, errors.no_color
    try:
        console.no_color = errors.no_color = False
        CliRunner().invoke(app, ["--no-color", "playbooks"])
        assert console.no_color
        assert errors.no_color
    finally:
        console.no_color, errors.no_color = before
