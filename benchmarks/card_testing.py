"""Card-testing detection: precision, recall and time to detect per attack shape.

The sandbox's traffic generator (magento_ir/sandbox/card_traffic.py) makes `--days` of normal
orders (`--rate` x a day curve of about 15 orders an hour) with every attack shape mixed in once
a week after the first (baseline) week; the detector (shipped thresholds, or `--thresholds`)
reads them as `magento-ir watch` would, every `--poll` seconds, its state round-tripped through
JSON. Several seeds (`--seeds`) are summed. Results go in docs/detection.md, "Card testing".

Each figure is also reported through `_goals.goal` (run_all's table), per traffic rate: alert
precision (>= 0.95 at normal traffic, >= 0.85 above it: docs/detection.md's figures are 1.0
and 0.88), and per attack shape recall (>= 0.9) and the median time to detect (fast shapes
within two polls, 10 minutes; slow ones within an hour). The verdicts guard the documented
figures against regressions; the seeds' figures are summed, so each goal has one value.

    python benchmarks/card_testing.py [--seeds 5] [--days 28] [--rate 1 --rate 4] [--poll 300]
                                      [--thresholds FILE] [--json]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from _goals import goal

from magento_ir.detect._card_eval import replay, score
from magento_ir.detect.cards import CardThresholds
from magento_ir.sandbox.card_traffic import SHAPES, generate


def _run(seeds: int, days: int, rate: float, poll: int, limits: CardThresholds) -> dict:
    runs = []
    for seed in range(1, seeds + 1):
        traffic = generate(seed=seed, days=days, rate=rate)
        runs.append(score(traffic, replay(traffic, limits, poll=poll)).to_json())
    shapes = {}
    for shape in SHAPES:
        rows = [run["shapes"][shape.name] for run in runs]
        attacks = sum(r["attacks"] for r in rows)
        detected = sum(r["detected"] for r in rows)
        medians = [r["median_seconds_to_detect"] for r in rows if r["detected"]]
        shapes[shape.name] = {
            "attacks": attacks,
            "detected": detected,
            "recall": round(detected / attacks, 3) if attacks else None,
            "median_minutes_to_detect": round(statistics.median(medians) / 60, 1)
            if medians
            else None,
            "max_minutes_to_detect": round(
                max(r["max_seconds_to_detect"] for r in rows if r["detected"]) / 60, 1
            )
            if medians
            else None,
            "signals": sorted({s for r in rows for s in r["signals"]}),
        }
    alerts = sum(run["alerts"] for run in runs)
    true = sum(run["true_alerts"] for run in runs)
    false_by_signal: dict[str, int] = {}
    for run in runs:
        for signal, count in run["false_alerts_by_signal"].items():
            false_by_signal[signal] = false_by_signal.get(signal, 0) + count
    return {
        "rate": rate,
        "orders": sum(run["orders"] for run in runs),
        "days": round(sum(run["days"] for run in runs), 1),
        "alerts": alerts,
        "precision": round(true / alerts, 3) if alerts else None,
        "false_alerts_per_day": round((alerts - true) / sum(run["days"] for run in runs), 3),
        "false_alerts_by_signal": false_by_signal,
        "order_precision": round(statistics.mean(run["order_precision"] for run in runs), 3),
        "shapes": shapes,
    }


# Median minutes to detect: fast shapes within two 5-minute polls, slow ones within the hour.
FAST_TTD_MINUTES = 10.0
SLOW_TTD_MINUTES = 60.0


def _goals(result: dict) -> None:
    """One goal line per figure of one traffic rate (see the module docstring)."""
    rate = f"x{result['rate']:g}"
    precision = result["precision"]
    floor = 0.95 if result["rate"] <= 1 else 0.85
    goal(f"card testing {rate}: alert precision", [precision] if precision is not None else [],
         ">=", floor)  # fmt: skip
    for name, shape in result["shapes"].items():
        recall = shape["recall"]
        goal(f"card testing {rate}: {name} recall", [recall] if recall is not None else [],
             ">=", 0.9)  # fmt: skip
        ttd = shape["median_minutes_to_detect"]
        ceiling = FAST_TTD_MINUTES if name.startswith("fast") else SLOW_TTD_MINUTES
        goal(f"card testing {rate}: {name} median TTD (min)", [ttd] if ttd is not None else [],
             "<=", ceiling, spec=".1f")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--rate", type=float, action="append")
    parser.add_argument("--poll", type=int, default=300)
    parser.add_argument("--thresholds", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    limits = CardThresholds.load(args.thresholds) if args.thresholds else CardThresholds.shipped()
    started = time.perf_counter()
    results = [_run(args.seeds, args.days, rate, args.poll, limits) for rate in args.rate or [1.0]]
    report = {
        "command": "python " + " ".join(["benchmarks/card_testing.py", *sys.argv[1:]]),
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()} {platform.system()}, Python {platform.python_version()}",
        "seconds": round(time.perf_counter() - started, 1),
        "poll_seconds": args.poll,
        "results": results,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for result in results:
        _goals(result)
    print(f"{report['command']}\n{report['date']}, {report['machine']}, {report['seconds']} s")
    for result in results:
        print(
            f"\nrate x{result['rate']:g}: {result['orders']} orders over {result['days']} days, "
            f"{result['alerts']} alerts, precision {result['precision']}, "
            f"{result['false_alerts_per_day']} false alerts/day "
            f"{result['false_alerts_by_signal'] or ''}, orders named in alerts that were "
            f"attack orders {result['order_precision']}"
        )
        print(
            "| shape | attacks | detected | recall | TTD median (min) | TTD max (min) | signals |"
        )
        print("|---|---:|---:|---:|---:|---:|---|")
        for name, shape in result["shapes"].items():
            print(
                f"| {name} | {shape['attacks']} | {shape['detected']} | {shape['recall']} | "
                f"{shape['median_minutes_to_detect']} | {shape['max_minutes_to_detect']} | "
                f"{', '.join(shape['signals'])} |"
            )


if __name__ == "__main__":
    main()
