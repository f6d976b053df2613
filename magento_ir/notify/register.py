"""The breach register (GDPR Art 33(5), PIPEDA s 10.3 24-month record, LGPD register): every
incident, its facts, the decisions taken on it (who, when, why) and the reasoning, kept as records
in the incident's own evidence log, so the register is as tamper-evident as the journal.

Records written (payloads hold counts and pseudonyms only, never an e-mail address):

- `notify.incident`: the incident, when its log is not a containment journal (those start with
  `incident.opened`);
- `notify.assessment`: who, where, what (counts per jurisdiction and category);
- `notify.facts`: the facts the plan was made from, each time they change;
- `notify.decision`: an answer to one of the engine's questions, with who, when and why;
- `notify.reasoning`: the obligations planned from those facts, each with why it fired.

`read_register(paths)` verifies each log and builds one `RegisterEntry` per incident;
`register_csv`, `register_json` and `register_html` export them.
"""

from __future__ import annotations

import csv
import html
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from magento_ir._exceptions import InvalidArgumentError
from magento_ir.notify.engine import AwareDatetime, Facts, Plan
from magento_ir.notify.explain import explain

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from magento_ir.evidence import NoteVerifier
    from magento_ir.notify.exposure import Exposure
    from magento_ir.notify.rules import Rule

__all__ = [
    "ASSESSMENT",
    "DECISION",
    "FACTS",
    "INCIDENT",
    "REASONING",
    "Decision",
    "RegisterEntry",
    "incident_clock",
    "latest_facts",
    "read_register",
    "record_assessment",
    "record_decision",
    "record_facts",
    "record_incident",
    "record_reasoning",
    "register_csv",
    "register_html",
    "register_json",
]

INCIDENT = "notify.incident"
ASSESSMENT = "notify.assessment"
FACTS = "notify.facts"
DECISION = "notify.decision"
REASONING = "notify.reasoning"
_OPENED = "incident.opened"  # a containment journal's first record
_SENT = "notify.send"  # a notice sent (magento_ir.notify channels)


ClockName = Literal["awareness", "discovery", "determination", "assessment", "materiality"]


class _Log(Protocol):
    """An EvidenceLog or a containment Journal: both append (type, payload) records."""

    def append(self, record_type: str, payload: dict[str, Any], /) -> object: ...


def incident_clock(
    *,
    detected: datetime,
    awareness: datetime | None = None,
    discovery: datetime | None = None,
    determination: datetime | None = None,
    assessment: datetime | None = None,
) -> dict[ClockName, datetime]:
    """The clock events of `Facts.clock`.

    Awareness is when the controller was reasonably certain of the breach (GDPR's 72 hours run
    from it): it is a fact of its own, often earlier than magento_ir's detection (a customer's
    complaint, a card brand's common-point-of-purchase alert). Without one, awareness is the
    detection; discovery defaults to the earlier of the two.
    """
    given = {
        "detected": detected,
        "awareness": awareness,
        "discovery": discovery,
        "determination": determination,
        "assessment": assessment,
    }
    for name, moment in given.items():
        if moment is not None and moment.tzinfo is None:
            raise InvalidArgumentError(f"{name} must be timezone-aware, e.g. ...+00:00")
    aware = awareness or detected
    clock: dict[ClockName, datetime] = {
        "awareness": aware,
        "discovery": discovery or min(aware, detected),
    }
    if determination is not None:
        clock["determination"] = determination
    if assessment is not None:
        clock["assessment"] = assessment
    return clock


class Decision(BaseModel):
    """A person's answer to one of the engine's questions, for the record."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    question_id: str = Field(pattern=r"^[a-z0-9-]+/[a-z0-9-]+$")
    answer: bool
    by: str = Field(min_length=1)
    why: str = Field(min_length=1)
    at: AwareDatetime
    question: str = ""


def record_incident(
    log: _Log, *, incident_id: str, title: str, detected_at: datetime, opened_at: datetime
) -> None:
    log.append(
        INCIDENT,
        {
            "id": incident_id,
            "title": title,
            "detected_at": detected_at.isoformat(),
            "opened_at": opened_at.isoformat(),
        },
    )


def record_assessment(
    log: _Log, exposure: Exposure, *, description: str, recipients_sha256: str | None = None
) -> None:
    """Counts only: the recipient list stays in its own file, named here by its hash."""
    log.append(
        ASSESSMENT,
        {
            "kind": exposure.kind,
            "description": description,
            "records": exposure.records,
            "unplaced": exposure.unplaced,
            "people": exposure.people,
            "eea_people": exposure.eea_people,
            "by_jurisdiction": exposure.by_jurisdiction(),
            "by_category": exposure.by_category(),
            "card_schemes": sorted(exposure.card_schemes),
            "recipients": len(exposure.recipients),
            "mailed": sum(1 for r in exposure.recipients if r.address is not None),
            "recipients_sha256": recipients_sha256,
            "notes": list(exposure.notes),
        },
    )


def record_facts(log: _Log, facts: Facts, *, reason: str) -> None:
    log.append(FACTS, {"reason": reason, "facts": facts.model_dump(mode="json")})


def record_decision(log: _Log, decision: Decision) -> None:
    log.append(DECISION, decision.model_dump(mode="json"))


def record_reasoning(
    log: _Log, result: Plan, facts: Facts, rules: tuple[Rule, ...], *, at: datetime
) -> None:
    """The plan as decided on, each obligation with the facts that fired it and its deadline
    arithmetic, so the register shows the reasoning as it was, even after rules change."""
    obligations = []
    for item in result.obligations:
        why = explain(item.key, facts, rules, as_of=result.as_of)
        obligations.append(
            {
                "key": item.key,
                "recipient": item.recipient_name,
                "jurisdiction": item.jurisdiction,
                "affected": item.affected,
                "deadline": item.deadline.isoformat() if item.deadline else None,
                "deadline_text": item.deadline_text,
                "citation": item.citation.statute,
                "why": [*why.counted, *why.answers, *why.deadline],
            }
        )
    log.append(
        REASONING,
        {
            "at": at.isoformat(),
            "as_of": result.as_of.isoformat(),
            "obligations": obligations,
            "open_questions": [
                {"question_id": q.question_id, "key": q.key, "text": q.text}
                for q in result.questions
            ],
            "stale_rules": list(result.stale_rules),
        },
    )


class RegisterEntry(BaseModel):
    """One incident as the register shows it."""

    model_config = ConfigDict(frozen=True)

    journal: str
    incident_id: str
    title: str
    detected_at: str | None
    awareness: str | None
    assessments: tuple[dict[str, Any], ...]
    people: int
    by_jurisdiction: dict[str, int]
    by_category: dict[str, int]
    decisions: tuple[Decision, ...]
    obligations: tuple[dict[str, Any], ...]
    open_questions: tuple[dict[str, Any], ...]
    reasoning_at: str | None
    sent: tuple[str, ...]
    records: int

    @property
    def notified(self) -> str:
        if not self.obligations:
            return "no obligation"
        done = sum(1 for o in self.obligations if o["key"] in self.sent)
        return f"{done} of {len(self.obligations)} sent"


def _counts(facts: Mapping[str, Any] | None) -> tuple[dict[str, int], dict[str, int]]:
    jurisdictions: dict[str, int] = {}
    categories: dict[str, int] = {}
    for group in (facts or {}).get("affected", ()):
        place = group["jurisdiction"]
        jurisdictions[place] = jurisdictions.get(place, 0) + group["count"]
        for category in group["categories"]:
            categories[category] = categories.get(category, 0) + group["count"]
    return jurisdictions, categories


def _entry(path: Path, records: list[tuple[str, dict[str, Any]]]) -> RegisterEntry:
    opened: Mapping[str, Any] = {}
    facts: dict[str, Any] | None = None
    assessments: list[dict[str, Any]] = []
    decisions: list[Decision] = []
    reasoning: dict[str, Any] | None = None
    sent: list[str] = []
    for record_type, payload in records:
        if record_type in {_OPENED, INCIDENT} and not opened:
            opened = payload
        elif record_type == ASSESSMENT:
            assessments.append(payload)
        elif record_type == FACTS:
            facts = payload["facts"]
        elif record_type == DECISION:
            decisions.append(Decision.model_validate(payload))
        elif record_type == REASONING:
            reasoning = payload
        elif record_type == _SENT and payload.get("obligation_key"):
            sent.append(str(payload["obligation_key"]))
    jurisdictions, categories = _counts(facts)
    return RegisterEntry(
        journal=str(path),
        incident_id=str(opened.get("id") or path.stem),
        title=str(opened.get("title") or ""),
        detected_at=opened.get("detected_at") or opened.get("opened_at"),
        awareness=(facts or {}).get("clock", {}).get("awareness"),
        assessments=tuple(assessments),
        people=sum(jurisdictions.values()),
        by_jurisdiction=dict(sorted(jurisdictions.items())),
        by_category=dict(sorted(categories.items())),
        decisions=tuple(decisions),
        obligations=tuple((reasoning or {}).get("obligations", ())),
        open_questions=tuple((reasoning or {}).get("open_questions", ())),
        reasoning_at=(reasoning or {}).get("at"),
        sent=tuple(sent),
        records=len(records),
    )


def read_register(
    paths: Iterable[str | Path], *, verifier: NoteVerifier | None = None
) -> tuple[RegisterEntry, ...]:
    """One entry per incident log; each log is verified first (LogIntegrityError,
    UncoveredLogError) so the register is only built from evidence that holds."""
    from magento_ir.containment.journal import Journal  # noqa: PLC0415 - keep notify light

    entries = []
    for path in paths:
        journal = Journal.read(path, verifier=verifier)
        entries.append(_entry(Path(path), journal.records()))
    return tuple(sorted(entries, key=lambda e: (e.detected_at or "", e.incident_id)))


def register_json(entries: Iterable[RegisterEntry], *, generated_at: datetime) -> dict[str, Any]:
    """The register as JSON (docs/schemas/notify-register.json)."""
    return {
        "generated_at": generated_at.astimezone(UTC).isoformat(),
        "incidents": [
            {**entry.model_dump(mode="json"), "notified": entry.notified} for entry in entries
        ],
    }


_CSV_COLUMNS = (
    "incident_id",
    "title",
    "detected_at",
    "awareness",
    "people",
    "jurisdictions",
    "categories",
    "decisions",
    "obligations",
    "open_questions",
    "notified",
    "journal",
)


def _pairs(counts: Mapping[str, int]) -> str:
    return "; ".join(f"{name}={count}" for name, count in counts.items())


def _decision_line(decision: Decision) -> str:
    answer = "yes" if decision.answer else "no"
    return (
        f"{decision.question_id}={answer} by {decision.by} at {decision.at.isoformat()}: "
        f"{decision.why}"
    )


def register_csv(entries: Iterable[RegisterEntry]) -> str:
    """One row per incident; lists inside a cell are separated by `; `."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_CSV_COLUMNS)
    for entry in entries:
        writer.writerow(
            [
                entry.incident_id,
                entry.title,
                entry.detected_at or "",
                entry.awareness or "",
                entry.people,
                _pairs(entry.by_jurisdiction),
                _pairs(entry.by_category),
                "; ".join(_decision_line(d) for d in entry.decisions),
                "; ".join(f"{o['key']} by {o['deadline'] or 'now'}" for o in entry.obligations),
                "; ".join(q["question_id"] for q in entry.open_questions),
                entry.notified,
                entry.journal,
            ]
        )
    return out.getvalue()


def _cell(text: object) -> str:
    return html.escape(str(text))


def _list(items: Iterable[str]) -> str:
    rows = [f"<li>{_cell(item)}</li>" for item in items]
    return f"<ul>{''.join(rows)}</ul>" if rows else "none"


def _incident_html(entry: RegisterEntry, number: int) -> str:
    heading = f"incident-{number}"
    obligations = "".join(
        "<tr>"
        f'<th scope="row">{_cell(o["key"])}</th>'
        f"<td>{_cell(o['recipient'])}</td>"
        f"<td>{_cell(o['deadline'] or o['deadline_text'])}</td>"
        f"<td>{_cell(o['citation'])}</td>"
        f"<td>{_list(o['why'])}</td>"
        "</tr>"
        for o in entry.obligations
    )
    table = (
        f'<div class="scroll" role="region" tabindex="0" aria-labelledby="{heading}-reasons">'
        f'<table><caption id="{heading}-reasons">Obligations and why they apply</caption>'
        '<thead><tr><th scope="col">Obligation</th><th scope="col">Recipient</th>'
        '<th scope="col">Deadline (UTC)</th><th scope="col">Citation</th>'
        '<th scope="col">Why</th></tr></thead>'
        f"<tbody>{obligations}</tbody></table></div>"
        if entry.obligations
        else "<p>No notification obligation was planned.</p>"
    )
    facts = [
        ("Detected", entry.detected_at or "not recorded"),
        ("Aware", entry.awareness or "not recorded"),
        ("People affected", str(entry.people)),
        ("Where", _pairs(entry.by_jurisdiction) or "none"),
        ("What", _pairs(entry.by_category) or "none"),
        ("Notified", entry.notified),
        ("Evidence log", entry.journal),
    ]
    details = "".join(f"<dt>{_cell(k)}</dt><dd>{_cell(v)}</dd>" for k, v in facts)
    return (
        f'<section aria-labelledby="{heading}">'
        f'<h2 id="{heading}">{_cell(entry.incident_id)}: {_cell(entry.title or "untitled")}</h2>'
        f"<dl>{details}</dl>"
        "<h3>Decisions</h3>"
        f"{_list(_decision_line(d) for d in entry.decisions)}"
        "<h3>Open questions</h3>"
        f"{_list(q['question_id'] + ': ' + q['text'] for q in entry.open_questions)}"
        f"<h3>Reasoning</h3>{table}"
        "</section>"
    )


def register_html(entries: Iterable[RegisterEntry], *, generated_at: datetime) -> str:
    """The register as one accessible HTML page (landmarks, captions, header cells)."""
    sections = "".join(_incident_html(entry, n) for n, entry in enumerate(entries, 1))
    when = generated_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    style = (
        "body{font-family:system-ui,sans-serif;line-height:1.5;margin:0 auto;max-width:72rem;"
        "padding:1rem;color:#1a1a1a;background:#fff}"
        "table{border-collapse:collapse;width:100%}th,td{border:1px solid #555;padding:.4rem;"
        "text-align:left;vertical-align:top}caption{text-align:left;font-weight:bold}"
        "dt{font-weight:bold}.scroll{overflow-x:auto}dd,td{overflow-wrap:anywhere}"
        ".scroll:focus{outline:2px solid currentColor}"
        "@media (prefers-color-scheme:dark){body{color:#f0f0f0;"
        "background:#121212}th,td{border-color:#aaa}}"
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Breach register</title><style>{style}</style></head><body>"
        f"<header><h1>Breach register</h1><p>Generated {_cell(when)}. GDPR Art 33(5), "
        "PIPEDA s 10.3 and LGPD records of every incident, its facts, decisions and reasoning. "
        "This supports legal counsel; it does not replace it.</p></header>"
        f"<main>{sections or '<p>No incident recorded.</p>'}</main></body></html>\n"
    )


def latest_facts(records: Iterable[tuple[str, dict[str, Any]]]) -> Facts | None:
    """The newest `notify.facts` of a log's records."""
    found = None
    for record_type, payload in records:
        if record_type == FACTS:
            found = payload["facts"]
    return None if found is None else Facts.model_validate(found)
