"""docs/cli.md documents every option `--help` shows, and every option it documents exists."""

from __future__ import annotations

import re

import typer.main

from magento_ir.cli import ExitCode, app
from tests.conftest import REPO_ROOT

DOC = (REPO_ROOT / "docs" / "cli.md").read_text(encoding="utf-8")


def _options() -> dict[str, set[str]]:
    """Every long option of every command, with the commands that take it."""
    found: dict[str, set[str]] = {}

    def walk(command: typer.main.TyperGroup | typer.main.TyperCommand, path: list[str]) -> None:
        for param in command.params:
            for name in (*param.opts, *param.secondary_opts):
                if name.startswith("--") and name != "--help":
                    found.setdefault(name, set()).add(" ".join(path) or "magento-ir")
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


def test_every_option_in_help_is_documented() -> None:
    missing = {
        name: sorted(commands)
        for name, commands in _options().items()
        if not re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", DOC)
    }
    assert not missing, f"options missing from docs/cli.md: {missing}"


def test_every_documented_option_exists() -> None:
    documented = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", DOC))
    unknown = documented - set(_options()) - {"--help"}
    assert not unknown, f"docs/cli.md names options no command has: {sorted(unknown)}"


def test_every_exit_code_is_documented() -> None:
    for code in ExitCode:
        assert re.search(rf"^\| {code.value} \| [^|]*`{code.name}`", DOC, re.MULTILINE), code
