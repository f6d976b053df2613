"""Notice drafts: every rule's template renders, every placeholder is filled or named, the
plain-text part says what the HTML part says, and the hash names exactly what a recipient sees."""

from __future__ import annotations

import json
import re
import tomllib
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pytest

from magento_ir.notify import shipped_rules
from magento_ir.notify.drafts import (
    KINDS,
    LOCALES,
    Draft,
    DraftError,
    UnfilledPlaceholderError,
    choose_locale,
    load_details,
    render_draft,
    render_plan,
    template_kind,
)
from tests.notify.drafting import FACTS, NOW, all_drafts, details, obligation_for, the_plan

LOCALE_DIR = Path(str(resources.files("magento_ir.notify") / "templates" / "locales"))
DRAFTS = all_drafts()


def _keys(table: dict[str, object], prefix: str = "") -> set[str]:
    out: set[str] = set()
    for key, value in table.items():
        if isinstance(value, dict):
            out |= _keys(value, f"{prefix}{key}.")
        else:
            out.add(prefix + key)
    return out


def _words(text: str) -> str:
    return " ".join(text.split())


class _Blocks(HTMLParser):
    """The text of each block of the HTML part (headings, paragraphs, list items, terms)."""

    BLOCKS = frozenset({"title", "h1", "h2", "h3", "p", "li", "dt", "dd"})

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self.headings: list[str] = []
        self._open: list[str] = []
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:  # noqa: ARG002
        if tag in self.BLOCKS:
            self._open.append(tag)
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag == self._open[-1]:
            self._open.pop()
            text = _words("".join(self._text))
            if text and tag != "title":
                self.blocks.append(text)
            if tag in {"h1", "h2", "h3"}:
                self.headings.append(text)

    def handle_data(self, data: str) -> None:
        if self._open:
            self._text.append(data)


def _parse(html: str) -> _Blocks:
    parser = _Blocks()
    parser.feed(html)
    return parser


def test_every_shipped_template_id_has_a_notice_kind() -> None:
    """Every template a shipped rule names maps to one of the notice templates."""
    ids = {o.template for rule in shipped_rules() for o in rule.obligations}
    assert {template_kind(i) for i in ids} <= set(KINDS)
    assert template_kind("us-ca-individuals") == "us-state-notice"
    assert template_kind("eu-gdpr-art34-individuals") == "individuals-notice"
    assert template_kind("eu-gdpr-art33-authority") == "gdpr-art33"
    assert template_kind("visa-incident-report") == "card-brand-report"
    assert template_kind("us-tx-attorney-general") == "regulator-form"


def test_unknown_template_is_a_typed_error() -> None:
    """A template id nothing maps names itself and the kinds there are."""
    with pytest.raises(DraftError, match="no notice template for 'made-up-notice'"):
        template_kind("made-up-notice")


def test_every_locale_has_the_english_keys() -> None:
    """A translation lacking (or adding) a string would leave a placeholder in that language."""
    english = _keys(tomllib.loads((LOCALE_DIR / "en.toml").read_text(encoding="utf-8")))
    for locale in LOCALES:
        table = tomllib.loads((LOCALE_DIR / f"{locale}.toml").read_text(encoding="utf-8"))
        assert _keys(table) == english, locale


@pytest.mark.parametrize("draft", DRAFTS, ids=lambda d: d.draft_id)
def test_example_details_fill_every_placeholder(draft: Draft) -> None:
    """The shipped example details fill every kind in every language it is written in."""
    assert draft.unfilled == ()
    assert "[[missing" not in draft.subject + "".join(draft.parts.values())
    draft.require_complete()
    assert set(draft.parts) == set(KINDS[draft.kind][2])


@pytest.mark.parametrize(
    "draft", [d for d in DRAFTS if "text/html" in d.parts], ids=lambda d: d.draft_id
)
def test_text_part_carries_every_heading_and_fact_of_the_html_part(draft: Draft) -> None:
    """Someone reading the plain-text part misses nothing the HTML part says."""
    html = _parse(draft.parts["text/html"])
    text = _words(draft.parts["text/plain"])
    assert html.headings
    for block in html.blocks:
        assert block in text, block
    assert f'lang="{draft.locale}"' in draft.parts["text/html"]


def test_california_title_and_headings_in_order() -> None:
    """Civ. Code 1798.82: the title and the five headings, in the statute's order."""
    draft = next(d for d in DRAFTS if d.kind == "us-state-notice" and d.locale == "en")
    headings = _parse(draft.parts["text/html"]).headings
    assert headings == [
        "Notice of Data Breach",
        "What Happened",
        "What Information Was Involved",
        "What We Are Doing",
        "What You Can Do",
        "For More Information",
    ]


def test_art33_report_has_every_required_item() -> None:
    """33(3)(a)-(d), the phase (33(4)) and, when late, the reasons for the delay (33(1))."""
    draft = next(d for d in DRAFTS if d.kind == "gdpr-art33")
    text = draft.parts["text/plain"]
    for label in (
        "Art. 33(3)(a)",
        "Categories of data subjects: customers who paid by card",
        "Approximate number of data subjects: 40",
        "Approximate number of personal data records: 652",
        "Categories of personal data: name, postal address, e-mail address, telephone; primary",
        "Art. 33(3)(b)",
        "Contact e-mail: dpo@example.com",
        "Art. 33(3)(c)",
        "Art. 33(3)(d)",
        "Measures proposed: We now check",
        "Art. 33(4)",
        "This notification: initial notification",
        "Information still to follow: The forensic",
    ):
        assert label in text, label
    assert "Reasons for the delay" not in text
    late = render_draft(
        "eu-gdpr-art33-authority",
        details=details(),
        obligation=obligation_for("gdpr-art33"),
        facts=FACTS,
        now=NOW.replace(day=9),
    )
    assert late.unfilled == ("incident.reasons_for_delay",)


def test_follow_up_and_final_phases() -> None:
    """Art 33(4): a follow-up is numbered; the final one says nothing is outstanding."""
    found = details()
    art33 = obligation_for("gdpr-art33")
    found["report"] = {"phase": "follow-up", "number": 2, "outstanding": "Root cause."}
    follow = render_draft("gdpr-art33", details=found, obligation=art33, facts=FACTS, now=NOW)
    assert "follow-up notification no. 2" in follow.subject
    found["report"] = {"phase": "final"}
    final = render_draft("gdpr-art33", details=found, obligation=art33, facts=FACTS, now=NOW)
    assert "none: this notification is complete" in final.parts["text/plain"]
    assert final.unfilled == ()
    found["report"] = {"phase": "last"}
    with pytest.raises(DraftError, match=r"report\.phase 'last' must be one of"):
        render_draft("gdpr-art33", details=found, obligation=obligation_for("gdpr-art33"))


def test_missing_values_are_named_and_block_approval() -> None:
    """A value nobody gave is shown as missing, named in full, and the draft cannot pass."""
    found = details()
    del found["contact"]["phone"]  # type: ignore[attr-defined]
    del found["incident"]["what_happened"]["nl"]  # type: ignore[index]
    draft = render_draft(
        "us-ca-individuals",
        details=found,
        obligation=obligation_for("us-state-notice"),
        facts=FACTS,
        locale="nl",
    )
    assert draft.unfilled == ("incident.what_happened (nl)",)  # the phone is optional here
    assert "[[missing: incident.what_happened (nl)]]" in draft.parts["text/plain"]
    with pytest.raises(UnfilledPlaceholderError) as caught:
        draft.require_complete()
    assert caught.value.placeholders == ("incident.what_happened (nl)",)
    assert "incident.what_happened (nl)" in str(caught.value)
    art33 = obligation_for("gdpr-art33")
    report = render_draft("gdpr-art33", details=found, obligation=art33, facts=FACTS, now=NOW)
    assert report.unfilled == ("contact.phone",)
    with pytest.raises(UnfilledPlaceholderError, match=r"contact\.phone"):
        render_draft("gdpr-art33", details=found, obligation=art33, facts=FACTS, strict=True)


def test_no_obligation_is_a_named_placeholder() -> None:
    """A regulator form without its obligation names what is missing instead of guessing."""
    draft = render_draft("regulator-form", details=details())
    assert "obligation.recipient_name" in draft.unfilled
    assert "affected" in draft.unfilled


def test_values_are_escaped_and_never_evaluated() -> None:
    """Details are data: HTML in them is escaped, template syntax in them stays text."""
    found = details()
    found["organisation"]["name"] = "<script>alert(1)</script> {{ 1111 * 3 }}"  # type: ignore[index]
    notice = obligation_for("individuals-notice")
    draft = render_draft("individuals-notice", details=found, obligation=notice, facts=FACTS)
    html = draft.parts["text/html"]
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 1111 * 3 }}" in html
    assert "3333" not in html
    assert "<script>alert(1)</script> {{ 1111 * 3 }}" in draft.parts["text/plain"]


def test_regulator_form_is_structured_data() -> None:
    """The AG form is JSON with the recipient, the counts and the legal basis."""
    draft = next(d for d in DRAFTS if d.kind == "regulator-form")
    form = json.loads(draft.parts["application/json"])
    assert form["recipient"] == draft.recipient_name
    assert form["breach"]["residents_affected"] == obligation_for("regulator-form").affected
    assert form["legal_basis"]
    assert form["contact"]["email"] == "dpo@example.com"


def test_hash_names_exactly_what_recipients_see(tmp_path: Path) -> None:
    """Same inputs, same hash; any change to a part changes it; a saved draft keeps it."""
    again = all_drafts()
    assert [d.sha256 for d in again] == [d.sha256 for d in DRAFTS]
    draft = DRAFTS[0]
    path = draft.save(tmp_path)
    assert Draft.load(path).sha256 == draft.sha256
    edited = path.read_text(encoding="utf-8").replace("Luma", "Lima", 1)
    path.write_text(edited, encoding="utf-8")
    assert Draft.load(path).sha256 != draft.sha256
    assert len({d.sha256 for d in DRAFTS}) == len(DRAFTS)
    (tmp_path / "x.json").write_text("{}", encoding="utf-8")
    with pytest.raises(DraftError, match="is not a draft file"):
        Draft.load(tmp_path / "x.json")


def test_wrong_locale_is_refused() -> None:
    """A regulator report exists only in English; asking for Dutch says so."""
    with pytest.raises(DraftError, match="gdpr-art33 is written in en, not 'nl'"):
        render_draft("gdpr-art33", details=details(), locale="nl")


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        (("de_DE", "en_US"), "de"),
        ((None, "fr_CA"), "fr"),
        (("pt_BR", "nl_NL"), "nl"),
        (("es-MX",), "es"),
        (("ja_JP",), "en"),
        ((), "en"),
    ],
)
def test_choose_locale(candidates: tuple[str | None, ...], expected: str) -> None:
    """The recipient's language first, then the store's, then English."""
    assert choose_locale(*candidates) == expected


def test_brief_lists_every_obligation_and_question() -> None:
    """The executive brief names each planned notice with its deadline."""
    draft = next(d for d in DRAFTS if d.kind == "executive-brief")
    text = draft.parts["text/plain"]
    for item in the_plan().obligations:
        assert item.recipient_name in text
    assert "(due now)" in text
    assert re.search(r"People affected: 655\.", text)


def test_each_notice_names_only_its_own_peoples_data() -> None:
    """The GDPR notice names the data of people in the EU, not the Virginia employees' payroll;
    the employee notice names the employees' data only."""
    by_id = {d.draft_id: d.parts["text/plain"] for d in DRAFTS}
    art34 = by_id["eu-gdpr/art34-individuals:en"]
    assert "your payment card number" in art34
    assert "salary" not in art34
    assert "security code" not in art34  # the DE group had no CVV
    employee = by_id["internal/employee-notice:en"]
    assert "your salary and payroll details" in employee
    assert "payment card" not in employee


def test_french_puts_a_space_before_the_colon() -> None:
    """Labels follow each language's typography."""
    french = next(d for d in DRAFTS if d.draft_id == "us-ca/individuals:fr")
    assert "Courriel : dpo@example.com" in french.parts["text/plain"]
    english = next(d for d in DRAFTS if d.draft_id == "us-ca/individuals:en")
    assert "E-mail: dpo@example.com" in english.parts["text/plain"]


def test_render_plan_drafts_every_notice_once_per_language() -> None:
    """Customer and employee notices in the store's language, regulator reports in English,
    one brief (the PCI DSS plan obligation asks for it when card data is involved)."""
    drafts = render_plan(
        the_plan(), FACTS, details=details(), locales=["de_DE", None, "xx"], now=NOW
    )
    ids = [d.draft_id for d in drafts]
    assert len(ids) == len(set(ids))
    assert "us-ca/individuals:de" in ids
    assert "us-ca/individuals:en" in ids  # "xx" is not written: English instead
    assert "eu-gdpr/art33-authority/DE:en" in ids
    assert "internal/employee-notice:de" not in ids  # no obligation: its id is the kind's
    assert "employee-notice:de" in ids
    assert sum(d.kind == "executive-brief" for d in drafts) == 1
    assert {d.obligation_key for d in drafts} >= {o.key for o in the_plan().obligations}


def test_details_file_errors_name_the_file(tmp_path: Path) -> None:
    """A missing or broken details file, or a missing draft file, is a DraftError naming it."""
    with pytest.raises(DraftError, match="cannot read the details file"):
        load_details(tmp_path / "missing.toml")
    (tmp_path / "broken.toml").write_text("[incident", encoding="utf-8")
    with pytest.raises(DraftError, match=r"broken\.toml: not valid TOML"):
        load_details(tmp_path / "broken.toml")
    with pytest.raises(DraftError, match="cannot read the draft"):
        Draft.load(tmp_path / "missing.draft.json")
