"""The drill detects each scenario's staged breach with a watch pass, and reports MTTD."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from jsonschema import Draft202012Validator

from magento_ir.drill import DrillOptions, run_drill
from tests.conftest import REPO_ROOT

if TYPE_CHECKING:
    from pathlib import Path

SCHEMA = json.loads((REPO_ROOT / "docs" / "schemas" / "drill-report.json").read_text("utf-8"))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("scenario", "expected"),
    [
        (
            "magecart",
            ["script in CMS block 2", "script in CMS block 1", "skimmer in design/head/includes"],
        ),
        ("compromised_admin", ["script in CMS block 2", "the stolen `catalog` admin login in use"]),
    ],
)
def test_watch_pass_finds_the_staged_breach(
    scenario: str, expected: list[str], tmp_path: Path
) -> None:
    """Every part of the staged breach is named by a finding; MTTD sits next to contain time."""
    report = run_drill(
        DrillOptions(
            scenario=scenario,
            products=20,
            customers=30,
            orders=20,
            latency="none",
            report_dir=tmp_path,
        )
    )
    files = report.write(tmp_path)
    document = json.loads(files.json.read_text("utf-8"))
    Draft202012Validator(SCHEMA).validate(document)
    detection = document["sections"]["detection"]
    assert [item["what"] for item in detection["expected"]] == expected
    assert detection["missed"] == []
    assert detection["incident_id"] is not None
    assert detection["mttd_seconds"] > 0
    assert detection["contain_seconds"] == pytest.approx(report.contain_seconds, abs=1e-3)
    assert "Time to detect" in files.markdown.read_text("utf-8")


@pytest.mark.slow
def test_card_testing_burst_is_found_by_the_card_testing_pass(tmp_path: Path) -> None:
    """The card-testing drill turns the watcher's card-testing pass on; the burst, staged after
    the baseline pass, is found by the pass after staging, with a time from its first attempt."""
    report = run_drill(
        DrillOptions(
            scenario="card_testing",
            products=20,
            customers=30,
            orders=200,
            latency="none",
            report_dir=tmp_path,
        )
    )
    (section,) = [section for section in report.sections if section.key == "detection"]
    (item,) = section.data["expected"]
    assert item["what"] == "the card-testing burst from 203.0.113.77"
    assert item["detected"] is True
    assert item["finding"]["rule"].startswith("card-testing-")
    assert item["finding"]["entity_id"] == "203.0.113.77"
    baseline_rules = [f["rule"] for f in section.data["baseline_findings"]]
    assert not [rule for rule in baseline_rules if rule.startswith("card-testing-")]
    assert section.data["incident_id"] is not None
    # The burst spans the minute before staging ended: detected after its first attempt, not
    # before (a baseline find would have no such time).
    assert section.data["mttd_from_first_attempt_seconds"] >= 60
    assert "yes, before staging" not in report.to_markdown()
