"""The exercise programme: the quarterly plan as data and the training history (pure parts)."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from magento_ir.exercise.programme import (
    PlanError,
    Training,
    history,
    load_plan,
    parse_plan,
    quarter_of,
    schedule,
)

EXAMPLE = Path(str(resources.files("magento_ir"))) / "exercise" / "examples" / "plan.example.toml"
PROCEDURES = ("card_testing", "hr_data_breach", "magecart")


@pytest.mark.parametrize(
    ("day", "quarter"),
    [(date(2027, 1, 1), "2027-Q1"), (date(2027, 3, 31), "2027-Q1"), (date(2027, 4, 1), "2027-Q2"),
     (date(2027, 12, 31), "2027-Q4")],
)  # fmt: skip
def test_quarter_of(day: date, quarter: str) -> None:
    """Calendar quarters, January first."""
    assert quarter_of(day) == quarter


def test_example_plan_loads_with_its_digest() -> None:
    """The shipped example validates; its roles come from people and exercises, once each."""
    loaded = load_plan(EXAMPLE)
    assert loaded.roles == ("dpo", "legal", "hr", "incident_lead")
    assert len(loaded.sha256) == 64
    assert loaded.programme.hours_per_quarter == [8, 12]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('quarter = "2027-Q1"', 'quarter = "2027-1"'),
         ":32: exercises.0.quarter: must be YYYY-QN"),
        (("date = 2027-02-10", "date = 2027-04-10"),
         "exercises.0: date 2027-04-10 is not in 2027-Q1"),
        (('role = "dpo"', 'role = "DPO"'),
         ":16: people.0.role: unknown role 'DPO': use one of incident_lead, dpo"),
        (("hours_per_quarter = [8, 12]", "hours_per_quarter = [12, 8]"),
         "programme: hours_per_quarter"),
        (('owner = "security team"', 'ownr = "x"'), "programme.owner: Field required"),
    ],
)  # fmt: skip
def test_plan_mistakes_name_the_line_and_key(change: tuple[str, str], message: str) -> None:
    """A wrong value names the file, the line where it can be found and the key."""
    text = EXAMPLE.read_text(encoding="utf-8")
    assert change[0] in text
    with pytest.raises(PlanError) as caught:
        parse_plan(text.replace(change[0], change[1], 1), source="plan.toml")
    assert str(caught.value).startswith("plan.toml")
    assert message in str(caught.value)


def test_schedule_lists_four_quarters_and_what_they_leave_out() -> None:
    """From this quarter on; quarters with no exercise and procedures no exercise covers."""
    view = schedule(load_plan(EXAMPLE), as_of=date(2027, 11, 5), procedures=PROCEDURES)
    assert [quarter for quarter, _ in view.quarters] == ["2027-Q4", "2028-Q1", "2028-Q2", "2028-Q3"]
    document = view.to_json()
    assert document["quarters_without_exercise"] == ["2028-Q1", "2028-Q2", "2028-Q3"]
    assert document["not_planned"] == ["hr_data_breach", "magecart"]
    assert document["plan"]["review_due"] is True
    fresh = schedule(load_plan(EXAMPLE), as_of=date(2027, 1, 5), procedures=PROCEDURES)
    assert fresh.review_due is False
    assert fresh.not_planned == ()


def _training(
    person: str, role: str, day: date, hours: float, scenario: str | None = None
) -> Training:
    playbooks = (scenario,) if scenario else ()
    return Training(person, role, day, hours, f"exercise {scenario}", scenario, playbooks)


def test_history_counts_this_quarters_hours_and_flags_who_and_what_is_behind() -> None:
    """Hours per person this quarter against 8-12, roles nobody trained, stale procedures."""
    records = [
        _training("Dana Example", "dpo", date(2027, 2, 10), 3, "hr_data_breach"),
        _training("Dana Example", "dpo", date(2027, 3, 2), 6),
        _training("Lee Example", "legal", date(2027, 1, 20), 13),
        # Last quarter: not this quarter's hours, but the procedure was exercised.
        _training("Harper Example", "hr", date(2026, 11, 3), 4, "magecart"),
        # A year and a day before: stale.
        _training("Sam Example", "incident_lead", date(2026, 3, 14), 2, "card_testing"),
        # After the day asked about: not counted.
        _training("Sam Example", "incident_lead", date(2027, 3, 20), 9, "card_testing"),
    ]
    view = history(load_plan(EXAMPLE), records, as_of=date(2027, 3, 15), procedures=PROCEDURES)
    statuses = {p.person: (p.hours, p.status) for p in view.people}
    assert statuses == {
        "Dana Example": (9.0, "within"),
        "Lee Example": (13.0, "above"),
        "Harper Example": (0.0, "not trained"),
        "Sam Example": (0.0, "not trained"),
    }
    assert view.people_not_trained == ("Harper Example", "Sam Example")
    assert view.roles_not_trained == ("hr", "incident_lead")
    assert view.stale_procedures == (("card_testing", date(2026, 3, 14)),)
    assert len(view.trainings) == 5
    assert not view.ok


def test_history_without_a_plan_still_lists_people_and_never_exercised_procedures() -> None:
    """No plan: default 8-12 hours, the people of the records, nothing ever exercised flagged."""
    view = history(None, [_training("Zoe", "pr", date(2027, 1, 10), 2)], as_of=date(2027, 1, 11),
                   procedures=("magecart",))  # fmt: skip
    assert [(p.person, p.status) for p in view.people] == [("Zoe", "below")]
    assert view.stale_procedures == (("magecart", None),)
    assert view.roles_not_trained == ()
