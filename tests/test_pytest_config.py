"""The suite's pytest configuration: a failing test is reported as a failure, never as a crash, and
the tests of the one shared real store never run side by side on two workers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]

FAILING_PROPERTY = """
from hypothesis import given, strategies as st


@given(st.integers())
def test_small(number: int) -> None:
    assert number < 5
"""


def test_a_failing_property_test_is_reported_not_an_internal_error(tmp_path: Path) -> None:
    # With filterwarnings = error, a deprecation warning raised while hypothesis reports a failure
    # used to crash pytest (INTERNALERROR) and hide which test failed.
    (tmp_path / "test_property.py").write_text(FAILING_PROPERTY)
    result = subprocess.run(  # noqa: S603 - our own interpreter on a file this test wrote
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(REPOSITORY / "pyproject.toml"),
            "--rootdir",
            str(tmp_path),
            "--no-cov",
            "-p",
            "no:cacheprovider",
            "-q",
            str(tmp_path / "test_property.py"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert "INTERNALERROR" not in output
    assert result.returncode == 1, output
    assert "FAILED" in output
    assert "test_small" in output


def test_every_real_store_test_runs_on_one_worker(request: pytest.FixtureRequest) -> None:
    """Each test of the real store is in the xdist group "real-store"; on a worker its node id
    carries the group, which is what keeps the group on one worker."""
    real = [
        item
        for item in request.session.items
        if item.get_closest_marker("real_store") is not None
        or getattr(getattr(item, "callspec", None), "params", {}).get("magento_store") == "real"
    ]
    if not real:
        pytest.skip("this run collected no real-store test")
    for item in real:
        assert [mark.args for mark in item.iter_markers("xdist_group")] == [("real-store",)]
        if "PYTEST_XDIST_WORKER" in os.environ and request.config.getvalue("loadgroup"):
            assert item.nodeid.endswith("@real-store"), item.nodeid
