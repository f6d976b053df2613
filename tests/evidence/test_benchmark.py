"""benchmarks/evidence_log.py keeps working (it is run by hand for docs/performance.md)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO_ROOT


def test_benchmark_script_runs_on_tiny_sizes() -> None:
    """The benchmark prints append and verify rows for each requested size."""
    result = subprocess.run(  # noqa: S603 - our own script with fixed arguments
        [
            sys.executable,
            str(REPO_ROOT / "benchmarks" / "evidence_log.py"),
            "--sizes", "300", "--each-sync-records", "5", "--sha-seconds", "0.05",
        ],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("raw SHA-256") for line in lines)
    assert [line.split()[0:2] for line in lines if line.startswith(("append", "verify"))] == [
        ["append", "(sync=each)"],
        ["append", "(sync=batch)"],
        ["verify", "300"],
    ]
