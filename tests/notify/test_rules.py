"""Rule files: the vocabulary, validation with file/line/key errors, and the shipped rules."""

from datetime import date
from pathlib import Path

import pytest

from magento_ir.notify import CATEGORIES, GROUPS, RuleError, load_rules, parse_rule, shipped_rules
from magento_ir.notify.categories import expand

MINIMAL = """\
[rule]
id = "xx-test"
title = "Test"
jurisdictions = ["XX"]
timezone = "UTC"
last_reviewed = 2026-11-01
confidence = "weak"

[[obligations]]
id = "individuals"
recipient = "individuals"
recipient_name = "People"
template = "xx-individuals"
[obligations.deadline]
kind = "calendar_days"
amount = 30
from = "discovery"
text = "30 days"
[obligations.citation]
statute = "Test Act s 1"
"""


def test_groups_expand_to_their_members():
    """A group name stands for every category in it; a plain name for itself."""
    assert expand(("payment_card", "contact")) == {
        "payment_card.pan",
        "payment_card.expiry",
        "payment_card.cvv",
        "contact",
    }
    assert GROUPS["hr"] == {name for name in CATEGORIES if name.startswith("hr.")}


def test_unknown_category_raises():
    """A typo in a category is an error, not a rule that never matches."""
    with pytest.raises(KeyError):
        expand(("payment-card",))


def test_minimal_rule_parses():
    """The smallest valid file loads with its defaults."""
    rule = parse_rule(MINIMAL, source="xx.toml")
    assert rule.rule.id == "xx-test"
    assert rule.rule.effective_from is None
    assert rule.obligations[0].deadline.from_ == "discovery"
    assert rule.source == "xx.toml"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("amount = 30", 'amount = "30"', "xx.toml:16: obligations.0.deadline.amount:"),
        ('kind = "calendar_days"', 'kind = "weeks"', "xx.toml:15: obligations.0.deadline.kind:"),
        ('timezone = "UTC"', 'timezone = "Mars/Olympus"', "xx.toml:5: rule.timezone:"),
        ('confidence = "weak"', 'confidence = "sure"', "xx.toml:7: rule.confidence:"),
        (
            'recipient = "individuals"',
            'recipient = "press"',
            "xx.toml:11: obligations.0.recipient:",
        ),
        (
            'statute = "Test Act s 1"',
            'statute = "T"\nurl = "http://x"',
            "xx.toml:21: obligations.0.citation.url:",
        ),
        ('from = "discovery"', 'from = "breakfast"', "xx.toml:17: obligations.0.deadline.from:"),
        (
            "[obligations.deadline]",
            '[obligations.trigger]\ncategories = ["ssn"]\n[obligations.deadline]',
            "xx.toml:15: obligations.0.trigger.categories:",
        ),
        ('title = "Test"\n', "", "xx.toml:1: rule.title: Field required"),
    ],
)
def test_errors_name_file_line_and_key(old, new, expected):
    """Every validation error points at the file, the line and the dotted key."""
    text = MINIMAL.replace(old, new, 1)
    assert text != MINIMAL
    with pytest.raises(RuleError) as caught:
        parse_rule(text, source="xx.toml")
    assert str(caught.value).startswith(expected), str(caught.value)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("amount = 30\n", "", "needs an amount"),
        ('from = "discovery"\n', "", "exactly one of from"),
        ('kind = "calendar_days"\namount = 30', 'kind = "none"\namount = 30', "takes no amount"),
        ('kind = "calendar_days"', 'kind = "business_days"', "needs calendar"),
        ('from = "discovery"', 'after = "later"', "must name an earlier obligation"),
        (
            "[obligations.deadline]",
            '[obligations.trigger]\nexempted_by = "individuals"\n[obligations.deadline]',
            "exempted_by = 'individuals' must name an earlier obligation",
        ),
        (
            "[obligations.deadline]",
            "[obligations.trigger]\nmore_than = 1\nat_least = 2\n[obligations.deadline]",
            "not both",
        ),
        (
            'confidence = "weak"',
            'confidence = "weak"\nreviewer = "me"',
            "xx.toml:8: rule.reviewer: Extra",
        ),
        ('id = "xx-test"', 'id = "XX Test"', "rule.id"),
    ],
)
def test_inconsistent_rules_are_refused(old, new, message):
    """Deadlines and triggers that cannot be computed are refused on load."""
    with pytest.raises(RuleError, match=message):
        parse_rule(MINIMAL.replace(old, new, 1), source="xx.toml")


def test_duplicate_obligation_ids_are_refused():
    """Two obligations with one id would make `after` ambiguous."""
    second = MINIMAL[MINIMAL.index("[[obligations]]") :]
    with pytest.raises(RuleError, match="used twice"):
        parse_rule(MINIMAL + "\n" + second, source="xx.toml")


def test_invalid_toml_names_the_file():
    """A syntax error is reported with the file it is in."""
    with pytest.raises(RuleError, match=r"^xx.toml: not valid TOML"):
        parse_rule("[rule\n", source="xx.toml")


def test_load_rules_refuses_a_reused_id(tmp_path: Path):
    """Two files may not claim one rule id."""
    (tmp_path / "a.toml").write_text(MINIMAL)
    (tmp_path / "b.toml").write_text(MINIMAL)
    with pytest.raises(RuleError, match="also used by"):
        load_rules([tmp_path / "a.toml", tmp_path / "b.toml"])


def test_shipped_rules_load_and_cite_sources():
    """Every shipped rule validates, has a unique id, a source, a statute and a review date."""
    rules = shipped_rules()
    assert len({r.rule.id for r in rules}) == len(rules) >= 30
    for rule in rules:
        assert rule.rule.sources, rule.rule.id
        assert rule.rule.last_reviewed <= date(2026, 12, 6)
        for obligation in rule.obligations:
            assert obligation.citation.statute
            assert obligation.deadline.text


CONTACT = """
[obligations.contacts.XX]
name = "Example Authority"
website = "https://example.org"
url = "https://example.org/breach"
email = "breach@example.org"
source = "the authority's own page"
confidence = "confirmed"
"""


def test_a_contact_per_jurisdiction_loads():
    """Contacts are keyed by the rule's jurisdictions and carry their own confidence."""
    rule = parse_rule(MINIMAL + CONTACT, source="xx.toml")
    contact = rule.obligations[0].contacts["XX"]
    assert (contact.name, contact.website, contact.email, contact.confidence) == (
        "Example Authority",
        "https://example.org",
        "breach@example.org",
        "confirmed",
    )


def test_a_contact_per_subdivision_loads():
    """A region's own authority (a German Land) is keyed by its ISO 3166-2 code."""
    rule = parse_rule(MINIMAL + CONTACT.replace("contacts.XX]", "contacts.XX-AB]"), source="x")
    assert list(rule.obligations[0].contacts) == ["XX-AB"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("contacts.XX]", "contacts.YY]", "contacts for YY, which are not in rule.jurisdictions"),
        ("contacts.XX]", "contacts.YY-AB]", "contacts for YY-AB, which are not"),
        ('url = "https://example.org/breach"', 'url = "http://example.org"', "https://"),
        ('website = "https://example.org"', 'website = "http://example.org"', "website"),
        ('email = "breach@example.org"', 'email = "breach at example"', "email"),
        ('source = "the authority\'s own page"\n', "", "source"),
    ],
)
def test_bad_contacts_are_refused(old, new, message):
    """A contact for a jurisdiction the rule does not cover, or without a source, is refused."""
    text = MINIMAL + CONTACT.replace(old, new, 1)
    assert text != MINIMAL + CONTACT
    with pytest.raises(RuleError, match=message):
        parse_rule(text, source="xx.toml")


def test_shipped_rules_cover_every_us_jurisdiction():
    """All 50 states, DC, Puerto Rico, Guam and the US Virgin Islands have a rule of their own."""
    states = {
        *("AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN"),
        *("IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV"),
        *("NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN"),
        *("TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "DC", "PR", "GU", "VI"),
    }
    covered = {
        j for r in shipped_rules() if r.rule.id.startswith("us-") for j in r.rule.jurisdictions
    }
    assert {f"US-{s}" for s in states} <= covered
    assert len(states) == 54


def test_docs_coverage_table_lists_every_rule():
    """docs/notifications.md's coverage table names each shipped rule, its confidence and review."""
    docs = (Path(__file__).parents[2] / "docs" / "notifications.md").read_text(encoding="utf-8")
    rows = {
        cells[0].strip("` "): (cells[2].strip(), cells[3].strip())
        for line in docs.splitlines()
        if line.startswith("| `")
        for cells in [line.strip("|").split("|")]
    }
    assert rows == {
        rule.rule.id: (rule.rule.confidence, str(rule.rule.last_reviewed))
        for rule in shipped_rules()
    }


def test_docs_worked_example_is_the_shipped_rule():
    """The worked example in docs/notifications.md is the North Dakota rule file, verbatim."""
    docs = (Path(__file__).parents[2] / "docs" / "notifications.md").read_text(encoding="utf-8")
    start = docs.index("```toml\n# North Dakota") + len("```toml\n")
    example = docs[start : docs.index("```", start)]
    (shipped,) = [r for r in shipped_rules() if r.rule.id == "us-nd"]
    assert Path(shipped.source).read_text(encoding="utf-8") == example
