"""Each drill scenario's staged breach, assessed over HTTP, gives the expected obligations
(issue 12: the assessment runs against the sandbox's staged breaches)."""

from __future__ import annotations

import pytest

from magento_ir.drill._notify import assess_breach, hr_export, notify_section
from magento_ir.drill._run import SCENARIOS
from magento_ir.sandbox import Sandbox, SandboxOptions, SandboxServer

CARD = {
    "pci-dss/incident-response-plan",
    "visa/notify",
    "visa/incident-report",
    "visa/account-numbers",
    "mastercard/adc-report",
    "mastercard/pfi",
    "us-tx/individuals",
}
# scenario -> (jurisdictions with people, obligation keys, question ids)
EXPECTED: dict[str, tuple[set[str], set[str], set[str]]] = {
    # Card data of Texas and Colorado buyers: card brands, PCI DSS and Texas's residents; Colorado's
    # residents once a person answers its no-misuse exception (Texas has none).
    "magecart": ({"US-CO", "US-TX"}, CARD, {"us-co/no-harm"}),
    # A catalog role reads no personal data: nothing to notify (the planted script is noted).
    "compromised_admin": (set(), set(), set()),
    # Names and e-mail addresses alone trigger neither state's statute.
    "customer_data_exfiltration": ({"US-CO", "US-TX"}, set(), set()),
    # Card testing exposes nothing the store holds.
    "card_testing": (set(), set(), set()),
    # Staff records: Virginia's payroll rule, California's SSN notice; GDPR, PIPEDA and the
    # Australian NDB scheme (employee-records exemption) ask a person first.
    "hr_data_breach": (
        {"AU-NSW", "CA-ON", "DE", "US-CA", "US-VA"},
        {"us-va-payroll/attorney-general", "us-ca/individuals"},
        {
            "au-ndb/employee-records",
            "au-ndb/serious-harm",
            "ca-pipeda/rrosh",
            "eu-gdpr/art33-unlikely-risk",
            "eu-gdpr/art34-high-risk",
        },
    ),
    # The same staff records, taken through the employee portal: the same obligations.
    "hr_portal_exfiltration": (
        {"AU-NSW", "CA-ON", "DE", "US-CA", "US-VA"},
        {"us-va-payroll/attorney-general", "us-ca/individuals"},
        {
            "au-ndb/employee-records",
            "au-ndb/serious-harm",
            "ca-pipeda/rrosh",
            "eu-gdpr/art33-unlikely-risk",
            "eu-gdpr/art34-high-risk",
        },
    ),
    # E-mail and password of Texas customers: Texas's statute does not list online credentials.
    "credential_stuffing": ({"US-TX"}, set(), set()),
    # Names and e-mail addresses read through the rogue integration: as customer exfiltration.
    "malicious_integration": ({"US-CO", "US-TX"}, set(), set()),
    # The full-access admin could read customers and buyers (contact data): no statute applies.
    "ransomware_admin": ({"US", "US-CO", "US-TX"}, set(), set()),
}


def test_every_scenario_has_an_expectation():
    assert set(EXPECTED) == set(SCENARIOS)


@pytest.mark.anyio
@pytest.mark.parametrize("scenario", sorted(EXPECTED))
async def test_staged_breach_gives_the_expected_obligations(scenario: str):
    sandbox = Sandbox(
        SandboxOptions(products=20, customers=600, orders=60, with_module=True, latency=0)
    )
    with SandboxServer(sandbox) as server:
        breach = await SCENARIOS[scenario].stage(sandbox, server.base_url)
        try:
            assessment = await assess_breach(scenario, sandbox, server.base_url, breach)
        finally:
            await breach.close()
    places, keys, questions = EXPECTED[scenario]
    exposure = assessment.exposure
    assert set(exposure.by_jurisdiction() if exposure else {}) == places
    assert {o.key for o in assessment.plan.obligations} == keys
    assert {q.question_id for q in assessment.plan.questions} == questions
    # Every dated obligation runs from the drill's clock, in the future of the assessment.
    start = assessment.facts.clock["awareness"]
    assert all(o.deadline is None or o.deadline > start for o in assessment.plan.obligations)
    section = notify_section(assessment)
    assert section.key == "notify"
    assert [o["key"] for o in section.data["obligations"]] == [
        o.key for o in assessment.plan.obligations
    ]


def test_the_staged_hr_export_names_no_real_person():
    text = hr_export()
    assert "@staff.example" in text
    assert text.count("\n") == 7
