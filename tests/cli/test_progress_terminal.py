"""Progress on a real pseudo-terminal: the bars (counts, rate) are drawn on stderr when it is a
terminal, never on stdout, and not at all with --json or --quiet; `contain` ends with the line
naming the journal and the command that verifies it."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import threading
from typing import TYPE_CHECKING

import pytest

from magento_ir.sandbox import Sandbox, SandboxServer
from tests.conftest import REPO_ROOT

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

SKUS = 300
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture
def served() -> Iterator[tuple[str, list[str]]]:
    sandbox = Sandbox(with_module=False, products=SKUS + 50)
    with sandbox.lock:
        table = sandbox.state.products
        skus = [table.get(number)["sku"] for number in range(1, SKUS * 2) if number in table]
    with SandboxServer(sandbox) as server:
        yield server.base_url, skus[:SKUS]


def _run(tmp_path: Path, base_url: str, *args: str) -> tuple[int, str, str]:
    """The CLI in a child process: stdout a pipe, stderr a 120-column pseudo-terminal."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("MAGENTO_IR_")}
    env |= {
        "PYTHONPATH": str(REPO_ROOT),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "MAGENTO_IR_BASE_URL": base_url,
        "MAGENTO_IR_USERNAME": "admin",
        "MAGENTO_IR_PASSWORD": "Sandbox123!",
        "TERM": "xterm-256color",
    }
    env.pop("NO_COLOR", None)
    env.pop("COLUMNS", None)
    main, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    child = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "magento_ir", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=terminal,
        cwd=tmp_path,
        env=env,
    )
    os.close(terminal)
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # EIO: the child closed the terminal
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    stdout, _ = child.communicate(timeout=240)
    reader.join(timeout=30)
    os.close(main)
    return child.returncode, stdout.decode(), b"".join(chunks).decode(errors="replace")


def test_contain_draws_entity_bars_on_the_terminal_not_on_stdout(
    tmp_path: Path, served: tuple[str, list[str]]
) -> None:
    base_url, skus = served
    action = f"quarantine_products skus={json.dumps(skus)}"
    code, stdout, stderr = _run(tmp_path, base_url, "contain", "-a", action, "--yes")
    assert code == 0, (stdout, stderr)
    screen = ANSI.sub("", stderr)
    # The step's bar counted every SKU (and any store-view override) as it was written.
    done = re.findall(r"quarantine_products\s.*?(\d+)/(\d+)", screen)
    assert done, screen[-2000:]
    assert any(int(count) == int(total) >= SKUS for count, total in done), done
    assert re.search(r"\d+/s", screen)  # the rate
    assert "containing" in screen  # the steps bar
    # stdout: the tables and the journal line, no bar and no terminal control codes.
    assert "\x1b" not in stdout
    assert not re.search(r"\d+/s\b", stdout)
    assert "containing" not in stdout
    journal = tmp_path / "incident-journal.log"
    assert stdout.splitlines()[-1] == (
        f"journal: {journal} — verify with: magento-ir verify --journal {journal}"
    )


@pytest.mark.parametrize("flag", ["--json", "--quiet"])
def test_json_and_quiet_draw_no_bar(
    tmp_path: Path, served: tuple[str, list[str]], flag: str
) -> None:
    base_url, skus = served
    action = f"quarantine_products skus={json.dumps(skus[:50])}"
    code, stdout, stderr = _run(tmp_path, base_url, "contain", "-a", action, "--yes", flag)
    assert code == 0, (stdout, stderr)
    assert "━" not in stderr
    assert not re.search(r"\d+/s", ANSI.sub("", stderr))
    if flag == "--json":
        document = json.loads(stdout)  # the whole of stdout is one document
        assert document["steps"][0]["status"] == "verified"
        assert "verify with: magento-ir verify --journal" in stderr  # beside, not in, the JSON
    else:
        assert "verify with: magento-ir verify --journal" in stdout
