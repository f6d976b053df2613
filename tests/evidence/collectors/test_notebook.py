"""The example notebook docs/notebooks/evidence.ipynb runs top to bottom and shows the capture."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import REPO_ROOT

NOTEBOOK = REPO_ROOT / "docs" / "notebooks" / "evidence.ipynb"


def _texts(cell: Any) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        data = output.get("data", {})
        parts.extend(str(data.get(kind, "")) for kind in ("text/plain", "text/html"))
    return "\n".join(parts)


def test_example_notebook_executes_and_shows_the_capture(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Executed with nbclient, the notebook captures, verifies, and renders tables and timeline."""
    pytest.importorskip("pandas", reason="the notebook extra (pandas) is not installed")
    import nbformat  # noqa: PLC0415 - only after the pandas check
    from nbclient import NotebookClient  # noqa: PLC0415

    # jupyter_core warns about its path migration unless told which scheme to use.
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()

    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(not any(o.output_type == "error" for o in cell.outputs) for cell in code)
    outputs = [_texts(cell) for cell in code]
    summary, verified, counts, customers, scripts, rendered = outputs[1:]
    assert "customers" in summary
    assert "complete" in summary
    assert "not_collected" in summary
    assert "OK: " in verified
    assert "signed checkpoints match" in verified
    assert "capture.customer         212" in counts
    assert "212 customers captured" in customers
    assert "https://cdn-jquery.example.org/jq.js" in scripts
    assert "<svg" in rendered
    assert "capture.storefront_page" in rendered
