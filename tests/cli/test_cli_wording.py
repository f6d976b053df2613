"""CLI messages speak CLI: the SDK's advice in Python (`inputs={...}`, `allow_insecure_http=True`,
`SigningKey.generate(...)`, `AdminCredentials(...)`, `auth=...`) reaches the terminal as the flag
or command to use, and no message points at a file that is not shipped."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from magento_ir.cli import ExitCode, app
from magento_ir.evidence import EvidenceLog, SigningKey
from magento_ir.sandbox import Sandbox, SandboxServer

if TYPE_CHECKING:
    from pathlib import Path

PYTHON = re.compile(
    r"inputs=\{|allow_insecure_http|SigningKey|AdminCredentials|otp_provider|auth=|"
    r"repair=True|EvidenceLog|\.md §|magento-api\.md"
)
ACTION = ["-a", "maintenance mode=storefront", "--yes"]


@pytest.fixture(autouse=True)
def _environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("MAGENTO_IR_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(
    ("args", "advice"),
    [
        (["contain", "magecart"], "pass --input skimmer_block_ids=VALUE"),
        (
            ["--base-url", "http://shop.example.com", "--token", "t", "contain", *ACTION],
            "pass --insecure-http",
        ),
        (
            [
                "--base-url",
                "http://127.0.0.1:9",
                "--token",
                "t",
                "contain",
                *ACTION,
                "--key",
                "missing.pem",
            ],
            "leave out --key for the default key",
        ),
        (
            ["--base-url", "https://u:p@shop.example.com", "--token", "t", "status"],
            "pass them with --username and --password",
        ),
    ],
    ids=["playbook-input", "plain-http", "missing-key", "credentials-in-url"],
)
def test_sdk_advice_is_given_as_flags(args: list[str], advice: str) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert advice in result.output
    assert not PYTHON.search(result.output), result.output


def test_two_factor_advice_names_the_totp_flag() -> None:
    sandbox = Sandbox(two_factor=True)
    with SandboxServer(sandbox) as server:
        args = ["--base-url", server.base_url, "--username", "admin", "--password", "Sandbox123!"]
        result = CliRunner().invoke(app, [*args, "status"])
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "pass --totp-secret (or set MAGENTO_IR_TOTP_SECRET)" in result.output
    assert not PYTHON.search(result.output), result.output


def test_a_torn_log_names_the_repair_command_not_the_python_call(tmp_path: Path) -> None:
    key = SigningKey.generate("magento-ir-journal")
    key.save(tmp_path / "journal.key")
    log = tmp_path / "evidence.log"
    with EvidenceLog.open(log, key=key) as evidence:
        evidence.append("detection", {"rule": "skimmer"})
    with log.open("ab") as handle:
        handle.write(b'{"torn": ')
    result = CliRunner().invoke(
        app, ["evidence", "verify", str(log), "--key", str(tmp_path / "journal.key")]
    )
    assert result.exit_code == ExitCode.VERIFICATION_FAILED, result.output
    assert "magento-ir evidence repair" in result.output
    assert not PYTHON.search(result.output), result.output


@pytest.mark.parametrize(
    ("actions", "expected"),
    [
        (
            ["maintenance mode=storefront", "disable_cms_blocks ids=3"],
            "--action 'disable_cms_blocks ids=3': disable_cms_blocks: ids must be a list",
        ),
        (["maintenance bogus=1"], "--action 'maintenance bogus=1': bogus: maintenance has no"),
        (["nosuch x=1"], "--action 'nosuch x=1': action: 'nosuch' is not an action"),
    ],
)
def test_an_action_mistake_names_the_flag_not_a_generated_line(
    actions: list[str], expected: str
) -> None:
    flags = [word for action in actions for word in ("-a", action)]
    result = CliRunner().invoke(app, ["contain", *flags, "--dry-run"])
    assert result.exit_code == ExitCode.USAGE, result.output
    assert expected in result.output
    assert not re.search(r"--action:\d", result.output)
