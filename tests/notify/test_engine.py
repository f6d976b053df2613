"""The engine's own behaviour, on small rules written for the test: ordering, questions, stale
rules, missing clocks, relative deadlines, purity."""

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from magento_ir.notify import AffectedGroup, Facts, RuleError, parse_rule, plan, shipped_rules
from magento_ir.notify.engine import STALE_AFTER

T = datetime(2026, 6, 1, 16, 0, tzinfo=UTC)
RULE = """\
[rule]
id = "xx-test"
title = "Test"
jurisdictions = ["XX"]
timezone = "Asia/Tokyo"
last_reviewed = 2026-06-01
confidence = "weak"

[[obligations]]
id = "regulator"
recipient = "regulator"
recipient_name = "Regulator"
template = "xx-regulator"
[obligations.trigger]
at_least = 10
[obligations.deadline]
kind = "hours"
amount = 24
from = "discovery"
text = "24 hours"
[obligations.citation]
statute = "Test Act s 1"
url = "https://example.org/test-act"

[[obligations]]
id = "follow-up"
recipient = "regulator"
recipient_name = "Regulator, follow-up"
template = "xx-follow-up"
[obligations.deadline]
kind = "calendar_days"
amount = 2
after = "regulator"
text = "2 days after the first notice"
[obligations.citation]
statute = "Test Act s 2"
url = "https://example.org/test-act"

[[obligations]]
id = "people"
recipient = "individuals"
recipient_name = "People"
template = "xx-people"
[obligations.deadline]
kind = "none"
text = "without undue delay"
[obligations.citation]
statute = "Test Act s 3"
"""
TEST_RULE = parse_rule(RULE, source="xx.toml")


def facts(count: int, **clock: datetime) -> Facts:
    return Facts(
        clock=clock or {"discovery": T},
        affected=(
            AffectedGroup(jurisdiction="XX", count=count, categories=frozenset({"contact"})),
        ),
    )


def test_undated_obligations_lead_then_soonest_first():
    """ "Without undue delay" is due now, so it comes first; dated ones follow by deadline."""
    result = plan(facts(10), (TEST_RULE,), as_of=date(2026, 6, 2))
    assert [o.key for o in result.obligations] == [
        "xx-test/people",
        "xx-test/regulator",
        "xx-test/follow-up",
    ]
    first = result.obligations[1]
    assert first.deadline == T + timedelta(hours=24)
    assert first.deadline_local is not None
    assert first.deadline_local.isoformat() == "2026-06-03T01:00:00+09:00"
    assert first.timezone == "Asia/Tokyo"
    assert first.citation.statute == "Test Act s 1"
    assert first.affected == 10
    assert first.confidence == "weak"
    assert result.obligations[2].deadline == T + timedelta(hours=24, days=2)
    assert result.obligations[0].deadline_local is None


def test_a_relative_deadline_needs_its_prerequisite():
    """Below the first notice's threshold, the notice that follows it is not due either."""
    result = plan(facts(9), (TEST_RULE,), as_of=date(2026, 6, 2))
    assert [o.key for o in result.obligations] == ["xx-test/people"]


def test_a_missing_clock_event_is_reported_not_guessed():
    """Without the discovery time the deadline is unknown; the plan names the missing event."""
    result = plan(facts(10, awareness=T), (TEST_RULE,), as_of=date(2026, 6, 2))
    assert {o.key: o.deadline for o in result.obligations} == {
        "xx-test/people": None,
        "xx-test/regulator": None,
        "xx-test/follow-up": None,
    }
    assert result.missing_clock == ("xx-test/regulator: discovery",)


def test_rules_reviewed_more_than_180_days_ago_are_stale():
    """A rule is stale from the 181st day after its review."""
    reviewed = TEST_RULE.rule.last_reviewed
    assert plan(facts(1), (TEST_RULE,), as_of=reviewed + STALE_AFTER).stale_rules == ()
    later = reviewed + STALE_AFTER + timedelta(days=1)
    assert plan(facts(1), (TEST_RULE,), as_of=later).stale_rules == ("xx-test",)


def test_shipped_rules_go_stale_together():
    """The shipped rules were reviewed on one day; 181 days later every one is reported."""
    rules = shipped_rules()
    as_of = max(r.rule.last_reviewed for r in rules) + STALE_AFTER
    assert plan(facts(1), rules, as_of=as_of).stale_rules == ()
    stale = plan(facts(1), rules, as_of=as_of + timedelta(days=1)).stale_rules
    assert set(stale) == {r.rule.id for r in rules}


def test_citations_without_a_verified_address_are_listed():
    """A rule citing a statute without a verified URL is named, so a reviewer can add it."""
    assert plan(facts(1), (TEST_RULE,), as_of=date(2026, 6, 2)).unverified_citations == ("xx-test",)


def test_changing_a_fact_replans_and_planning_is_deterministic():
    """Same facts, same plan; a later discovery moves the deadlines with it."""
    first = plan(facts(10), (TEST_RULE,), as_of=date(2026, 6, 2))
    assert plan(facts(10), (TEST_RULE,), as_of=date(2026, 6, 2)) == first
    moved = plan(facts(10, discovery=T + timedelta(hours=5)), (TEST_RULE,), as_of=date(2026, 6, 2))
    assert moved.obligations[1].deadline == T + timedelta(hours=29)


def test_questions_carry_the_rules_text_and_citation():
    """An undecided risk test comes back verbatim, with the citation, keyed by obligation."""
    rule = parse_rule(
        RULE.replace(
            "at_least = 10",
            'at_least = 10\n[[obligations.trigger.risk_tests]]\nid = "harm"\n'
            'text = "Is harm likely?"\nfires_when = true',
        ),
        source="xx.toml",
    )
    result = plan(facts(10), (rule,), as_of=date(2026, 6, 2))
    assert [(q.key, q.question_id, q.text) for q in result.questions] == [
        ("xx-test/regulator", "xx-test/harm", "Is harm likely?")
    ]
    assert result.questions[0].citation.statute == "Test Act s 1"
    assert [o.key for o in result.obligations] == ["xx-test/people"]


def test_clock_times_must_be_timezone_aware():
    """A naive time is refused: its instant would depend on the machine's zone."""
    with pytest.raises(ValidationError, match="timezone-aware"):
        Facts(clock={"discovery": datetime(2026, 6, 1, 16, 0)}, affected=())  # noqa: DTZ001


def test_error_inside_a_list_of_tables_points_at_its_line():
    """An error in a risk test names the line of its key inside the obligation."""
    text = RULE.replace(
        "at_least = 10",
        'at_least = 10\n[[obligations.trigger.risk_tests]]\nid = "harm"\ntext = ""\n'
        "fires_when = true",
    )
    with pytest.raises(RuleError, match=r"^xx.toml:18: obligations.0.trigger.risk_tests.0.text:"):
        parse_rule(text, source="xx.toml")


def test_error_in_an_inline_obligation_list_still_names_the_key():
    """Obligations written as an inline array have no [[obligations]] header to point at."""
    text = "obligations = [{ id = 3 }]\n" + RULE[: RULE.index("[[obligations]]")]
    with pytest.raises(
        RuleError, match=r"^xx.toml:1: obligations.0.id: Input should be a valid string"
    ):
        parse_rule(text, source="xx.toml")


HARM_RULE = """\
[rule]
id = "xx-harm"
title = "Harm exception"
jurisdictions = ["XX"]
timezone = "UTC"
last_reviewed = 2026-06-01
confidence = "weak"

[[obligations]]
id = "people"
recipient = "individuals"
recipient_name = "People"
template = "xx-people"
[obligations.trigger]
more_than = 1
[[obligations.trigger.risk_tests]]
id = "no-harm"
text = "Is misuse not reasonably likely?"
fires_when = false
[obligations.deadline]
kind = "none"
text = "without unreasonable delay"
[obligations.citation]
statute = "Test Act s 3"

[[obligations]]
id = "keep-determination"
recipient = "internal"
recipient_name = "Records"
template = "xx-keep-determination"
[obligations.trigger]
exempted_by = "people"
[obligations.deadline]
kind = "none"
text = "keep the determination 5 years"
[obligations.citation]
statute = "Test Act s 3"
"""


@pytest.mark.parametrize(
    ("count", "answers", "keys", "questions"),
    [
        # Unanswered: the question, and nothing of what the exception costs.
        (5, {}, set(), {"xx-harm/no-harm"}),
        # Exception applied: the record it must keep, not the notice.
        (5, {"xx-harm/no-harm": True}, {"xx-harm/keep-determination"}, set()),
        # Exception refused: the notice, and no record of an exception.
        (5, {"xx-harm/no-harm": False}, {"xx-harm/people"}, set()),
        # Below the notice's own threshold nothing was exempted, so nothing is owed for it.
        (1, {"xx-harm/no-harm": True}, set(), set()),
    ],
)
def test_an_exception_costs_only_when_applied(count, answers, keys, questions):
    """exempted_by obligations follow a person's answer to the named obligation's risk test."""
    facts = Facts(
        clock={"discovery": T},
        affected=(
            AffectedGroup(jurisdiction="XX", count=count, categories=frozenset({"contact"})),
        ),
        answers=answers,
    )
    result = plan(facts, (parse_rule(HARM_RULE),), as_of=date(2026, 6, 1))
    assert {o.key for o in result.obligations} == keys
    assert {q.question_id for q in result.questions} == questions
