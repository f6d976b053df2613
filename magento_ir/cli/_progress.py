"""Progress a responder can trust: bars on stderr fed by the real per-entity work, and the line
that names the journal and the command that verifies it.

Every command that runs steps (`contain`, `rollback`, `verify`, `drill`, `evidence capture`)
shows progress the same way: one bar for the steps, one per step (or category) with the entities
done, the total known so far and the rate, updated from the write loops' own callbacks
(`Incident.on_entities`, the capture's progress), never from a timer. The bars go to stderr and
only when stderr is a terminal, not with `--quiet` and not with `--json` (or `--output json`):
stdout stays the tables or the one JSON document.
"""

from __future__ import annotations

import shlex
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from magento_ir.cli._errors import errors

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rich.progress import Task

    from magento_ir.cli._app import GlobalOptions
    from magento_ir.cli._output import Output
    from magento_ir.containment._model import EntityCount
    from magento_ir.containment.actions import Action
    from magento_ir.containment.incident import StepReport

__all__ = ["Bars", "bars", "journal_line", "shows_progress"]


class _Rate(ProgressColumn):
    """Entities per second, from rich's own samples of the updates (blank until it knows)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f}/s", style="progress.data.speed")


def shows_progress(out: Output, options: GlobalOptions) -> bool:
    """Bars only on a terminal's stderr, never with --quiet or a JSON document on stdout."""
    return errors.is_terminal and not options.quiet and not out.json


class Bars:
    """The bars of one command: `steps` for the steps, `entities` per step or category.

    Every method is a no-op when progress is not shown (`Bars(None)`)."""

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._steps: TaskID | None = None
        self._label = ""
        self._entities: dict[str, TaskID] = {}

    def steps(self, total: int | None, description: str) -> None:
        """The steps bar (`total` None: a spinner, for work of unknown length)."""
        self._label = description
        if self._progress is not None:
            self._steps = self._progress.add_task(description, total=total)

    def step(self, description: str) -> None:
        """The next step starts (its name shown on the steps bar)."""
        if self._progress is not None and self._steps is not None:
            self._progress.update(self._steps, description=f"{self._label}: {description}")

    def step_done(self) -> None:
        if self._progress is not None and self._steps is not None:
            self._progress.advance(self._steps)

    def told(self, action: Action, report: StepReport | None) -> None:
        """The incident's step progress (`Incident.run(progress=...)` and the like): before
        each step (no report yet) and after it."""
        if report is None:
            self.step(action.kind)
        else:
            self.step_done()

    def count(self, key: str, description: str, done: int, total: int | None) -> None:
        """`done` of `total` entities of `key` (a step id, a category), as the work reports."""
        if self._progress is None:
            return
        task = self._entities.get(key)
        if task is None:
            task = self._progress.add_task(f"  {description}", total=total)
            self._entities[key] = task
        self._progress.update(task, completed=done, total=total)

    def entities(self, count: EntityCount) -> None:
        """`Incident.on_entities`: a step's writes (or rollback writes) as they finish."""
        verb = "rolling back" if count.phase == "rollback" else count.action
        self.count(f"{count.phase}:{count.step}", verb, count.done, count.total)

    def capture(self, category: str, done: int, total: int | None) -> None:
        """The evidence capture's callback: records of a category as they are written."""
        self.count(category, category, done, total)


@contextmanager
def bars(out: Output, options: GlobalOptions) -> Iterator[Bars]:
    """The command's bars on stderr (or a silent stand-in: see `shows_progress`)."""
    if not shows_progress(out, options):
        yield Bars(None)
        return
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _Rate(),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
    )
    with progress:
        yield Bars(progress)


def journal_line(journal: Path, options: GlobalOptions, *extra: str) -> str:
    """`journal: PATH — verify with: magento-ir verify --journal PATH`, with the store options
    typed on the command line (never a credential) so the command can be pasted as it is."""
    path = str(Path(journal).resolve())
    words = ["magento-ir"]
    for flag, value in (
        ("--profile", options.profile),
        ("--profiles-file", options.profiles_file),
        ("--base-url", options.flags.base_url),
        ("--storefront-url", options.flags.storefront_url),
    ):
        if value is not None:
            words += [flag, str(value)]
    words += ["verify", "--journal", path, *extra]
    return f"journal: {path} — verify with: {shlex.join(words)}"
