"""`magento-ir contain` driven on a real terminal (a pty, the screen rendered by a terminal
emulator) against a served sandbox: the hidden password prompt, the confirmation question
(no: nothing changes; yes: contained), and Ctrl-C in the middle of a long step (exit 130, one
line naming the journal and how to carry on, and a journal that verifies and says truthfully
where it stopped)."""

from __future__ import annotations

import os
import re
import sys
import time
from typing import TYPE_CHECKING, Any

import pytest
from typer.testing import CliRunner

from magento_ir.cli import ExitCode, app
from magento_ir.sandbox import Sandbox, SandboxServer
from tests.conftest import REPO_ROOT

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

PASSWORD = "Sandbox123!"
SKUS = [f"SB{number:06d}" for number in range(1, 41)]
QUARANTINE = "quarantine_products skus='[" + ",".join(f'"{sku}"' for sku in SKUS) + "]'"
ACTIONS = ["-a", QUARANTINE, "-a", "disable_cms_blocks ids=[1]"]
JOURNAL = "incident.log"
ROWS, COLUMNS = 50, 200
# Each product save answers this late (the change is made at once): the step takes seconds.
SAVE_SECONDS = 0.5


def _tools() -> tuple[Any, Any]:
    """pexpect (the pty) and pyte (the screen), or a skip; missing in CI is a failure."""
    try:
        import pexpect  # noqa: PLC0415 - optional: a dev dependency
        import pyte  # noqa: PLC0415
    except ImportError as missing:
        message = f"{missing.name} is not installed: pip install -e '.[dev]'"
        if os.environ.get("MAGENTO_IR_REQUIRE_TOOLS") == "1":
            pytest.fail(f"{message} (required: MAGENTO_IR_REQUIRE_TOOLS=1)")
        pytest.skip(message)
    return pexpect, pyte


class Terminal:
    """`magento-ir ARGS` on a pty of ROWS x COLUMNS; everything it drew, and the screen."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        pexpect, pyte = _tools()
        self.screen = pyte.Screen(COLUMNS, ROWS)
        self._stream = pyte.Stream(self.screen)
        self.drawn = ""
        self.child = pexpect.spawn(
            sys.executable, ["-m", "magento_ir", *args], env=env, cwd=str(cwd),
            encoding="utf-8", timeout=60, dimensions=(ROWS, COLUMNS),
        )  # fmt: skip

    def expect(self, pattern: str) -> None:
        self.child.expect(pattern)
        self._feed(self.child.before + self.child.after)

    def _feed(self, text: str) -> None:
        self.drawn += text
        self._stream.feed(text.replace("\n", "\r\n").replace("\r\r\n", "\r\n"))

    def answer_password(self) -> None:
        self.expect(r"Password for admin on http://127\.0\.0\.1:\d+:")
        # The prompt is up once the terminal has stopped echoing: what is typed stays unseen.
        assert self.child.waitnoecho(timeout=30)
        self.child.sendline(PASSWORD)

    def finish(self) -> int:
        self.child.expect(self._eof())
        self._feed(self.child.before)
        self.child.close()
        assert PASSWORD not in self.drawn  # never on the screen, not even for a moment
        return int(self.child.exitstatus)

    def _eof(self) -> Any:
        pexpect, _ = _tools()
        return pexpect.EOF

    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.screen.display if line.strip()]


class Store:
    """A served sandbox whose product saves answer SAVE_SECONDS late until `fast()`."""

    def __init__(self) -> None:
        self.sandbox = Sandbox(products=60)  # no module: SKUs are quarantined one save at a time
        self.save_seconds = SAVE_SECONDS
        self.sandbox.latency.rest_delay = self._delay  # type: ignore[method-assign]
        self.url = ""
        self.generated = self.statuses()

    def _delay(self, route: Any, result: Any) -> float:  # noqa: ARG002 - the model's
        saving = route.method == "PUT" and route.pattern.startswith("/V1/products")
        return self.save_seconds if saving else 0.0

    def statuses(self) -> dict[str, dict[int, int]]:
        """Each SKU's status per store view (2: disabled; a few are generated disabled)."""
        return {sku: self.sandbox.inspect.product_status(sku) for sku in SKUS}

    def changed(self) -> int:
        """SKUs whose status changed since the store was generated."""
        now = self.statuses()
        return sum(now[sku] != self.generated[sku] for sku in SKUS)

    def quarantined(self) -> int:
        return sum(set(statuses.values()) == {2} for statuses in self.statuses().values())

    def status(self) -> Any:
        return _cli("status", "--journal", JOURNAL, *self.options())

    def options(self) -> list[str]:
        return ["--base-url", self.url, "--username", "admin", "--password", PASSWORD]


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    _tools()
    for name in list(os.environ):
        if name.startswith("MAGENTO_IR_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    served = Store()
    with SandboxServer(served.sandbox) as server:
        served.url = server.base_url
        yield served


def _cli(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), terminal_width=COLUMNS)


def _env(tmp_path: Path) -> dict[str, str]:
    keep = {name: value for name, value in os.environ.items() if not name.startswith("MAGENTO_IR_")}
    return {**keep, "PYTHONPATH": str(REPO_ROOT), "TERM": "xterm-256color",
            "XDG_CONFIG_HOME": str(tmp_path / "config")}  # fmt: skip


def _contain(url: str, tmp_path: Path) -> Terminal:
    # A user name and no password: the password is asked for.
    args = ["--base-url", url, "--username", "admin", "contain", *ACTIONS, "--journal", JOURNAL]
    return Terminal(args, _env(tmp_path), tmp_path)


def _statuses(result: Any) -> list[str]:
    return re.findall(r"│ [0-9a-f]{16} +│ \w+ +│ (\w+) +│", result.output)


def test_answering_no_changes_nothing(store: Store, tmp_path: Path) -> None:
    terminal = _contain(store.url, tmp_path)
    terminal.answer_password()
    terminal.expect(re.escape(f"Apply these 2 steps to {store.url}? [y/N]:"))
    screen = "\n".join(terminal.lines())
    assert "Plan (nothing has changed yet)" in screen
    assert "disable 40 SKUs one by one over core REST" in screen
    terminal.child.sendline("n")
    assert terminal.finish() == ExitCode.USAGE  # declined: documented as exit 2
    assert terminal.lines()[-1] == "Nothing was changed."
    assert store.changed() == 0
    assert _statuses(store.status()) == ["planned", "planned"]


def test_ctrl_c_in_a_long_step_leaves_a_journal_to_resume(store: Store, tmp_path: Path) -> None:
    terminal = _contain(store.url, tmp_path)
    terminal.answer_password()
    terminal.expect(r"\[y/N\]:")
    terminal.child.sendline("y")
    terminal.expect("quarantine_products")  # the progress line
    deadline = time.monotonic() + 30
    while store.changed() == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    # In the middle of the step: some SKUs quarantined, not all.
    assert store.changed() > 0
    assert store.quarantined() < len(SKUS)
    terminal.child.sendintr()
    assert terminal.finish() == ExitCode.INTERRUPTED == 130
    assert terminal.lines()[-1] == (
        f"Error: Interrupted: the journal {JOURNAL} holds every step up to here. Run the same "
        f"command again to resume; `magento-ir status --journal {JOURNAL}` shows where it stopped."
    )
    assert "Traceback" not in terminal.drawn

    # The journal is whole, and says where it stopped.
    key = tmp_path / "config" / "magento-ir" / "journal.key"
    checked = _cli("evidence", "verify", JOURNAL, "--key", str(key))
    assert checked.exit_code == ExitCode.OK, checked.output
    status = store.status()
    assert status.exit_code == ExitCode.OK, status.output
    assert _statuses(status) == ["in_flight", "planned"]
    assert "interrupted while being applied, possibly in part" in status.output
    verified = _cli("verify", "--journal", JOURNAL, *store.options())
    assert verified.exit_code == ExitCode.OK, verified.output
    assert "(quarantine_products) was interrupted while being applied" in verified.output

    # The same command again completes it.
    store.save_seconds = 0
    again = _contain(store.url, tmp_path)
    again.answer_password()
    again.expect(r"\[y/N\]:")
    again.child.sendline("y")
    assert again.finish() == ExitCode.OK
    screen = "\n".join(again.lines())
    assert re.search(r"quarantine_products +│ core +│ verified +│ 40/0/0", screen), screen
    # The last line names the journal and the exact command that checks it again (it wraps).
    journal = (tmp_path / JOURNAL).resolve()
    line = (
        f"journal: {journal} — verify with: magento-ir --base-url {store.url} verify "
        f"--journal {journal}"
    )
    assert re.sub(r"\s", "", line) in re.sub(r"\s", "", screen), screen
    assert store.quarantined() == len(SKUS)
    assert _statuses(store.status()) == ["verified", "verified"]
