"""The exercise's timeline plot: injects, actions, decisions, objectives reached and legal
deadlines on one time axis, as PNG and SVG (matplotlib, the `report` extra).

Seconds after the start run to the deadlines, days later, on a symmetric-log axis: linear for
the first second, logarithmic after, so a run of a few seconds and a 30-day deadline are both
readable. Each lane has its own marker shape as well as its colour (Okabe-Ito, safe for colour
blindness), so nothing is told by colour alone. `alt` describes the same content in words.

Deterministic: the same run gives the same bytes (Agg canvas without pyplot's global state,
text drawn as paths, fixed SVG ids, no date or software stamp).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from magento_ir.exercise.result import ExerciseRun

__all__ = ["Timeline", "describe", "duration", "timeline"]

# Lane (top to bottom), the event kinds drawn in it, marker, Okabe-Ito colour.
_LANES = (
    ("Injects", ("inject",), "v", "#0072B2"),
    ("Actions", ("action", "detection", "note"), "o", "#009E73"),
    ("Decisions", ("decision",), "D", "#CC79A7"),
    ("Objectives", ("objective",), "*", "#E69F00"),
    ("Legal deadlines", ("deadline",), "|", "#D55E00"),
)
_TICKS = (
    (0, "0"), (1, "1 s"), (10, "10 s"), (60, "1 min"), (600, "10 min"), (3600, "1 h"),
    (6 * 3600, "6 h"), (86400, "1 d"), (7 * 86400, "7 d"), (30 * 86400, "30 d"),
    (90 * 86400, "90 d"), (365 * 86400, "1 y"),
)  # fmt: skip
WIDTH_IN, HEIGHT_IN, DPI = 10.0, 4.0, 100


@dataclass(frozen=True, slots=True)
class Timeline:
    png: bytes
    svg: bytes
    alt: str
    # Pixel size of the PNG.
    width: int
    height: int


def duration(seconds: float) -> str:
    """`0.5 s`, `12 min`, `3.0 h`, `30.0 d`: a span in the unit that reads best."""
    size = abs(seconds)
    if size < 60:  # noqa: PLR2004
        return f"{seconds:.1f} s"
    if size < 3600:  # noqa: PLR2004
        return f"{seconds / 60:.0f} min"
    if size < 86400:  # noqa: PLR2004
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def _points(run: ExerciseRun) -> list[tuple[int, float, str]]:
    """(lane, seconds after the start, label) of every event and fixed deadline."""
    lanes = {kind: index for index, (_, kinds, _, _) in enumerate(_LANES) for kind in kinds}
    points = [
        (lanes[event.kind], (event.at - run.started_at).total_seconds(), event.ref)
        for event in run.events
        if event.kind in lanes and event.kind != "deadline"
    ]
    points += [
        (len(_LANES) - 1, (item.deadline - run.started_at).total_seconds(), item.key)
        for item in run.obligations
        if item.deadline is not None
    ]
    return points


def describe(run: ExerciseRun) -> str:
    """The plot in words (its text alternative)."""
    points = _points(run)
    parts = [f"Timeline of exercise {run.run_id} (scenario {run.scenario}) after the start"]
    for index, (name, _, _, _) in enumerate(_LANES[:-1]):
        times = [at for lane, at, _ in points if lane == index]
        if times:
            parts.append(
                f"{len(times)} {name.lower()} from {duration(min(times))} to {duration(max(times))}"
            )
        else:
            parts.append(f"no {name.lower()}")
    reached = ", ".join(
        f"{objective} at {duration((at - run.started_at).total_seconds())}"
        for objective, at in sorted(run.reached.items(), key=lambda item: item[1])
    )
    parts.append(f"objectives reached: {reached or 'none'}")
    deadlines = [
        f"{item.key} at {duration((item.deadline - run.started_at).total_seconds())}"
        if item.deadline is not None
        else f"{item.key} with no fixed period ({item.deadline_text})"
        for item in run.obligations
    ]
    parts.append(f"legal deadlines: {'; '.join(deadlines) or 'none'}")
    return "; ".join(parts) + "."


def _style() -> dict[Any, Any]:
    return {
        "font.family": "DejaVu Sans",
        "font.size": 9,
        "svg.fonttype": "path",
        "svg.hashsalt": "magento-ir-exercise",
        "path.simplify": False,
        "axes.edgecolor": "#333333",
    }


def timeline(run: ExerciseRun) -> Timeline:
    """Draw the run's timeline; needs matplotlib (`pip install "magento-ir[report]"`)."""
    import matplotlib as mpl  # noqa: PLC0415 - the report extra, imported only to draw
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415

    points = _points(run)
    last = max((at for _, at, _ in points), default=1.0)
    with mpl.rc_context(_style()):
        figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        for index, (name, _, marker, colour) in enumerate(_LANES):
            times = [at for lane, at, _ in points if lane == index]
            lane_y = len(_LANES) - 1 - index
            # An unfilled marker ("|") takes its colour from the face, a filled one an outline.
            outline = {"linewidths": 2} if marker == "|" else {"edgecolors": "#1a1a1a"}
            axes.scatter(
                times, [lane_y] * len(times), marker=marker, s=90 if marker == "|" else 40,
                color=colour, label=name, zorder=3, **outline,
            )  # fmt: skip
            if index == len(_LANES) - 1:
                for _, at, label in (p for p in points if p[0] == index):
                    axes.axvline(at, color=colour, linewidth=0.8, linestyle="--", zorder=1)
                    axes.annotate(
                        label, (at, lane_y), xytext=(-4, 8), textcoords="offset points",
                        ha="right", fontsize=7, color="#1a1a1a",
                    )  # fmt: skip
        axes.set_xscale("symlog", linthresh=1.0)
        ticks = [(at, label) for at, label in _TICKS if at <= max(last * 1.5, 10)]
        axes.set_xticks([at for at, _ in ticks], [label for _, label in ticks])
        axes.set_xlim(-0.2, max(last * 1.5, 10))
        axes.set_yticks(
            range(len(_LANES)), [name for name, _, _, _ in reversed(_LANES)]
        )  # fmt: skip
        axes.set_ylim(-0.7, len(_LANES) - 0.3)
        axes.grid(axis="x", color="#cccccc", linewidth=0.5)
        axes.set_xlabel("Time after the start (linear to 1 s, logarithmic after)")
        axes.set_title(f"{run.title}: timeline of run {run.run_id}", loc="left", fontsize=10)
        figure.tight_layout()
        png, svg = io.BytesIO(), io.BytesIO()
        figure.savefig(png, format="png", metadata={"Software": None})
        figure.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    width, height = int(WIDTH_IN * DPI), int(HEIGHT_IN * DPI)
    return Timeline(png.getvalue(), svg.getvalue(), describe(run), width, height)
