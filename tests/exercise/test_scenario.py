"""Exercise scenarios load from TOML, and every mistake is reported at its file, line and column."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from magento_ir.containment.playbooks import shipped_playbooks
from magento_ir.drill import SCENARIOS
from magento_ir.exercise import (
    OBJECTIVES,
    Scenario,
    ScenarioError,
    load_scenario,
    shipped_scenarios,
)

if TYPE_CHECKING:
    from pathlib import Path

GOOD = """\
[scenario]
name = "mine"
title = "My drill"
playbook = "hr_data_breach"
stage = "hr_data_breach"
roles = ["incident_commander", "hr"]
procedure = ["detect", "contain"]
last_reviewed = 2026-12-01

[[injects]]
id = "tip"
at = 60
audience = "hr"
text = "HR finds the export."

[[injects]]
id = "first"
at = 0
audience = "incident_commander"
text = "The pager goes off."

[[decisions]]
id = "lock"
question = "Lock the admins?"
options = ["lock", "wait"]
expected = "lock"
role = "incident_commander"
after = "tip"

[objectives]
detect = 300
contain = 900
"""


def test_a_scenario_reads_with_injects_in_time_order() -> None:
    """Injects come sorted by their offset; the header's names are reachable directly."""
    scenario = Scenario.from_text(GOOD, source="mine.toml")
    assert scenario.name == "mine"
    assert scenario.playbook == "hr_data_breach"
    assert [inject.id for inject in scenario.injects] == ["first", "tip"]
    assert scenario.objectives == {"detect": 300, "contain": 900}
    assert scenario.decision("lock").expected == "lock"
    with pytest.raises(ScenarioError, match="has no decision 'nope'"):
        scenario.decision("nope")


def test_shipped_scenarios_name_real_playbooks_and_stagings() -> None:
    """Every shipped scenario loads, names a shipped playbook and a drill staging."""
    shipped = shipped_scenarios()
    assert {
        "magecart",
        "compromised_admin",
        "customer_data_exfiltration",
        "hr_data_breach",
        "card_testing",
    } <= set(shipped)
    books = shipped_playbooks()
    for scenario in shipped.values():
        assert scenario.playbook in books
        assert scenario.stage in SCENARIOS
        assert set(scenario.objectives) <= set(OBJECTIVES)
        assert scenario.source.startswith("magento_ir/exercise/scenarios/")
    assert load_scenario("hr_data_breach") == shipped["hr_data_breach"]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("at = 60", 'at = "60"'),
            "mine.toml:12:6: injects[1].at: Input should be a valid integer",
        ),
        (
            ("at = 60", "at = -1"),
            "mine.toml:12:6: injects[1].at: Input should be greater than or equal to 0",
        ),
        (
            ('audience = "hr"', 'audience = "cfo"'),
            "mine.toml:13:12: injects[1].audience: 'cfo' is not a role of this scenario",
        ),
        (
            ('expected = "lock"', 'expected = "maybe"'),
            (
                "mine.toml:26:12: decisions[1].expected: 'maybe' is not one of the options "
                "(lock, wait)"
            ),
        ),
        (
            ('after = "tip"', 'after = "gone"'),
            "mine.toml:28:9: decisions[1].after: no inject 'gone' in this scenario",
        ),
        (
            ('playbook = "hr_data_breach"', 'playbook = "nope"'),
            "mine.toml:4:12: scenario.playbook: no shipped playbook 'nope'",
        ),
        (
            ('stage = "hr_data_breach"', 'stage = "nope"'),
            "mine.toml:5:9: scenario.stage: no staging 'nope'",
        ),
        (
            ("detect = 300", "detect = 0"),
            "mine.toml:31:10: objectives.detect: Input should be greater than 0",
        ),
        (
            ("detect = 300", "detekt = 300"),
            "mine.toml:31:1: objectives.detekt: input should be 'detect', 'contain'",
        ),
        (
            ('procedure = ["detect", "contain"]', 'procedure = ["detect", "fix"]'),
            "mine.toml:7:24: scenario.procedure[2]: input should be 'detect'",
        ),
        (
            ('id = "first"', 'id = "tip"'),
            "mine.toml:17:6: injects[2].id: id 'tip' is used twice in injects",
        ),
        (
            ('text = "The pager goes off."', 'txt = "The pager goes off."'),
            "mine.toml:20:1: injects[2].txt: unknown key",
        ),
        (
            ("last_reviewed = 2026-12-01\n", ""),
            "mine.toml:1:1: scenario.last_reviewed: missing: add last_reviewed",
        ),
    ],
)
def test_mistakes_are_placed_at_their_line_and_column(edit: tuple[str, str], expected: str) -> None:
    """Each mistake names FILE:LINE:COLUMN, the key, and what is wrong."""
    with pytest.raises(ScenarioError) as raised:
        Scenario.from_text(GOOD.replace(*edit, 1), source="mine.toml")
    assert expected in str(raised.value), str(raised.value)
    assert raised.value.problems


def test_every_problem_is_reported_at_once_in_file_order() -> None:
    """Mistakes of one kind come together, sorted by line (names are checked once the
    structure holds)."""
    shape = GOOD.replace("contain = 900", "contain = 0").replace("at = 60", "at = -60")
    with pytest.raises(ScenarioError) as raised:
        Scenario.from_text(shape, source="mine.toml")
    assert [problem.label for problem in raised.value.problems] == [
        "injects[1].at",
        "objectives.contain",
    ]
    names = GOOD.replace('stage = "hr_data_breach"', 'stage = "x"').replace(
        'after = "tip"', 'after = "y"'
    )
    with pytest.raises(ScenarioError) as raised:
        Scenario.from_text(names, source="mine.toml")
    assert [problem.label for problem in raised.value.problems] == [
        "scenario.stage",
        "decisions[1].after",
    ]


def test_a_toml_syntax_error_is_placed() -> None:
    """tomllib's own position is kept."""
    with pytest.raises(ScenarioError, match=r"^bad.toml:2:8: not valid TOML"):
        Scenario.from_text("[scenario]\nname = \n", source="bad.toml")


def test_an_unknown_scenario_lists_the_shipped_ones() -> None:
    """A name that is neither shipped nor a file says which are."""
    with pytest.raises(
        ScenarioError, match=r"no shipped scenario named 'nope': use one of .*magecart"
    ):
        load_scenario("nope")


def test_files_that_cannot_be_read_say_why(tmp_path: Path) -> None:
    """A missing file and a non-UTF-8 file are ScenarioErrors naming the file."""
    with pytest.raises(ScenarioError, match="cannot read the scenario"):
        Scenario.from_file(tmp_path / "gone.toml")
    latin = tmp_path / "latin.toml"
    latin.write_bytes(GOOD.replace("My drill", "Übung").encode("latin-1"))
    with pytest.raises(ScenarioError, match=r"latin.toml: not UTF-8 text \(byte \d+\)"):
        Scenario.from_file(latin)
    good = tmp_path / "good.toml"
    good.write_text(GOOD, encoding="utf-8")
    assert load_scenario(good).source == str(good)
