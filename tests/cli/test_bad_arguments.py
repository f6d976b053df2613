"""Every subcommand, given bad arguments: one line, the documented exit code, no traceback, and
nothing written (no journal, key, report or export) before the error."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from magento_ir.cli import ExitCode, app

if TYPE_CHECKING:
    from pathlib import Path

# Nothing listens here: a command that got past its argument checks would exit 4, not 2.
STORE = ["--base-url", "http://127.0.0.1:9", "--username", "admin", "--password", "x"]
ACTION = ["-a", "maintenance mode=storefront", "--yes"]
SMALL_DRILL = ["--products", "5", "--customers", "5", "--orders", "5", "--latency", "0"]
WINDOW = ["--from", "2026-11-01T00:00:00+00:00", "--to", "2026-11-02T00:00:00+00:00"]
HUGE_HOST = "https://" + "a" * 70_000 + ".example.com"

# (id, arguments; "DIR" is an existing folder, "LOG" an existing empty file, "MISSING" a path in
# a folder that does not exist, "/proc/..." a filesystem that takes no files).
CASES = [
    ("contain-journal-dir", [*STORE, "contain", *ACTION, "--journal", "DIR"]),
    ("contain-journal-missing-folder", [*STORE, "contain", *ACTION, "--journal", "MISSING"]),
    ("contain-journal-proc", [*STORE, "contain", *ACTION, "--journal", "/proc/j.log"]),
    (
        "contain-bad-url",
        ["--base-url", "http://[::1", "--username", "a", "--password", "b", "contain", *ACTION],
    ),
    ("contain-huge-host", ["--base-url", HUGE_HOST, "--token", "t", "contain", *ACTION]),
    ("verify-journal-dir", [*STORE, "verify", "--journal", "DIR"]),
    ("verify-journal-missing", [*STORE, "verify", "--journal", "MISSING"]),
    ("verify-module-log-dir", [*STORE, "verify", "--module-log", "--journal", "DIR"]),
    ("rollback-journal-dir", [*STORE, "rollback", "--yes", "--journal", "DIR"]),
    ("status-journal-dir", [*STORE, "status", "--journal", "DIR"]),
    ("status-bad-url", ["--base-url", "http://[::1", "--token", "t", "status"]),
    ("status-huge-host", ["--base-url", HUGE_HOST, "--token", "t", "status"]),
    ("drill-report-dir-proc", ["drill", *SMALL_DRILL, "--report-dir", "/proc/report"]),
    ("drill-report-dir-file", ["drill", *SMALL_DRILL, "--report-dir", "LOG"]),
    ("drill-report-dir-missing", ["drill", *SMALL_DRILL, "--report-dir", "MISSING"]),
    ("drill-bad-store-url", ["--token", "t", "drill", "--store", "http://[::1"]),
    ("playbooks-extra-argument", ["playbooks", "extra"]),
    ("evidence-capture-dir", [*STORE, "evidence", "capture", "DIR"]),
    ("evidence-capture-proc", [*STORE, "evidence", "capture", "/proc/evidence.log"]),
    (
        "evidence-capture-bad-url",
        ["--base-url", "http://[::1", "--token", "t", "evidence", "capture", "LOG"],
    ),
    ("evidence-verify-dir", ["evidence", "verify", "DIR"]),
    ("evidence-adopt-dir", ["evidence", "adopt", "DIR"]),
    ("evidence-repair-dir", ["evidence", "repair", "DIR"]),
    ("evidence-export-out-dir", ["evidence", "export", "LOG", "--format", "ecs", "--out", "DIR"]),
    ("evidence-export-short-o-dir", ["evidence", "export", "LOG", "--format", "ecs", "-o", "DIR"]),
    (
        "evidence-export-path-as-output-format",
        ["evidence", "export", "LOG", "--format", "ecs", "--output", "events.jsonl"],
    ),
    (
        "evidence-export-json-without-out",
        ["evidence", "export", "LOG", "--format", "ecs", "--json"],
    ),
    ("evidence-capture-path-as-output-format", [*STORE, "evidence", "capture", "--output", "x.md"]),
    ("contain-path-as-output-format", [*STORE, "contain", *ACTION, "--output", "plan.json"]),
    (
        "evidence-export-out-proc",
        ["evidence", "export", "LOG", "--format", "ecs", "--out", "/proc/out.json"],
    ),
    (
        "evidence-export-out-missing",
        ["evidence", "export", "LOG", "--format", "ecs", "--out", "MISSING"],
    ),
    ("evidence-ship-dir", ["evidence", "ship", "DIR", "--to", "syslog+tcp://127.0.0.1:9"]),
    ("evidence-ship-bad-url", ["evidence", "ship", "LOG", "--to", "syslog+tcp://[::1"]),
    ("notify-plan-facts-dir", ["notify", "plan", "DIR"]),
    ("notify-plan-facts-missing", ["notify", "plan", "MISSING"]),
    ("notify-rules-missing", ["notify", "rules", "--rules", "MISSING"]),
    ("notify-assess-out-dir", [*STORE, "notify", "assess", "skimmer", *WINDOW, "-o", "DIR"]),
    (
        "notify-assess-out-proc",
        [*STORE, "notify", "assess", "skimmer", *WINDOW, "-o", "/proc/facts.json"],
    ),
    ("notify-assess-bad-time", [*STORE, "notify", "assess", "skimmer", "--from", "x", "--to", "y"]),
    ("notify-draft-facts-missing", ["notify", "draft", "MISSING", "--details", "LOG", "-o", "x"]),
    ("notify-draft-out-file", ["notify", "draft", "FACTS", "--details", "DETAILS", "-o", "LOG"]),
    ("notify-approve-no-journal", ["notify", "approve", "LOG", "--as", "A", "--role", "dpo"]),
    ("notify-contacts-missing", ["notify", "contacts", "check", "MISSING"]),
    ("sandbox-serve-bad-views", ["sandbox", "serve", "--store-views", "99"]),
    # Store options after the command are checked the same way.
    ("contain-bad-url-after", ["contain", *ACTION, "--base-url", "http://[::1", "--token", "t"]),
    ("status-huge-host-after", ["status", "--base-url", HUGE_HOST, "--token", "t"]),
    (
        "evidence-capture-bad-url-between",
        ["evidence", "--base-url", "http://[::1", "capture", "LOG", "--token", "t"],
    ),
    ("contain-two-base-urls", [*STORE, "contain", *ACTION, "--base-url", "http://127.0.0.1:10"]),
    ("contain-timeout-zero-after", [*STORE, "contain", *ACTION, "--timeout", "0"]),
    ("status-profiles-file-dir-after", ["status", "--profiles-file", "DIR", "--profile", "x"]),
    ("verify-journal-dir-store-after", ["verify", "--journal", "DIR", *STORE]),
    ("show-completion-unknown-shell", ["--show-completion", "tcsh"]),
    ("install-completion-unknown-shell", ["--install-completion", "tcsh"]),
]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith("MAGENTO_IR_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "DIR").mkdir()
    (tmp_path / "LOG").write_bytes(b"")
    (tmp_path / "FACTS").write_text('{"clock": {}, "affected": []}', encoding="utf-8")
    (tmp_path / "DETAILS").write_text('[organisation]\nname = "X"\n', encoding="utf-8")
    return tmp_path


def _files(root: Path) -> dict[str, int]:
    return {str(path.relative_to(root)): path.stat().st_size for path in root.rglob("*")}


def _resolve(args: list[str], root: Path) -> list[str]:
    names = {"DIR": root / "DIR", "LOG": root / "LOG", "MISSING": root / "no" / "such.log"}
    names |= {"FACTS": root / "FACTS", "DETAILS": root / "DETAILS"}
    return [str(names[arg]) if arg in names else arg for arg in args]


@pytest.mark.parametrize(("args"), [args for _, args in CASES], ids=[name for name, _ in CASES])
def test_bad_arguments_fail_with_one_line_and_exit_2(workdir: Path, args: list[str]) -> None:
    before = _files(workdir)
    result = CliRunner().invoke(app, _resolve(args, workdir))
    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) <= 1, result.output
    # Nothing written: no journal, key, report, export, not even an empty file.
    assert _files(workdir) == before


def test_a_profiles_file_that_is_a_folder_is_named_so(workdir: Path) -> None:
    result = CliRunner().invoke(app, ["status", "--profiles-file", str(workdir / "DIR")])
    assert result.exit_code == ExitCode.USAGE
    assert f"profile file {workdir / 'DIR'} is a directory: give the file" in result.output


def test_an_unexpected_error_is_one_line_exit_70_and_the_traceback_only_with_verbose(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from magento_ir.containment import playbooks  # noqa: PLC0415

    def broken() -> None:
        raise RuntimeError("something nobody planned for")

    monkeypatch.setattr(playbooks, "shipped_playbooks", broken)
    result = CliRunner().invoke(app, ["playbooks"])
    assert result.exit_code == ExitCode.INTERNAL == 70
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "unexpected RuntimeError: something nobody planned for" in result.output
    assert "--verbose" in result.output
    verbose = CliRunner().invoke(app, ["--verbose", "playbooks"])
    assert verbose.exit_code == ExitCode.INTERNAL
    assert "Traceback" in verbose.output
    assert workdir.is_dir()


def test_a_file_error_is_a_usage_error_naming_the_file(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from magento_ir.containment import playbooks  # noqa: PLC0415

    def unreadable() -> None:
        raise PermissionError(13, "Permission denied", str(workdir / "LOG"))

    monkeypatch.setattr(playbooks, "shipped_playbooks", unreadable)
    result = CliRunner().invoke(app, ["playbooks"])
    assert result.exit_code == ExitCode.USAGE
    assert f"{workdir / 'LOG'}: Permission denied" in result.output
