"""benchmarks/run_all.py runs the benchmarks and prints one goal table (speed itself: not here)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import REPO_ROOT

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

RUN_ALL = REPO_ROOT / "benchmarks" / "run_all.py"


def test_run_all_quick_prints_the_machine_each_goal_and_its_verdict() -> None:
    """A smoke run of one benchmark: machine and load, its goals as ratios with PASS/MISS.

    About 5 s (three benchmark processes, each importing the package); the other benchmarks'
    quick runs start sandboxes and take longer, so they are not run here.
    """
    result = subprocess.run(  # noqa: S603 - our own script with fixed arguments
        [sys.executable, str(RUN_ALL), "--quick", "--only", "evidence_log"],
        capture_output=True, text=True, check=False, timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert re.search(
        r"^run_all --quick on .* UTC; .*\d+ CPUs .*load average [\d.]+", out, re.MULTILINE
    )
    assert re.search(r"load average before: [\d.]+, [\d.]+, [\d.]+", out)
    goals = re.findall(
        r"^evidence_log +evidence (append|verify) .+? +[\d.]+/[\d.]+/[\d.]+ +>= (0\.[13]) +"
        r"[\d.]+ +(?:PASS|MISS)$",
        out,
        re.MULTILINE,
    )
    assert goals == [("append", "0.1"), ("verify", "0.3")]
    assert re.search(r"^\d PASS, \d MISS or not measured, of 2 goals$", out, re.MULTILINE)
    assert "read_orders" not in out  # --only


@pytest.fixture
def run_all() -> Iterator[Any]:  # a script loaded as a module
    sys.path.insert(0, str(RUN_ALL.parent))  # it imports _goals beside it
    try:
        spec = importlib.util.spec_from_file_location("run_all", RUN_ALL)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["run_all"] = module  # its dataclass looks its module up
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("run_all", None)
        sys.modules.pop("_goals", None)
        sys.path.remove(str(RUN_ALL.parent))


def test_the_table_orients_every_ratio_and_names_failed_benchmarks(
    run_all: Any,  # a script loaded as a module
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """'of goal' is >= 1 exactly when a goal passes, for floors and ceilings; a benchmark that
    failed, or recorded nothing, is named; failures make the exit status."""
    goals = tmp_path / "goals.jsonl"
    records = [
        {"script": "a", "name": "floor met", "values": [0.2, 0.4, 0.3], "median": 0.3,
         "sense": ">=", "target": 0.3, "unit": "", "spec": ".2f", "passed": True, "of_goal": 1.0},
        {"script": "a", "name": "ceiling missed", "values": [5.0, 4.4, 6.0], "median": 5.0,
         "sense": "<=", "target": 4.0, "unit": " s", "spec": ".1f", "passed": False,
         "of_goal": 0.8},
        {"script": "a", "name": "peer absent", "values": []},
    ]  # fmt: skip
    goals.write_text("".join(json.dumps(record) + "\n" for record in records))
    failed = run_all._table(goals, {"a": (0, 1.0), "b": (2, 1.0), "c": (0, 1.0)}, quick=False)
    out = capsys.readouterr().out
    assert failed == 1
    assert re.search(r"^a +floor met +0\.20/0\.30/0\.40 +>= 0\.3 +1\.00  PASS$", out, re.MULTILINE)
    assert re.search(
        r"^a +ceiling missed +4\.4/5\.0/6\.0 s +<= 4\.0 s +0\.80  MISS$", out, re.MULTILINE
    )
    assert re.search(r"^a +peer absent +not measured$", out, re.MULTILINE)
    assert re.search(r"^b +FAILED \(exit 2\)", out, re.MULTILINE)
    assert re.search(r"^c +records no goal of its own", out, re.MULTILINE)
    assert "1 PASS, 2 MISS or not measured, of 3 goals" in out
