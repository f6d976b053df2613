"""What a finished run writes into its folder. `run.json` first (the run, scored); then each
writer in `WRITERS`, in order, which may read it (the after-action report, the evidence pack);
then `run.json` again, naming every file written (`ExerciseRun.files`).

A writer is `(run, folder) -> {role: file name relative to folder}`; the report and pack writers
register themselves here (docs/exercises.md, "The run's folder").
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from magento_ir._files import write_private
from magento_ir.exercise.result import RUN_FILE, ExerciseRun

__all__ = ["WRITERS", "Writer", "write_outputs", "write_run"]

Writer = Callable[[ExerciseRun, Path], dict[str, str]]
WRITERS: list[Writer] = []


def write_run(run: ExerciseRun, folder: Path) -> None:
    write_private(folder / RUN_FILE, (run.model_dump_json(indent=2) + "\n").encode())


def write_outputs(run: ExerciseRun, folder: Path) -> ExerciseRun:
    """Write run.json and every registered output; return the run naming its files."""
    run = run.model_copy(update={"files": {**run.files, "run": RUN_FILE}})
    write_run(run, folder)
    files = dict(run.files)
    for writer in WRITERS:
        files.update(writer(run, folder))
    run = run.model_copy(update={"files": files})
    write_run(run, folder)
    return run
