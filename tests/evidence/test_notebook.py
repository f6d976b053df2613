"""Notebook views: a pandas DataFrame of the log and an HTML table."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from magento_ir.evidence import EvidenceLog, SigningKey, read_records
from magento_ir.evidence.notebook import log_html, timeline_svg, to_dataframe

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


def test_dataframe_has_one_row_per_record(make_log: Callable[..., Path]) -> None:
    """to_dataframe gives seq-indexed rows with UTC times and the record hashes."""
    pd = pytest.importorskip("pandas")
    path = make_log(4)
    frame = to_dataframe(path)
    records = list(read_records(path))
    assert list(frame.index) == [r.seq for r in records]
    assert list(frame["hash"]) == [r.hash for r in records]
    assert list(frame["type"]) == ["custody"] + ["detection"] * 4
    assert str(frame["time"].dt.tz) == "UTC"
    assert frame["time"].iloc[0] == pd.Timestamp(records[0].time)
    assert frame.loc[2, "payload"] == {"number": 1, "text": "finding 1 \u00e9"}


def test_dataframe_without_pandas_says_how_to_install(
    make_log: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without pandas, to_dataframe raises ImportError naming the notebook extra."""
    monkeypatch.setitem(__import__("sys").modules, "pandas", None)
    with pytest.raises(ImportError, match=r"magento-ir\[notebook\]"):
        to_dataframe(make_log(1))


def test_html_table_escapes_payloads_and_elides_the_middle(
    tmp_path: Path, signing_key: SigningKey
) -> None:
    """The HTML view escapes markup and shows head and tail with a count of what is hidden."""
    path = tmp_path / "e.log"
    with EvidenceLog.open(path, key=signing_key) as log:
        for number in range(30):
            log.append("capture.cms_block", {"content": f"<script>skim({number})</script>"})
        html = log._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;skim(0)" in html
    assert "&lt;script&gt;skim(29)" in html
    assert "11 more records" in html
    assert "e.log: 31 records" in html
    assert html == log_html(path)


def test_timeline_has_a_lane_per_type_and_counts_records(make_log: Callable[..., Path]) -> None:
    """The SVG timeline shows one lane per record type and counts every record once."""
    path = make_log(6)
    records = list(read_records(path))
    svg = timeline_svg(path, start=records[0].time, end=records[-1].time, bins=1)
    assert svg.startswith("<svg ")
    assert ">custody</text>" in svg
    assert ">detection</text>" in svg
    assert "<title>detection: 6 records</title>" in svg
    assert "<title>custody: 1 records</title>" in svg
    assert timeline_svg(path, start=records[0].time, end=records[-1].time) in log_html(path)
