"""The example notebook docs/notebooks/evidence.ipynb runs top to bottom, shows the capture, and
is committed with the outputs it produces now (scripts/execute_notebook.py regenerates them)."""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT

NOTEBOOK = REPO_ROOT / "docs" / "notebooks" / "evidence.ipynb"
SCRIPT = REPO_ROOT / "scripts" / "execute_notebook.py"


def _script() -> Any:
    spec = importlib.util.spec_from_file_location("execute_notebook", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script() -> Any:
    pytest.importorskip("pandas", reason="the notebook extra (pandas) is not installed")
    pytest.importorskip("matplotlib", reason="the notebook extra (matplotlib) is not installed")
    return _script()


@pytest.fixture(scope="module")
def fresh(script: Any) -> Any:
    """The notebook executed now, as scripts/execute_notebook.py executes it."""
    return script.execute(NOTEBOOK)


@pytest.fixture(scope="module")
def committed() -> Any:
    import nbformat  # noqa: PLC0415 - a dev dependency, with the notebook extra

    return nbformat.read(NOTEBOOK, as_version=4)


def _texts(cell: Any) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        data = output.get("data", {})
        parts.extend(str(data.get(kind, "")) for kind in ("text/plain", "text/html"))
    return "\n".join(parts)


def _code(notebook: Any) -> list[Any]:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_example_notebook_executes_and_shows_the_capture(fresh: Any) -> None:
    """Executed with nbclient, the notebook captures, verifies, and renders tables, the
    timeline plot and the log's own view."""
    code = _code(fresh)
    assert all(not any(o.output_type == "error" for o in cell.outputs) for cell in code)
    summary, verified, counts, customers, scripts, plot, rendered = (
        _texts(cell) for cell in code[1:]
    )
    assert "customers" in summary
    assert "complete" in summary
    assert "not_collected" in summary
    assert "OK: " in verified
    assert "signed checkpoints match" in verified
    assert "capture.customer         212" in counts
    assert "212 customers captured" in customers
    assert "https://cdn-jquery.example.org/jq.js" in scripts
    assert "<Figure" in plot
    assert any("image/png" in output.get("data", {}) for output in code[6].outputs)
    assert "<svg" in rendered
    assert "capture.storefront_page" in rendered


def test_committed_outputs_are_current(script: Any, committed: Any, fresh: Any) -> None:
    """The committed notebook's outputs are what it produces now (normalised: see the script)."""
    found = script.differences(committed, fresh)
    assert not found, script.stale_message(found)


def test_a_stale_output_is_caught_with_how_to_regenerate(script: Any, committed: Any, fresh: Any):
    """The comparison can fail: one changed output is named, with the command that fixes it."""
    stale = copy.deepcopy(committed)
    customers = _code(stale)[4]
    for output in customers.outputs:
        if "text/plain" in output.get("data", {}):
            output.data["text/plain"] = output.data["text/plain"].replace("212", "211")
    found = script.differences(stale, fresh)
    assert len(found) == 1
    assert found[0].startswith("code cell 5: ")
    message = script.stale_message(found)
    assert "docs/notebooks/evidence.ipynb's committed outputs are not what it produces now" in (
        message
    )
    assert message.endswith("Regenerate them with: python scripts/execute_notebook.py")


def test_committed_notebook_shows_its_outputs_without_run_traces(committed: Any) -> None:
    """Every code cell is executed in order, the plot is an embedded PNG, and no output holds
    an absolute path or a time of the run (the clock was fixed)."""
    code = _code(committed)
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1))
    assert all(cell.outputs for cell in code[1:])
    pngs = [o for cell in code for o in cell.outputs if "image/png" in o.get("data", {})]
    assert len(pngs) == 1
    text = json.dumps([cell.outputs for cell in code])
    # Where a run's files live on the machine running this: home, temp and this checkout.
    places = (str(Path.home()), tempfile.gettempdir(), str(REPO_ROOT))
    for absolute in places:
        assert absolute not in text, absolute
    times = set(re.findall(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text))
    assert times == {"2026-01-01T09:00"}, times
    assert committed.metadata["magento_ir"]["executed_by"] == "python scripts/execute_notebook.py"
    for cell in code:
        assert "execution" not in cell.metadata  # nbclient's timings of the run
