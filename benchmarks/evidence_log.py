"""Evidence log throughput and memory: append and verify records/s against a raw SHA-256 chain.

    python benchmarks/evidence_log.py [--sizes 10000 100000 1000000] [--runs 5]

Each measurement runs in a fresh child process so its peak RSS is its own. Records are
~470-byte `capture.http_exchange` lines like the collectors write, in the format new logs get
(version 2: no per-record payload digest, docs/evidence.md). The baseline is computed by
the same child, right after the measurement, over the very lines it appended or verified: a raw
chain of one SHA-256 per record (`h = sha256(h + line)`, lines already in memory). That is the
fastest any hash-chained log could go in Python on this machine at this moment, so the ratios
(goals: append >= 0.1, verify >= 0.3) do not move with the machine's load the way records/s do.
Runs are repeated (`--runs`) with sizes interleaved; the table gives min/median/max.

Durability assumed by each figure:
* append (batch): sync="batch", one fsync per signed checkpoint (every 10,000 records) and at
  close: a crash loses at most the records since the last checkpoint.
* append (each): sync="each", write + flush + fsync per record: nothing acknowledged is lost.
* verify: reads the file through the page cache (it was just written), one streaming pass.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Literal

from _goals import goal, machine

from magento_ir.evidence import EvidenceLog, SigningKey, verify

PAYLOAD = {
    "request": {"method": "GET", "url": "/rest/V1/orders?searchCriteria[pageSize]=100"},
    "response": {"status": 200, "body_sha256": "ab" * 32, "body_length": 48213},
    "elapsed_ms": 182,
}


APPEND_GOAL = 0.1
VERIFY_GOAL = 0.3


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child_append(path: Path, count: int, sync: str) -> dict[str, float]:
    key = SigningKey.generate("benchmark")
    cpu = time.process_time()
    start = time.perf_counter()
    mode: Literal["each", "batch"] = "each" if sync == "each" else "batch"
    with EvidenceLog.open(path, key=key, sync=mode, checkpoint_every=10_000) as log:
        for _ in range(count):
            log.append("capture.http_exchange", PAYLOAD)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    rss = _peak_rss_mib()  # before the baseline reads the whole file into memory
    chain, chain_cpu = _chain(path)
    return {
        "records_per_s": count / elapsed,
        "cpu_records_per_s": count / cpu,
        "peak_rss_mib": rss,
        "chain_per_s": chain,
        "chain_cpu_per_s": chain_cpu,
    }


def _child_verify(path: Path) -> dict[str, float]:
    cpu = time.process_time()
    start = time.perf_counter()
    report = verify(path)
    elapsed = time.perf_counter() - start
    if not report.ok:
        raise SystemExit(f"benchmark log does not verify: {report.summary()}")
    cpu = time.process_time() - cpu
    rss = _peak_rss_mib()
    chain, chain_cpu = _chain(path)
    return {
        "records_per_s": report.records / elapsed,
        "cpu_records_per_s": report.records / cpu,
        "peak_rss_mib": rss,
        "chain_per_s": chain,
        "chain_cpu_per_s": chain_cpu,
    }


def _run_child(*args: str) -> dict[str, float]:
    output = subprocess.run(  # noqa: S603 - this script re-running itself
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=True
    ).stdout
    result: dict[str, float] = json.loads(output)
    return result


def _chain(path: Path, passes: int = 2) -> tuple[float, float]:
    """Records/s of a raw chain, one SHA-256 per line, over the log's lines (best of `passes`):
    by the wall clock, and by this process's CPU time."""
    lines = path.read_bytes().splitlines(keepends=True)
    sha256 = hashlib.sha256
    best = best_cpu = 0.0
    for _ in range(passes):
        cpu = time.process_time()
        start = time.perf_counter()
        digest = bytes(32)
        for line in lines:
            digest = sha256(digest + line).digest()
        best = max(best, len(lines) / (time.perf_counter() - start))
        best_cpu = max(best_cpu, len(lines) / max(time.process_time() - cpu, 1e-9))
    return best, best_cpu


def _spread(values: list[float], spec: str) -> str:
    return "/".join(
        format(value, spec) for value in (min(values), statistics.median(values), max(values))
    )


def _ratios(results: list[dict[str, float]]) -> list[float]:
    return [result["records_per_s"] / result["chain_per_s"] for result in results]


def _row(name: str, records: int, results: list[dict[str, float]], goal: float | None) -> None:
    ratios = _ratios(results)
    cpu_ratios = [result["cpu_records_per_s"] / result["chain_cpu_per_s"] for result in results]
    verdict = ""
    if goal is not None:
        verdict = f"  goal >= {goal}: {'PASS' if statistics.median(ratios) >= goal else 'MISS'}"
    print(
        f"{name:<20}{records:>10,}{_spread([r['records_per_s'] for r in results], ',.0f'):>28}"
        f"{_spread([r['chain_per_s'] for r in results], ',.0f'):>32}"
        f"{_spread(ratios, '.3f'):>20}{_spread(cpu_ratios, '.3f'):>20}"
        f"{_spread([r['peak_rss_mib'] for r in results], '.1f'):>18}{verdict}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--each-sync-records", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, path = args.child[0], Path(args.child[1])
        result = (
            _child_append(path, int(args.child[2]), args.child[3])
            if kind == "append"
            else _child_verify(path)
        )
        print(json.dumps(result))
        return 0

    print(machine())
    print(f"{args.runs} run(s), sizes interleaved; figures are min/median/max over the runs")
    print(
        f"{'operation':<20}{'records':>10}{'records/s':>28}{'raw chain records/s':>32}"
        f"{'ratio (wall)':>20}{'ratio (CPU)':>20}{'peak RSS MiB':>18}"
    )
    each_runs: list[dict[str, float]] = []
    appends: dict[int, list[dict[str, float]]] = {size: [] for size in args.sizes}
    verifies: dict[int, list[dict[str, float]]] = {size: [] for size in args.sizes}
    with tempfile.TemporaryDirectory() as directory:
        for run in range(args.runs):
            # A fresh directory per run: no log, checkpoint file or lock is left over.
            run_dir = Path(directory) / f"run-{run}"
            run_dir.mkdir()
            each = run_dir / "each.log"
            each_runs.append(_run_child("append", str(each), str(args.each_sync_records), "each"))
            for size in args.sizes:
                path = run_dir / f"log-{size}.log"
                appends[size].append(_run_child("append", str(path), str(size), "batch"))
                verifies[size].append(_run_child("verify", str(path)))
                path.unlink()
    _row("append (sync=each)", args.each_sync_records, each_runs, None)
    for size in args.sizes:
        _row("append (sync=batch)", size, appends[size], APPEND_GOAL)
        _row("verify", size, verifies[size], VERIFY_GOAL)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"load average at the end {load}; goals judged on the median wall-clock ratio (the CPU "
        "ratio leaves out waiting for a core, and for the disk)"
    )
    for size in args.sizes:
        goal(f"evidence append ÷ raw SHA-256 chain, {size:,} records", _ratios(appends[size]),
             ">=", APPEND_GOAL)  # fmt: skip
        goal(f"evidence verify ÷ raw SHA-256 chain, {size:,} records", _ratios(verifies[size]),
             ">=", VERIFY_GOAL)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
