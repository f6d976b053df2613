"""The suite's pytest configuration reports a failing test as a failure, never as a crash."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
