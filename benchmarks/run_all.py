"""Run every benchmark in benchmarks/ and print one table of every goal, as a ratio, PASS/MISS.

    python benchmarks/run_all.py            # the figures of docs/performance.md (~20-30 min)
    python benchmarks/run_all.py --quick    # a smoke run at tiny sizes (seconds): proves it runs
    python benchmarks/run_all.py --only evidence_log --only read_orders

Each benchmark runs as its own process (`python benchmarks/NAME.py ...`, this checkout's
package first on the path) and starts its own server processes where it needs one: a server
never shares the client's event loop or GIL. The benchmarks repeat each contestant, interleaved,
and report min/median/max; each goal's verdict is on the median of the runs, paired within a
run where it is a ratio of two contestants (see each script's docstring). The machine and its
load are printed before and after each benchmark: on a shared machine the other jobs' load moves
wall-clock figures, so compare runs only at similar load. `--quick` sizes prove nothing about
speed: its verdicts are printed but mean nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from _goals import GOALS_ENV, load, machine

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


@dataclass(frozen=True)
class Benchmark:
    name: str  # benchmarks/<name>.py
    full: tuple[str, ...]  # arguments for the figures in docs/performance.md
    quick: tuple[str, ...]  # tiny sizes: the smoke run
    issue: str  # where its goals come from


BENCHMARKS = (
    Benchmark(
        "evidence_log",
        ("--sizes", "100000", "--runs", "5", "--each-sync-records", "500"),
        ("--sizes", "300", "--runs", "1", "--each-sync-records", "5"),
        "issue 16 item 4",
    ),
    Benchmark(
        "read_orders",
        ("--orders", "10000", "--counts", "10000", "--runs", "5"),
        (
            "--orders",
            "200",
            "--counts",
            "200",
            "--runs",
            "2",
            "--page-size",
            "50",
            "--workers",
            "2",
            "--clients",
            "magento_ir sync,magento_ir async,httpx loop",
        ),
        "issue 16 item 1",
    ),
    Benchmark("containment", (), ("--quick",), "issue 16 items 2-3"),
    Benchmark("sandbox_throughput", (), ("--quick",), "issue 16 item 5"),
    Benchmark(
        "notify_bulk",
        ("--messages", "20000", "--rounds", "5"),
        ("--messages", "50", "--rounds", "2"),
        "issue 13",
    ),
    Benchmark(
        "notify_exposure",
        ("--orders", "1000000", "--customers", "100000"),
        ("--orders", "300", "--customers", "100"),
        "issue 12",
    ),
    Benchmark(
        "card_testing",
        ("--seeds", "5"),
        ("--seeds", "1", "--days", "8"),
        "issue 11",
    ),
)


def _run(bench: Benchmark, *, quick: bool, goals: Path) -> tuple[int, float]:
    args = bench.quick if quick else bench.full
    command = [sys.executable, str(HERE / f"{bench.name}.py"), *args]
    print(f"\n=== {bench.name} ({bench.issue}): {' '.join(command[1:])}", flush=True)
    print(f"    load average before: {load()}", flush=True)
    env = {
        **os.environ,
        GOALS_ENV: str(goals),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    started = time.perf_counter()
    returncode = subprocess.run(command, env=env, check=False, cwd=REPO).returncode  # noqa: S603
    seconds = time.perf_counter() - started
    print(f"    exit {returncode}, {seconds:.1f} s; load average after: {load()}", flush=True)
    return returncode, seconds


def _table(goals: Path, outcomes: dict[str, tuple[int, float]], *, quick: bool) -> int:
    lines = goals.read_text().splitlines() if goals.exists() else []
    records = [json.loads(line) for line in lines]
    print("\n=== goals (verdict on the median of the runs; 'of goal' >= 1.00 passes)")
    print(f"{'benchmark':<20} {'goal':<58} {'min/median/max':>26} {'target':>12} {'of goal':>8}")
    missed = 0
    for record in records:
        if not record["values"]:
            print(f"{record['script']:<20} {record['name']:<58} {'not measured':>26}")
            missed += 1
            continue
        spec = record["spec"]
        values = sorted(record["values"])
        spread = "/".join(
            format(value, spec) for value in (values[0], record["median"], values[-1])
        )
        target = f"{record['sense']} {record['target']}{record['unit']}"
        verdict = "PASS" if record["passed"] else "MISS"
        missed += not record["passed"]
        print(
            f"{record['script']:<20} {record['name']:<58} {spread + record['unit']:>26} "
            f"{target:>12} {record['of_goal']:>8.2f}  {verdict}"
        )
    scripts = {record["script"] for record in records}
    for name, (returncode, _) in outcomes.items():
        if returncode:
            print(f"{name:<20} FAILED (exit {returncode}): its goals are not measured")
        elif name not in scripts:
            print(f"{name:<20} records no goal of its own here (see its output above)")
    passed = sum(1 for record in records if record.get("passed"))
    print(f"{passed} PASS, {missed} MISS or not measured, of {len(records)} goals")
    if quick:
        print("--quick: tiny sizes, so these verdicts say nothing about speed (smoke run only)")
    return sum(1 for returncode, _ in outcomes.values() if returncode)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    names = [bench.name for bench in BENCHMARKS]
    parser.add_argument("--only", action="append", choices=names, help="run only these")
    args = parser.parse_args(argv)
    print(f"run_all {'--quick ' if args.quick else ''}on {machine()}", flush=True)
    outcomes: dict[str, tuple[int, float]] = {}
    with tempfile.TemporaryDirectory() as directory:
        goals = Path(directory) / "goals.jsonl"
        for bench in BENCHMARKS:
            if args.only and bench.name not in args.only:
                continue
            outcomes[bench.name] = _run(bench, quick=args.quick, goals=goals)
        failed = _table(goals, outcomes, quick=args.quick)
    print(f"finished {machine()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
