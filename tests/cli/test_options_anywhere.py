"""Store, network and display options work after the command as before it; given both ways
with different values they are a usage error (exit 2) that shows neither value."""

from __future__ import annotations

import os
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import pytest
import typer.main
from typer.testing import CliRunner

from magento_ir.cli import ExitCode, app
from magento_ir.cli._errors import errors
from magento_ir.cli._output import console
from tests.cli.helpers import flat

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

# Every kind of root option: a store setting, a secret, a path, a number and the flags.
OPTIONS = [
    "--base-url", "https://shop.example.com", "--username", "responder", "--password", "s3cret!",
    "--profile", "staging", "--profiles-file", "profiles.toml", "--timeout", "7.5",
    "--canary-admin", "canary", "--insecure-http", "--verbose", "--no-color",
]  # fmt: skip


def _commands(root: Any = None) -> list[tuple[list[str], Any]]:
    """Every command below the root, groups included, with its click object."""
    found: list[tuple[list[str], Any]] = []

    def walk(command: Any, path: list[str]) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            found.append(([*path, name], sub))
            walk(sub, [*path, name])

    walk(root or typer.main.get_command(app), [])
    return found


def _required(command: Any) -> list[str]:
    """Values for what the command cannot run without: its first choice, else `1` (which parses
    as text, a path or a number)."""
    words: list[str] = []
    for param in command.params:
        if param.required:
            choices = param.type_descriptor.choices if param.type_descriptor.is_choice else None
            value = str(next(iter(choices))) if choices else "1"
            words.extend([value] if param.param_type_name == "argument" else [param.opts[0], value])
    return words


def _parsed(args: list[str]) -> dict[str, Any]:
    """The root options a command would run with, its body replaced by nothing."""
    root = typer.main.get_command(app)
    for _, command in _commands(root):
        if not getattr(command, "commands", None):
            command.callback = lambda **_: None
    ctx = root.make_context("magento-ir", list(args))
    root.invoke(ctx)
    options = asdict(ctx.obj)
    options["flags"] = asdict(ctx.obj.flags)
    return options


@pytest.fixture(autouse=True)
def _clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("MAGENTO_IR_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    before = console.no_color, errors.no_color
    yield
    console.no_color, errors.no_color = before


COMMANDS = [path for path, _ in _commands()]
LEAVES = [(path, command) for path, command in _commands() if not getattr(command, "commands", 0)]


def test_every_command_is_covered() -> None:
    assert ["contain"] in COMMANDS
    assert ["evidence", "capture"] in COMMANDS
    assert ["evidence"] in COMMANDS  # a group takes them too: `evidence --base-url X capture`


@pytest.mark.parametrize(("path", "command"), LEAVES, ids=[" ".join(p) for p, _ in LEAVES])
def test_root_options_after_the_command_mean_the_same(path: list[str], command: Any) -> None:
    before = _parsed([*OPTIONS, *path, *_required(command)])
    console.no_color = errors.no_color = False
    after = _parsed([*path, *OPTIONS, *_required(command)])
    assert before == after
    assert after["flags"]["base_url"] == "https://shop.example.com"
    assert after["timeout"] == 7.5
    assert (after["verbose"], after["no_color"], after["allow_insecure_http"]) == (True,) * 3
    assert (console.no_color, errors.no_color) == (True, True)
    # Split over both places, and between a group and its command.
    split = _parsed(["--base-url", "https://shop.example.com", *path, *OPTIONS[2:],
                     *_required(command)])  # fmt: skip
    assert split == before
    if len(path) == 2:
        between = _parsed([path[0], *OPTIONS, path[1], *_required(command)])
        assert between == before


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) for p in COMMANDS])
@pytest.mark.parametrize(
    ("option", "first", "second"),
    [("--base-url", "https://a.example", "https://b.example"), ("--password", "one!", "two!"),
     ("--timeout", "5", "9")],
)  # fmt: skip
def test_different_values_before_and_after_are_a_usage_error(
    path: list[str], option: str, first: str, second: str
) -> None:
    result = CliRunner().invoke(app, [option, first, *path, option, second])
    assert result.exit_code == ExitCode.USAGE, result.output
    message = f"Invalid value for '{option}': given before and after the command with different"
    assert message in flat(result.output)
    assert first not in result.output
    assert second not in result.output  # a password is never echoed


def test_the_same_value_both_ways_is_fine() -> None:
    same = _parsed(["--timeout", "5", "playbooks", "--timeout", "5"])
    assert same["timeout"] == 5


def test_a_real_command_reaches_the_store_given_after_it(sandbox_url: str) -> None:
    store = ["--base-url", sandbox_url, "--username", "admin", "--password", "Sandbox123!"]
    before = CliRunner().invoke(app, [*store, "status", "--json"])
    after = CliRunner().invoke(app, ["status", "--json", *store])
    assert after.exit_code == before.exit_code == ExitCode.OK, after.output
    assert after.stdout == before.stdout
    assert f'"url": "{sandbox_url}"' in after.stdout
