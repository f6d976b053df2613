"""Notebook views of an evidence log: a pandas DataFrame (optional `notebook` extra) and HTML.

pandas is imported only when a DataFrame is asked for, so the rest of magento_ir never needs it.
"""

from __future__ import annotations

import html
import os
from collections import deque
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from magento_ir.evidence.log import Record, canonical_json, read_records

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["log_html", "timeline_svg", "to_dataframe"]

COLUMNS = ["seq", "time", "type", "payload", "payload_sha256", "prev", "hash"]
_SUMMARY_LENGTH = 120


def to_dataframe(source: str | os.PathLike[str] | Iterable[Record]) -> Any:  # noqa: ANN401 - pandas is optional, so untyped here
    """The log's records as a pandas DataFrame indexed by `seq`, `time` as UTC timestamps."""
    try:
        import pandas as pd  # type: ignore[import-untyped, import-not-found, unused-ignore]  # noqa: PLC0415
    except ImportError as exc:
        raise ImportError("to_dataframe needs pandas: pip install 'magento-ir[notebook]'") from exc
    records = read_records(source) if isinstance(source, str | os.PathLike) else source
    rows = [(r.seq, r.time, r.type, r.payload, r.payload_sha256, r.prev, r.hash) for r in records]
    frame = pd.DataFrame.from_records(rows, columns=COLUMNS)
    frame["time"] = pd.to_datetime(frame["time"], utc=True, format="ISO8601")
    return frame.set_index("seq")


def _summary(payload: dict[str, Any]) -> str:
    text = canonical_json(payload)
    return text if len(text) <= _SUMMARY_LENGTH else text[: _SUMMARY_LENGTH - 1] + "\u2026"


def log_html(path: str | os.PathLike[str], *, head: int = 10, tail: int = 10) -> str:
    """An HTML table of the first `head` and last `tail` records (streamed, constant memory)."""
    first: list[Record] = []
    last: deque[Record] = deque(maxlen=tail)
    total = 0
    for record in read_records(path):
        total += 1
        if len(first) < head:
            first.append(record)
        else:
            last.append(record)
    shown = [*first, *last]
    rows = []
    for index, record in enumerate(shown):
        if index == len(first) and total > len(shown):
            rows.append(
                f'<tr><td colspan="5">\u2026 {total - len(shown)} more records \u2026</td></tr>'
            )
        rows.append(
            "<tr>"
            f"<td>{record.seq}</td><td>{html.escape(record.time)}</td>"
            f"<td>{html.escape(record.type)}</td>"
            f"<td><code>{record.hash[:16]}</code></td>"
            f"<td><code>{html.escape(_summary(record.payload))}</code></td>"
            "</tr>"
        )
    caption = html.escape(f"{Path(path).name}: {total} records")
    timeline = timeline_svg(path, start=shown[0].time, end=shown[-1].time) if shown else ""
    return (
        f"{timeline}<table><caption>{caption}</caption><thead><tr><th>seq</th><th>time (UTC)</th>"
        "<th>type</th><th>hash</th><th>payload</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


_LANE_HEIGHT = 18
_LABEL_WIDTH = 170


def timeline_svg(
    path: str | os.PathLike[str], *, start: str, end: str, bins: int = 120, width: int = 720
) -> str:
    """An SVG timeline: one lane per record type, a dot per time bin holding records of it.

    `start` and `end` are the first and last record times; counts per bin keep memory flat.
    """
    t0 = datetime.fromisoformat(start).timestamp()
    span = max(datetime.fromisoformat(end).timestamp() - t0, 1e-6)
    counts: dict[str, dict[int, int]] = {}
    for record in read_records(path):
        offset = datetime.fromisoformat(record.time).timestamp() - t0
        index = min(bins - 1, max(0, int(offset / span * bins)))
        lane = counts.setdefault(record.type, {})
        lane[index] = lane.get(index, 0) + 1
    plot_width = width - _LABEL_WIDTH - 10
    height = _LANE_HEIGHT * len(counts) + 24
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            'role="img" font-family="sans-serif" font-size="11">'
        ),
        f"<title>Evidence timeline {html.escape(start)} to {html.escape(end)}</title>",
    ]
    for lane_number, (record_type, bins_used) in enumerate(counts.items()):
        y = lane_number * _LANE_HEIGHT + 12
        parts.append(f'<text x="0" y="{y + 4}">{html.escape(record_type)}</text>')
        for index, count in sorted(bins_used.items()):
            x = _LABEL_WIDTH + (index + 0.5) * plot_width / bins
            radius = min(7.0, 2.0 + count.bit_length())
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y}" r="{radius:.1f}" fill="#1f6feb" fill-opacity="0.7">'
                f"<title>{html.escape(record_type)}: {count} records</title></circle>"
            )
    axis_y = height - 6
    parts.append(f'<text x="{_LABEL_WIDTH}" y="{axis_y}">{html.escape(start)}</text>')
    parts.append(f'<text x="{width - 10}" y="{axis_y}" text-anchor="end">{html.escape(end)}</text>')
    parts.append("</svg>")
    return "".join(parts)
