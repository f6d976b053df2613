"""The README's test command needs nothing outside the repository (no ../shared in a clone)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT

# Paths out of the repository: the steering folder beside a clone.
OUTSIDE_PATH = re.compile(r"""\.\./shared|parent\s*/\s*["']shared["']|["']shared["']\s*/""")


def _tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"],  # noqa: S607 - git from PATH, as a developer runs it
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    )
    names = [name for name in listed.stdout.decode().split("\0") if name]
    return [REPO_ROOT / name for name in names if (REPO_ROOT / name).is_file()]


def test_no_python_file_reads_a_path_outside_the_repository() -> None:
    """Package, tests, scripts and benchmarks name no path beside the clone (../shared)."""
    offenders = [
        f"{path.relative_to(REPO_ROOT)}:{number}: {line.strip()}"
        for path in _tracked_files()
        if path.suffix == ".py" and path.resolve() != Path(__file__).resolve()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE_PATH.search(line)
    ]
    assert not offenders, "these lines reach outside the repository:\n" + "\n".join(offenders)


def test_the_suite_collects_in_a_copy_with_nothing_beside_it(tmp_path: Path) -> None:
    """A copy of the tracked files, alone in an empty folder, collects every test."""
    copy = tmp_path / "clone"
    for path in _tracked_files():
        target = copy / path.relative_to(REPO_ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    assert not (tmp_path / "shared").exists()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
    )
    tail = "\n".join((result.stdout + result.stderr).splitlines()[-30:])
    assert result.returncode == 0, tail
    assert re.search(r"^\d+ tests collected", result.stdout, re.MULTILINE), tail
    assert "error" not in result.stdout.splitlines()[-1].lower(), tail
