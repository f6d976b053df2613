"""The breach register in the incident's evidence log, awareness before detection, `explain`."""

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest

from magento_ir import InvalidArgumentError
from magento_ir.evidence import EvidenceLog, LogIntegrityError, SigningKey, verify
from magento_ir.notify import AffectedGroup, Facts, plan, shipped_rules
from magento_ir.notify.explain import explain
from magento_ir.notify.exposure import RecipientKey
from magento_ir.notify.hr import hr_exposure
from magento_ir.notify.register import (
    Decision,
    incident_clock,
    latest_facts,
    read_register,
    record_assessment,
    record_decision,
    record_facts,
    record_incident,
    record_reasoning,
    register_csv,
    register_html,
    register_json,
)

DETECTED = datetime(2026, 6, 3, 10, tzinfo=UTC)
AWARE = datetime(2026, 6, 1, 16, tzinfo=UTC)  # a customer's complaint, two days earlier
DE = AffectedGroup(jurisdiction="DE", count=40, categories=frozenset({"contact"}))
RULES = shipped_rules()


def test_the_72_hour_clock_runs_from_awareness_even_before_detection():
    """GDPR Art 33 counts from awareness; magento_ir's later detection does not move it."""
    facts = Facts(
        clock=incident_clock(detected=DETECTED, awareness=AWARE),
        affected=(DE,),
        answers={"eu-gdpr/art33-unlikely-risk": False},
    )
    assert facts.clock["discovery"] == AWARE  # the earlier of the two
    obligations = {o.key: o for o in plan(facts, RULES, as_of=date(2026, 6, 3)).obligations}
    assert obligations["eu-gdpr/art33-authority/DE"].deadline == AWARE + timedelta(hours=72)
    # Without an awareness time, detection is awareness.
    later = facts.model_copy(update={"clock": incident_clock(detected=DETECTED)})
    obligations = {o.key: o for o in plan(later, RULES, as_of=date(2026, 6, 3)).obligations}
    assert obligations["eu-gdpr/art33-authority/DE"].deadline == DETECTED + timedelta(hours=72)


def test_clock_times_must_be_aware():
    with pytest.raises(InvalidArgumentError, match="awareness must be timezone-aware"):
        incident_clock(detected=DETECTED, awareness=datetime(2026, 6, 1))  # noqa: DTZ001


def test_explain_gives_the_rule_facts_citation_and_business_day_arithmetic():
    """Brazil's 3 business days across Christmas and a weekend, step by step."""
    moment = datetime(2026, 12, 23, 16, tzinfo=UTC)
    facts = Facts(
        clock={"awareness": moment},
        affected=(AffectedGroup(jurisdiction="BR", count=4, categories=frozenset({"contact"})),),
        answers={"br-lgpd/relevant-risk": True},
    )
    found = explain("br-lgpd/anpd", facts, RULES, as_of=date(2026, 12, 24))
    assert found.obligation is not None
    assert found.due == datetime(2026, 12, 29, 16, tzinfo=UTC) == found.obligation.deadline
    text = "\n".join(found.lines())
    assert "BR: 4 people, contact" in text
    assert "skipped 2026-12-25 holiday: Christmas Day" in text
    assert "skipped 2026-12-26 weekend" in text
    assert "answered br-lgpd/relevant-risk = yes" in text
    assert "LGPD" in found.citation
    # Unanswered, the question is what explain shows, and there is no obligation yet.
    open_ = explain(
        "br-lgpd/anpd", facts.model_copy(update={"answers": {}}), RULES, as_of=date(2026, 12, 24)
    )
    assert open_.obligation is None
    assert open_.questions[0].startswith("br-lgpd/relevant-risk:")


def test_explain_of_an_unknown_key_says_where_keys_come_from():
    facts = Facts(clock={"awareness": AWARE}, affected=(DE,))
    with pytest.raises(InvalidArgumentError, match="notify plan` lists the keys"):
        explain("xx/none", facts, RULES, as_of=date(2026, 6, 2))


def test_explain_of_hours_and_of_a_missing_clock():
    facts = Facts(
        clock={"awareness": AWARE}, affected=(DE,), answers={"eu-gdpr/art33-unlikely-risk": False}
    )
    found = explain("eu-gdpr/art33-authority/DE", facts, RULES, as_of=date(2026, 6, 2))
    assert "+ 72 elapsed hours = 2026-06-04 16:00 UTC" in found.deadline
    texas = Facts(
        clock={"awareness": AWARE},
        affected=(
            AffectedGroup(
                jurisdiction="US-TX",
                count=300,
                categories=frozenset({"government_id.ssn", "contact"}),
            ),
        ),
    )
    missing = explain("us-tx/individuals", texas, RULES, as_of=date(2026, 6, 2))
    assert any("no time given for determination" in line for line in missing.deadline)


def _incident(tmp_path, key: SigningKey):
    path = tmp_path / "incident.log"
    exposure = hr_exposure(
        "email,country,state,tax id,withholding\n"
        "ann@corp.example,US,VA,123-45-6789,4200\n"
        "eva@corp.example,DE,,,\n",
        key=RecipientKey(b"0123456789abcdef"),
    )
    facts = Facts(
        clock=incident_clock(detected=DETECTED, awareness=AWARE),
        affected=exposure.groups,
    )
    with EvidenceLog.open(path, key=key) as log:
        record_incident(
            log,
            incident_id="IR-7",
            title="Payroll export leaked",
            detected_at=DETECTED,
            opened_at=DETECTED,
        )
        record_assessment(log, exposure, description="HR records in staff.csv")
        record_facts(log, facts, reason="assessed")
        decision = Decision(
            question_id="eu-gdpr/art33-unlikely-risk",
            answer=False,
            by="Dana (DPO)",
            why="names and work e-mails of staff; phishing risk",
            at=DETECTED + timedelta(hours=1),
        )
        record_decision(log, decision)
        answered = facts.model_copy(update={"answers": {decision.question_id: decision.answer}})
        record_facts(log, answered, reason="decided")
        record_reasoning(
            log, plan(answered, RULES, as_of=date(2026, 6, 3)), answered, RULES, at=DETECTED
        )
        log.append("notify.send", {"obligation_key": "us-va-payroll/attorney-general"})
    return path


def test_register_is_kept_in_the_evidence_log_and_exported(tmp_path):
    """Every incident with its facts, decisions and reasoning; the log still verifies."""
    key = SigningKey.generate("test")
    path = _incident(tmp_path, key)
    assert verify(path, key.verifier()).ok
    [entry] = read_register([path], verifier=key.verifier())
    assert (entry.incident_id, entry.title) == ("IR-7", "Payroll export leaked")
    assert entry.awareness == "2026-06-01T16:00:00Z"
    assert entry.by_jurisdiction == {"DE": 1, "US-VA": 1}
    assert entry.decisions[0].by == "Dana (DPO)"
    keys = [o["key"] for o in entry.obligations]
    assert "eu-gdpr/art33-authority/DE" in keys
    assert "us-va-payroll/attorney-general" in keys
    gdpr = next(o for o in entry.obligations if o["key"] == "eu-gdpr/art33-authority/DE")
    assert gdpr["deadline"] == "2026-06-04T16:00:00+00:00"
    assert any("72 elapsed hours" in line for line in gdpr["why"])
    assert entry.notified == f"1 of {len(keys)} sent"

    rows = list(csv.DictReader(io.StringIO(register_csv([entry]))))
    assert rows[0]["incident_id"] == "IR-7"
    assert "eu-gdpr/art33-unlikely-risk=no by Dana (DPO)" in rows[0]["decisions"]
    document = register_json([entry], generated_at=DETECTED)
    assert document["incidents"][0]["decisions"][0]["why"].startswith("names and work")
    json.dumps(document)
    page = register_html([entry], generated_at=DETECTED)
    assert '<html lang="en">' in page
    assert "Dana (DPO)" in page
    assert "corp.example" not in page + register_csv([entry]) + json.dumps(document)
    assert (
        latest_facts(
            [
                (
                    "notify.facts",
                    {
                        "facts": json.loads(
                            Facts(clock={"awareness": AWARE}, affected=(DE,)).model_dump_json()
                        )
                    },
                )
            ]
        )
        is not None
    )


def test_a_tampered_register_log_is_refused(tmp_path):
    """The register is only read from a log that verifies."""
    key = SigningKey.generate("test")
    path = _incident(tmp_path, key)
    data = path.read_bytes().replace(b"Dana (DPO)", b"Nobody (DPO)")
    path.write_bytes(data)
    with pytest.raises(LogIntegrityError):
        read_register([path], verifier=key.verifier())


def test_an_empty_register_page_says_so():
    assert "No incident recorded." in register_html([], generated_at=DETECTED)
