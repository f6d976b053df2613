"""Re-execute the example notebook and write it with its outputs, or check they are current.

    python scripts/execute_notebook.py           # rewrite docs/notebooks/evidence.ipynb
    python scripts/execute_notebook.py --check   # exit 1, saying what differs, when stale

The notebook is committed executed so that its tables and plot show on a code host. To make its
outputs the same from run to run, the evidence log's clock is fixed while it runs (from
2026-01-01T09:00:00Z, 5 ms per reading) by a setup cell that is run first and not kept; the
sandbox store is seeded in the notebook itself. What still differs between runs is normalised
before comparing: the log's root hash (its custody record names this host and process), the log
table's hash and payload cells (record hashes, this run's capture id, measured durations), and
the plot's PNG when it was drawn by another matplotlib than the committed one (then only its
size is compared: fonts and antialiasing differ between versions).
"""

from __future__ import annotations

import argparse
import base64
import copy
import os
import re
import struct
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = REPO_ROOT / "docs" / "notebooks" / "evidence.ipynb"
REGENERATE = "python scripts/execute_notebook.py"
CLOCK_START = "2026-01-01T09:00:00Z"
_CLOCK_START_NS = 1_767_258_000 * 1_000_000_000
_CLOCK_STEP_NS = 5_000_000

# Run in the kernel before the notebook's cells; removed from the result.
_SETUP = f"""
import magento_ir.evidence.log as _evidence_log


class _FixedClock:
    # The evidence log reads time.time_ns() once per record: a fixed start, a fixed step.
    def __init__(self, real):
        self._real, self._next = real, {_CLOCK_START_NS}

    def time_ns(self):
        self._next += {_CLOCK_STEP_NS}
        return self._next - {_CLOCK_STEP_NS}

    def __getattr__(self, name):
        return getattr(self._real, name)


_evidence_log.time = _FixedClock(_evidence_log.time)
del _FixedClock, _evidence_log
"""

# What differs between runs of the same notebook, and what it is compared as.
_RUN_SPECIFIC = (
    # The log's root hash: its custody records name this host and process.
    (re.compile(r"root [0-9a-f]{64}"), "root <root>"),
    # The log table's hash and payload columns: hashes, ids of this run, measured durations.
    (re.compile(r"<code>.*?</code>", re.DOTALL), "<code>...</code>"),
)


def execute(source: Path = NOTEBOOK) -> Any:  # noqa: ANN401 - an nbformat NotebookNode
    """The notebook at `source`, executed afresh on the fixed clock (not written anywhere)."""
    import matplotlib as mpl  # noqa: PLC0415 - the notebook extra, needed only here
    import nbformat  # noqa: PLC0415
    from nbclient import NotebookClient  # noqa: PLC0415

    notebook = nbformat.read(source, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            cell.metadata.pop("execution", None)
    setup = nbformat.v4.new_code_cell(_SETUP)
    setup.id = "fixed-clock-setup"
    notebook.cells.insert(0, setup)
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(source.parent)}},
    )
    saved = {name: os.environ.get(name) for name in ("JUPYTER_PLATFORM_DIRS", "PYTHONPATH")}
    # jupyter_core warns about its path migration unless told which scheme to use; the kernel
    # imports this checkout's magento_ir, wherever this is run from.
    os.environ["JUPYTER_PLATFORM_DIRS"] = "1"
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, (str(REPO_ROOT), saved["PYTHONPATH"])))
    try:
        client.execute()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    notebook.cells.pop(0)
    count = 0
    for cell in notebook.cells:
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count
            for output in cell.outputs:
                if "execution_count" in output:
                    output.execution_count = count
    notebook.metadata["magento_ir"] = {
        "executed_by": REGENERATE,
        "clock": f"fixed, from {CLOCK_START}, {_CLOCK_STEP_NS // 1_000_000} ms per reading",
        "matplotlib": mpl.__version__,
    }
    # The kernel's exact Python version is not the notebook's business.
    notebook.metadata.get("language_info", {}).pop("version", None)
    return notebook


def _normalised_text(text: str) -> str:
    for pattern, replacement in _RUN_SPECIFIC:
        text = pattern.sub(replacement, text)
    return text


def _png_size(data: str) -> tuple[int, int]:
    header = base64.b64decode(data)[:24]
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def normalised(notebook: Any, *, exact_png: bool) -> list[list[dict[str, Any]]]:  # noqa: ANN401
    """Each code cell's outputs with what legitimately differs between runs replaced."""
    cells = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in copy.deepcopy(cell.outputs):
            output = dict(output)  # noqa: PLW2901 - a normalised copy
            data = dict(output.get("data", {}))
            if "image/png" in data and not exact_png:
                data["image/png"] = "<png %dx%d>" % _png_size(data["image/png"])  # noqa: UP031
            for kind, value in data.items():
                if isinstance(value, str):
                    data[kind] = _normalised_text(value)
            if data:
                output["data"] = data
            if isinstance(output.get("text"), str):
                output["text"] = _normalised_text(output["text"])
            outputs.append(output)
        cells.append(outputs)
    return cells


def differences(committed: Any, fresh: Any) -> list[str]:  # noqa: ANN401
    """Where the committed notebook's outputs differ from a fresh run's (empty: current)."""
    same_matplotlib = (
        committed.metadata.get("magento_ir", {}).get("matplotlib")
        == (fresh.metadata["magento_ir"]["matplotlib"])
    )
    old = normalised(committed, exact_png=same_matplotlib)
    new = normalised(fresh, exact_png=same_matplotlib)
    if len(old) != len(new):
        return [f"the notebook has {len(new)} code cells, its committed outputs {len(old)}"]
    found = []
    for number, (before, after) in enumerate(zip(old, new, strict=True), 1):
        if before != after:
            found.append(f"code cell {number}: committed {_short(before)}, now {_short(after)}")
    return found


def _short(outputs: list[dict[str, Any]]) -> str:
    text = repr(outputs)
    return text if len(text) <= 300 else text[:297] + "..."  # noqa: PLR2004


def stale_message(found: list[str], path: Path = NOTEBOOK) -> str:
    shown = "\n  ".join(found)
    name = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path
    command = REGENERATE if path == NOTEBOOK else f"{REGENERATE} {path}"
    return (
        f"{name}'s committed outputs are not what it produces now:\n"
        f"  {shown}\nRegenerate them with: {command}"
    )


def main(argv: list[str] | None = None) -> int:
    import nbformat  # noqa: PLC0415

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 if stale")
    parser.add_argument("notebook", nargs="?", type=Path, default=NOTEBOOK)
    args = parser.parse_args(argv)
    fresh = execute(args.notebook)
    if args.check:
        found = differences(nbformat.read(args.notebook, as_version=4), fresh)
        if found:
            print(stale_message(found, args.notebook.resolve()), file=sys.stderr)
            return 1
        print(f"{args.notebook}: committed outputs are current")
        return 0
    nbformat.write(fresh, args.notebook)
    print(f"wrote {args.notebook}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
