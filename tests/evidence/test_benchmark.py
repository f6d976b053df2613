"""benchmarks/evidence_log.py keeps working (it is run by hand for docs/performance.md)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.conftest import REPO_ROOT


def test_benchmark_script_runs_on_tiny_sizes() -> None:
    """The benchmark prints append and verify rows for each size, each against its own baseline."""
    result = subprocess.run(  # noqa: S603 - our own script with fixed arguments
        [
            sys.executable,
            str(REPO_ROOT / "benchmarks" / "evidence_log.py"),
            "--sizes", "300", "--each-sync-records", "5", "--runs", "2",
        ],
        capture_output=True, text=True, check=False, timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},  # this checkout's magento_ir
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "raw chain records/s" in lines[2]
    rows = [line for line in lines if line.startswith(("append", "verify"))]
    assert [line.split()[0:2] for line in rows] == [
        ["append", "(sync=each)"],
        ["append", "(sync=batch)"],
        ["verify", "300"],
    ]
    assert re.search(r"goal >= 0\.1: (PASS|MISS)$", rows[1])
    assert re.search(r"goal >= 0\.3: (PASS|MISS)$", rows[2])
    # min/median/max of the two runs: records/s, baseline, both ratios, peak RSS
    assert len(re.findall(r"[\d,.]+/[\d,.]+/[\d,.]+", rows[2])) == 5
