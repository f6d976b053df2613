"""What every benchmark shares: the machine line, and goal verdicts that run_all.py collects.

A benchmark calls `goal(...)` once per goal with the per-run values (one per repetition). It
prints one line, `GOAL <name> min/median/max goal >= target: PASS|MISS (x.xx of goal)`, the
verdict on the median, and when run by run_all.py (which sets `GOALS_ENV` to a file) appends
the same as a JSON line there, so the harness prints one table of every goal without parsing
each script's own output.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Sequence

GOALS_ENV = "MAGENTO_IR_BENCH_GOALS"


def load() -> str:
    """The 1, 5 and 15-minute load averages: how many other jobs shared the cores."""
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> str:
    """One line naming the machine, the interpreter, the time and the load."""
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {platform.node()}: {os.cpu_count()} CPUs "
        f"({cpu_model()}), {platform.system()} {platform.release()}; python "
        f"{sys.version.split()[0]}; load average {load()}"
    )


def spread(values: Sequence[float], spec: str = ".3f") -> str:
    """min/median/max."""
    return "/".join(
        format(value, spec) for value in (min(values), statistics.median(values), max(values))
    )


def goal(
    name: str,
    values: Sequence[float],
    sense: Literal[">=", "<="],
    target: float,
    *,
    unit: str = "",
    spec: str = ".3f",
) -> bool | None:
    """Print (and record for run_all) one goal's verdict on the median of `values`.

    `of goal` is the median as a fraction of the target, oriented so that >= 1 passes: median /
    target for a floor (>=), target / median for a ceiling (<=). No values: not measured.
    """
    script = Path(sys.argv[0]).stem
    if not values:
        print(f"GOAL {name}: not measured")
        record: dict[str, object] = {"script": script, "name": name, "values": []}
        passed = None
    else:
        middle = statistics.median(values)
        passed = middle >= target if sense == ">=" else middle <= target
        of_goal = (middle / target if sense == ">=" else target / middle) if middle else 0.0
        print(
            f"GOAL {name}: {spread(values, spec)}{unit} goal {sense} {target}{unit}: "
            f"{'PASS' if passed else 'MISS'} ({of_goal:.2f} of goal, {len(values)} runs)"
        )
        record = {
            "script": script, "name": name, "values": list(values), "median": middle,
            "sense": sense, "target": target, "unit": unit, "spec": spec, "passed": passed,
            "of_goal": of_goal, "load": load(),
        }  # fmt: skip
    path = os.environ.get(GOALS_ENV)
    if path:
        with Path(path).open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
    return passed
