"""`magento-ir procedures render`: the written procedures come from the files the tools run on,
so changing a playbook or the policy changes the document."""

from __future__ import annotations

import shutil
from datetime import date
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from magento_ir.cli import ExitCode, app
from magento_ir.containment import shipped_playbooks
from magento_ir.exercise.procedures import load_sources, procedures
from magento_ir.notify import shipped_rules

DAY = date(2026, 12, 6)
SHIPPED = Path(str(resources.files("magento_ir")))
CONTACTS = SHIPPED / "notify" / "examples" / "contacts.example.toml"


def _markdown(**files: Path) -> str:
    return procedures(load_sources(**files), as_of=DAY).to_markdown()


@pytest.fixture(scope="module")
def shipped() -> str:
    return _markdown()


def test_every_shipped_playbook_step_policy_rule_and_obligation_is_in_the_document(
    shipped: str,
) -> None:
    """Every playbook (with each step's action), every paging rule and every obligation key."""
    for name, book in shipped_playbooks().items():
        assert f"({name})" in shipped
        for step in book.steps:
            assert f"| {step.number} | {step.action} |" in shipped
    for rule_id in ("any-breach", "card-data", "hr-records", "credentials"):
        assert f"| {rule_id} |" in shipped
    for rule in shipped_rules():
        for obligation in rule.obligations:
            assert f"| {rule.rule.id}/{obligation.id} |" in shipped
    assert "No contact list was given" in shipped


def test_hr_section_names_the_hr_policy_rule_playbook_and_employee_only_obligations(
    shipped: str,
) -> None:
    """The HR-data procedure: who is paged, the containment playbook, employee-only rules."""
    hr = shipped[shipped.index("## Employee (HR) data breaches") :]
    hr = hr[: hr.index("\n## ")]
    assert "`hr-records`" in hr
    assert "playbook `hr_data_breach`" in hr
    assert "| us-va-payroll/attorney-general |" in hr
    assert "approved by legal, hr" in hr
    # A card-brand obligation is not an HR one.
    assert "visa/" not in hr


def test_changing_a_playbook_changes_the_document(tmp_path: Path, shipped: str) -> None:
    """An added step and a new description appear; the source's SHA-256 changes."""
    folder = tmp_path / "playbooks"
    shutil.copytree(SHIPPED / "playbooks", folder, ignore=shutil.ignore_patterns("*.py"))
    book = folder / "hr_data_breach.toml"
    text = book.read_text(encoding="utf-8").replace(
        "Staff credentials must be assumed known", "Payroll logins are burnt"
    )
    book.write_text(
        text + '\n[[steps]]\naction = "maintenance"\nmode = "storefront"\n', encoding="utf-8"
    )
    changed = _markdown(playbooks=folder)
    assert changed != shipped
    assert "Payroll logins are burnt" in changed
    assert "Payroll logins are burnt" not in shipped
    assert '| 4 | maintenance | mode="storefront" | always |' in changed
    assert (
        "| 4 | maintenance |"
        not in shipped.split("### HR / employee data breach")[1].split("###", maxsplit=1)[0]
    )
    old = load_sources().files
    new = load_sources(playbooks=folder).files
    digest = {item.kind: item.sha256 for item in old}
    assert [item for item in new if digest.get(item.kind) != item.sha256] == [
        item for item in new if item.kind == "playbook hr_data_breach"
    ]


def test_changing_the_policy_changes_who_is_paged_and_reviews_due(tmp_path: Path) -> None:
    """HR records now page the executives too, and an old review date is listed as due."""
    policy = tmp_path / "policy.toml"
    text = (SHIPPED / "notify" / "policy.toml").read_text(encoding="utf-8")
    text = text.replace('page = ["hr", "legal"]', 'page = ["hr", "legal", "executives"]')
    text = text.replace("last_reviewed = 2026-12-06", "last_reviewed = 2026-01-02")
    policy.write_text(text, encoding="utf-8")
    changed = _markdown(policy=policy)
    assert "| hr-records | payroll" in changed
    assert "hr (email), legal (email), executives (slack) | employee-notice |" in changed
    assert "pages hr, legal, executives" in changed
    assert "| notification policy | 2026-01-02 | 90 |" in changed


def test_contacts_are_listed_with_their_reviews() -> None:
    """Given a contact list, each role's holder and each authority appear; stale ones are due."""
    text = procedures(load_sources(contacts=CONTACTS), as_of=date(2027, 6, 1)).to_markdown()
    assert "| dpo | Dana Example (data protection officer) | email dpo@example.com" in text
    assert "Example Supervisory Authority (lead authority)" in text
    assert "| contact Dana Example (data protection officer) | 2026-11-20 | 90 |" in text


def test_cli_writes_markdown_and_html(tmp_path: Path) -> None:
    """--format html -o FILE writes one page; Markdown goes to stdout by default."""
    runner = CliRunner()
    result = runner.invoke(app, ["procedures", "render", "--as-of", "2026-12-06"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Incident response and breach notification procedures")
    page = tmp_path / "procedures.html"
    result = runner.invoke(
        app,
        ["procedures", "render", "--format", "html", "--out", str(page), "--as-of", "2026-12-06"],
    )
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert '<h2 id="section-hr">Employee (HR) data breaches</h2>' in html


def test_cli_names_the_line_of_a_broken_policy(tmp_path: Path) -> None:
    """A policy paging an unknown team is a usage error naming the file."""
    policy = tmp_path / "policy.toml"
    text = (SHIPPED / "notify" / "policy.toml").read_text(encoding="utf-8")
    policy.write_text(
        text.replace('page = ["hr", "legal"]', 'page = ["payroll"]'), encoding="utf-8"
    )
    result = CliRunner().invoke(
        app, ["procedures", "render", "--policy", str(policy)], terminal_width=400
    )
    assert result.exit_code == ExitCode.USAGE
    assert "policy.toml" in result.output
    assert "payroll" in result.output
