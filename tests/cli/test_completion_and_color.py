"""Tab completion really completes in bash (the script sourced, and installed in ~/.bashrc), and
over the protocol the zsh and fish scripts speak; NO_COLOR and --no-color turn colour off in every
kind of output: tables, errors, typer's help and usage errors, before or after the command."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest
from typer._completion_classes import completion_init
from typer.testing import CliRunner

from magento_ir.cli import app
from tests.cli.helpers import flat
from tests.conftest import REPO_ROOT, require_tool

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A `magento-ir` on PATH that runs this checkout, and a HOME of its own."""
    shim = tmp_path / "bin" / "magento-ir"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m magento_ir "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    (tmp_path / "home").mkdir()
    clean = {
        name: value for name, value in os.environ.items() if not name.startswith("MAGENTO_IR_")
    }
    return {
        **clean,
        "PATH": f"{shim.parent}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(REPO_ROOT),
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "home" / ".config"),
    }


def _bash(program: str, env: dict[str, str], *flags: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own program, in a bash from PATH
        [require_tool("bash"), *flags, "-c", program],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def _completions(*lines: str) -> str:
    """Bash code: ask the completion function for each command line (the last word is being
    typed), printing each answer as one line of words."""
    code = []
    for line in lines:
        words = shlex.split(line) + ([""] if line.endswith(" ") else [])
        code += [
            f"COMP_WORDS=({' '.join(shlex.quote(word) for word in words)})",
            f"COMP_CWORD={len(words) - 1}",
            "_magento_ir_completion magento-ir",
            'echo "${COMPREPLY[*]}"',
        ]
    return "\n".join(code)


def _invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    """In this process (starting Python is slow), under the console script's name."""
    return CliRunner().invoke(app, list(args), prog_name="magento-ir", env=env)


def test_the_bash_script_completes_commands_groups_and_options(
    env: dict[str, str], tmp_path: Path
) -> None:
    shown = _invoke("--show-completion", "bash")
    assert shown.exit_code == 0, shown.output
    (tmp_path / "completion.bash").write_text(shown.stdout, encoding="utf-8")
    program = f"source {tmp_path / 'completion.bash'}\n" + _completions(
        "magento-ir evidence ex", "magento-ir contain --jo", "magento-ir "
    )
    export, journal, everything = _bash(program, env).splitlines()
    assert export == "export"
    assert journal == "--journal"
    assert {"contain", "verify", "rollback", "status", "drill", "evidence"} <= set(
        everything.split()
    )


def test_install_completion_makes_a_new_bash_complete(env: dict[str, str]) -> None:
    installed = _invoke("--install-completion", "bash", env={"HOME": env["HOME"]})
    assert installed.exit_code == 0, installed.output
    assert "bash completion for magento-ir installed in" in installed.stdout
    # An interactive bash reads ~/.bashrc, which now sources the script.
    assert _bash(_completions("magento-ir ro"), env, "-i").splitlines()[-1] == "rollback"


@pytest.mark.parametrize(
    ("shell", "extra", "expected"),
    [
        ("zsh", {}, '"export":"Write every record as one SIEM event'),
        ("fish", {"_TYPER_COMPLETE_FISH_ACTION": "get-args"}, "export\tWrite every record"),
    ],
)
def test_zsh_and_fish_scripts_get_completions(
    shell: str, extra: dict[str, str], expected: str
) -> None:
    script = _invoke("--show-completion", shell).stdout
    # What the script runs on Tab: the same program, told the shell and the words typed so far.
    assert f"_MAGENTO_IR_COMPLETE=complete_{shell}" in script
    assert "_TYPER_COMPLETE_ARGS=" in script
    completion_init()  # as main() does
    typed = {
        "_MAGENTO_IR_COMPLETE": f"complete_{shell}",
        "_TYPER_COMPLETE_ARGS": "magento-ir evidence ex",
    }
    answer = _invoke(env={**extra, **typed}).stdout
    assert expected in answer
    assert "capture" not in answer


def test_an_unknown_shell_is_a_usage_error() -> None:
    result = _invoke("--show-completion", "tcsh")
    assert result.exit_code == 2
    assert "'tcsh' is not a shell this can complete in: bash, zsh, fish" in flat(result.output)


# Runs each command line through the console script in one process (starting Python is slow),
# putting back between them what --no-color changed, so each line is judged on its own.
DRIVER = """
import json, os, sys
from magento_ir.cli import main
from magento_ir.cli._errors import errors
from magento_ir.cli._output import console
initial = os.environ.get("NO_COLOR"), console.no_color, errors.no_color
for argv in json.loads(sys.argv[1]):
    sys.argv = ["magento-ir", *argv]
    try:
        main()
    except SystemExit:
        pass
    for stream in (sys.stdout, sys.stderr):
        stream.write("\\n@@@\\n")
        stream.flush()
    os.environ.pop("NO_COLOR", None)
    if initial[0] is not None:
        os.environ["NO_COLOR"] = initial[0]
    console.no_color, errors.no_color = initial[1:]
"""
# An SGR sequence that sets a foreground or background colour (bold and dim are not colour).
COLOUR = re.compile(r"\x1b\[(?:[\d;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[\d;]*)?m")


def _outputs(argvs: list[list[str]], env: dict[str, str], **more: str) -> list[str]:
    result = subprocess.run(  # noqa: S603 - this Python, our own driver
        [sys.executable, "-c", DRIVER, json.dumps(argvs)],
        env={**env, "FORCE_COLOR": "1", "TERM": "xterm-256color", "COLUMNS": "120", **more},
        capture_output=True, text=True, timeout=300, check=False, cwd=env["HOME"],
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    stdout, stderr = result.stdout.split("\n@@@\n"), result.stderr.split("\n@@@\n")
    return [out + err for out, err in zip(stdout, stderr, strict=True)][: len(argvs)]


def test_no_color_and_the_flag_turn_off_every_colour(env: dict[str, str], sandbox_url: str) -> None:
    store = ["--base-url", sandbox_url, "--username", "admin", "--password", "Sandbox123!"]
    commands = [
        [*store, "contain", "-a", "disable_cms_blocks ids=[999]", "--dry-run"],  # a table
        ["status", "--journal", "missing.log"],  # an error of ours
        ["contain", "--bogus"],  # typer's usage error
        ["--help"],  # typer's help
        ["evidence", "verify", "missing.log"],  # the evidence group's own error path
    ]
    before = [["--no-color", *command] for command in commands]
    after = [[*command, "--no-color"] for command in commands]
    outputs = _outputs([*commands, *before, *after], env)  # one Python start for all
    coloured, uncoloured = outputs[: len(commands)], outputs[len(commands) :]
    for command, output in zip(commands, coloured, strict=True):
        assert COLOUR.search(output), (command, output)  # there is colour to turn off
    assert "block:999 not found" in coloured[0]
    for output in [*uncoloured, *_outputs(commands, env, NO_COLOR="1")]:
        assert not COLOUR.search(output), output
