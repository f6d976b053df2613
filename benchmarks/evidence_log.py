"""Evidence log throughput and memory: append and verify records/s and peak RSS at several sizes.

    python benchmarks/evidence_log.py [--sizes 10000 100000 1000000]

Each measurement runs in a fresh child process so its peak RSS is its own. Records are
~490-byte `capture.http_exchange` lines like the collectors write. The raw SHA-256 speed of this
machine is printed first as the limit: verifying a record needs at least three SHA-256 calls
(entry, payload, and on average one Merkle node), appending the same three.

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
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Literal

from magento_ir.evidence import EvidenceLog, SigningKey, verify

PAYLOAD = {
    "request": {"method": "GET", "url": "/rest/V1/orders?searchCriteria[pageSize]=100"},
    "response": {"status": 200, "body_sha256": "ab" * 32, "body_length": 48213},
    "elapsed_ms": 182,
}


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child_append(path: Path, count: int, sync: str) -> dict[str, float]:
    key = SigningKey.generate("benchmark")
    start = time.perf_counter()
    mode: Literal["each", "batch"] = "each" if sync == "each" else "batch"
    with EvidenceLog.open(path, key=key, sync=mode, checkpoint_every=10_000) as log:
        for _ in range(count):
            log.append("capture.http_exchange", PAYLOAD)
    elapsed = time.perf_counter() - start
    return {"records_per_s": count / elapsed, "peak_rss_mib": _peak_rss_mib()}


def _child_verify(path: Path) -> dict[str, float]:
    start = time.perf_counter()
    report = verify(path)
    elapsed = time.perf_counter() - start
    if not report.ok:
        raise SystemExit(f"benchmark log does not verify: {report.summary()}")
    return {"records_per_s": report.records / elapsed, "peak_rss_mib": _peak_rss_mib()}


def _run_child(*args: str) -> dict[str, float]:
    output = subprocess.run(  # noqa: S603 - this script re-running itself
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=True
    ).stdout
    result: dict[str, float] = json.loads(output)
    return result


def _raw_sha256(size: int = 490, seconds: float = 1.0) -> float:
    """SHA-256 calls per second on `size`-byte inputs: the machine's hashing limit."""
    data = b"x" * size
    sha256 = hashlib.sha256
    count = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(10_000):
            sha256(data).digest()
        count += 10_000
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--each-sync-records", type=int, default=2_000)
    parser.add_argument("--sha-seconds", type=float, default=1.0)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, path = args.child[0], Path(args.child[1])
        result = (
            _child_append(path, int(args.child[2]), args.child[3])
            if kind == "append"
            else _child_verify(path)
        )
        print(json.dumps(result))
        return

    raw = _raw_sha256(seconds=args.sha_seconds)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load}")
    print(f"raw SHA-256 on 490-byte inputs: {raw:,.0f} hashes/s")
    print(f"  => hashing limit at 3 SHA-256 per record: {raw / 3:,.0f} records/s")
    print(f"{'operation':<22}{'records':>10}{'records/s':>14}{'peak RSS MiB':>14}")
    with tempfile.TemporaryDirectory() as directory:
        each = Path(directory) / "each.log"
        result = _run_child("append", str(each), str(args.each_sync_records), "each")
        print(
            f"{'append (sync=each)':<22}{args.each_sync_records:>10,}"
            f"{result['records_per_s']:>14,.0f}{result['peak_rss_mib']:>14.1f}"
        )
        for size in args.sizes:
            path = Path(directory) / f"log-{size}.log"
            appended = _run_child("append", str(path), str(size), "batch")
            verified = _run_child("verify", str(path))
            print(
                f"{'append (sync=batch)':<22}{size:>10,}"
                f"{appended['records_per_s']:>14,.0f}{appended['peak_rss_mib']:>14.1f}"
            )
            print(
                f"{'verify':<22}{size:>10,}"
                f"{verified['records_per_s']:>14,.0f}{verified['peak_rss_mib']:>14.1f}"
            )
            path.unlink()


if __name__ == "__main__":
    main()
