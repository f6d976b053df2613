"""The drill's report: plain data, written as JSON, Markdown and one self-contained HTML page
for auditors (the CLI renders it with rich).

Everything the report references is in the directory `write()` fills: the journal and its
checkpoints are copied there, so the directory alone proves what the drill did.
"""

from __future__ import annotations

import dataclasses
import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from magento_ir._exceptions import ConfigurationError
from magento_ir._files import private_directory, write_private
from magento_ir._version import __version__
from magento_ir.drill._render import (
    Code,
    Command,
    Items,
    Section,
    Strong,
    Table,
    Text,
    render_html,
    render_markdown,
)
from magento_ir.evidence import NoteVerifier

__all__ = [
    "ActionReport",
    "CheckReport",
    "DrillReport",
    "ReportFiles",
    "Section",
    "StagedItem",
]

JSON_NAME = "drill-report.json"
MARKDOWN_NAME = "drill-report.md"
HTML_NAME = "drill-report.html"
# Files beside the journal that verification reads (not its lock file).
_JOURNAL_SIDECARS = (".checkpoints",)


@dataclass(frozen=True, slots=True)
class CheckReport:
    """One observation: `passed` is None when it could not be made (said in `detail`)."""

    name: str
    passed: bool | None
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class StagedItem:
    """One part of the staged breach and how it was put in place."""

    what: str
    how: str
    count: int

    def to_json(self) -> dict[str, Any]:
        return {"what": self.what, "how": self.how, "count": self.count}


@dataclass(frozen=True, slots=True)
class ActionReport:
    """One playbook step: how long it took, what it cost in requests, what proved it."""

    step: str
    action: str
    path: str
    summary: str
    seconds: float
    # Requests the sandbox answered while this step ran (its own request counts).
    requests: int
    requests_by_route: dict[str, int]
    entities_ok: int
    entities_failed: int
    entities_skipped: int
    verified: bool
    checks: tuple[CheckReport, ...]
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "action": self.action,
            "path": self.path,
            "summary": self.summary,
            "seconds": round(self.seconds, 4),
            "requests": self.requests,
            "requests_by_route": self.requests_by_route,
            "entities": {
                "ok": self.entities_ok,
                "failed": self.entities_failed,
                "skipped": self.entities_skipped,
            },
            "verified": self.verified,
            "checks": [check.to_json() for check in self.checks],
            "error": self.error,
        }


@dataclass(frozen=True, slots=True)
class RollbackReport:
    step: str
    action: str
    ok: bool
    seconds: float
    requests: int
    detail: str
    checks: tuple[CheckReport, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "action": self.action,
            "ok": self.ok,
            "seconds": round(self.seconds, 4),
            "requests": self.requests,
            "detail": self.detail,
            "checks": [check.to_json() for check in self.checks],
        }


@dataclass(frozen=True, slots=True)
class ReportFiles:
    """What `DrillReport.write` put in the directory."""

    json: Path
    markdown: Path
    html: Path
    # The journal and its checkpoints, as copied (or found) in the directory.
    journal: tuple[Path, ...]


@dataclass(frozen=True, slots=True)
class DrillReport:
    scenario: str
    playbook: str
    store: dict[str, Any]
    started_at: str
    staged: tuple[StagedItem, ...]
    actions: tuple[ActionReport, ...]
    rollbacks: tuple[RollbackReport, ...]
    # Attacker's-eye checks after containment and the sandbox's inspection API's view.
    outside_checks: tuple[CheckReport, ...]
    state_checks: tuple[CheckReport, ...]
    contain_seconds: float
    total_seconds: float
    # Where the drill wrote its signed journal (write() copies it beside the report).
    journal: str
    # Checks the journal's checkpoint signatures: magento-ir evidence verify --verifier ...
    journal_verifier: str = ""
    notes: tuple[str, ...] = field(default=())
    # The generated store's seed (None on a real test store: nothing generated).
    seed: int | None = None
    # RFC 6962 root hash and record count of the journal once the drill closed it.
    journal_root: str = ""
    journal_records: int = 0
    tool_version: str = __version__
    # Further sections (e.g. notification obligations): add with `with_section`.
    sections: tuple[Section, ...] = ()

    def with_section(self, section: Section) -> DrillReport:
        """This report with `section` added after the built-in ones (its key must be new)."""
        if any(existing.key == section.key for existing in self.sections):
            raise ValueError(f"the report already has a section {section.key!r}")
        return dataclasses.replace(self, sections=(*self.sections, section))

    @property
    def contain_requests(self) -> int:
        return sum(action.requests for action in self.actions)

    @property
    def verified_count(self) -> int:
        return sum(1 for action in self.actions if action.verified)

    @property
    def ok(self) -> bool:
        """Every action applied and verified, every rollback done, every check that ran held."""
        checks = [*self.outside_checks, *self.state_checks]
        return (
            bool(self.actions)
            and all(action.verified and action.error is None for action in self.actions)
            and all(action.entities_failed == 0 for action in self.actions)
            and all(rollback.ok for rollback in self.rollbacks)
            and all(check.passed is not False for check in checks)
        )

    @property
    def journal_name(self) -> str:
        """The journal's file name: where it is in the report's directory."""
        return Path(self.journal).name

    @property
    def verify_command(self) -> str:
        """The command that verifies the journal, run in the report's directory."""
        args = ["magento-ir", "evidence", "verify", self.journal_name]
        if self.journal_verifier:
            args += ["--verifier", self.journal_verifier]
        return shlex.join(args)

    def _verifier_json(self) -> dict[str, Any] | None:
        if not self.journal_verifier:
            return None
        verifier = NoteVerifier.parse(self.journal_verifier)
        return {
            "key": self.journal_verifier,
            "name": verifier.name,
            "key_id": verifier.key_id.hex(),
            "public_key": verifier.public_key.hex(),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "tool": {"name": "magento-ir", "version": self.tool_version},
            "scenario": self.scenario,
            "playbook": self.playbook,
            "seed": self.seed,
            "ok": self.ok,
            "store": self.store,
            "started_at": self.started_at,
            "staged": [item.to_json() for item in self.staged],
            "actions": [action.to_json() for action in self.actions],
            "rollbacks": [rollback.to_json() for rollback in self.rollbacks],
            "outside_checks": [check.to_json() for check in self.outside_checks],
            "state_checks": [check.to_json() for check in self.state_checks],
            "totals": {
                "contain_seconds": round(self.contain_seconds, 4),
                "contain_requests": self.contain_requests,
                "actions": len(self.actions),
                "actions_verified": self.verified_count,
                "rollbacks": len(self.rollbacks),
                "total_seconds": round(self.total_seconds, 4),
            },
            "journal": self.journal_name,
            "journal_verifier": self.journal_verifier,
            "verification": {
                "journal": self.journal_name,
                "records": self.journal_records,
                "root": self.journal_root,
                "verifier": self._verifier_json(),
                "command": self.verify_command,
                "run_in": "the directory holding this report",
            },
            "sections": {section.key: section.data for section in self.sections},
            "notes": list(self.notes),
        }

    # --- the human forms: one document model, rendered as Markdown and HTML -------------------

    @property
    def title(self) -> str:
        return f"magento-ir drill: {self.scenario} ({'PASSED' if self.ok else 'FAILED'})"

    def _intro(self) -> tuple[Text, ...]:
        kind = self.store.get("kind", "sandbox store")
        store = ", ".join(f"{key} {value}" for key, value in self.store.items() if key != "kind")
        return (
            Text(
                (
                    f"Started {self.started_at or 'at an unrecorded time'}; playbook ",
                    Code(self.playbook),
                    f"; {kind}: {store or 'not described'}.",
                )
            ),
            Text(
                (
                    Strong(
                        f"Contained in {self.contain_seconds:.2f} s with {self.contain_requests} "
                        "requests"
                    ),
                    (
                        f" ({len(self.actions)} actions, {self.verified_count} verified from "
                        "the outside)."
                    ),
                )
            ),
        )

    def _audit_section(self) -> Section:
        verifier = self._verifier_json()
        rows = [
            ("Tool", f"magento-ir {self.tool_version}"),
            ("Scenario", self.scenario),
            ("Playbook", self.playbook),
            ("Seed", "none (a real test store)" if self.seed is None else str(self.seed)),
            ("Journal", self.journal_name),
            ("Journal records", str(self.journal_records)),
            ("Journal root hash (RFC 6962, SHA-256)", self.journal_root or "not recorded"),
        ]
        if verifier is not None:
            rows += [
                ("Verifier key", verifier["key"]),
                ("Verifier name", verifier["name"]),
                ("Verifier key id", verifier["key_id"]),
                ("Verifier public key (Ed25519, hex)", verifier["public_key"]),
            ]
        return Section(
            "audit",
            "For auditors",
            (
                Table(("Fact", "Value"), tuple(rows)),
                Text(
                    (
                        (
                            "In the directory holding this report (it contains the journal and "
                            "its signed checkpoints), this command checks every record of the "
                            "journal, its root hash and the checkpoints' signatures by the key "
                            "above:"
                        ),
                    )
                ),
                Command(self.verify_command),
            ),
        )

    def _builtin_sections(self) -> tuple[Section, ...]:
        actions = Table(
            ("Step", "Action", "Path", "Time (s)", "Requests", "Entities ok/failed/skipped",
             "Verified", "Plan"),
            tuple(
                (
                    action.step, action.action, action.path, f"{action.seconds:.3f}",
                    str(action.requests),
                    f"{action.entities_ok}/{action.entities_failed}/{action.entities_skipped}",
                    "yes" if action.verified else "NO", action.summary,
                )
                for action in self.actions
            ),
            numeric=frozenset({3, 4}),
        )  # fmt: skip
        how: list[tuple[str, ...]] = []
        for action in self.actions:
            if action.error:
                how.append((action.step, action.action, "error", "FAILED", action.error))
            how.extend(
                (action.step, action.action, check.name, _MARKS[check.passed], check.detail)
                for check in action.checks
            )
        verified = Table(("Step", "Action", "Check", "Result", "Detail"), tuple(how))
        rolled: list[Table | Text | Items] = []
        if self.rollbacks:
            rolled.append(
                Table(
                    ("Step", "Action", "Done", "Time (s)", "Requests", "Detail"),
                    tuple(
                        (
                            item.step,
                            item.action,
                            "yes" if item.ok else "NO",
                            f"{item.seconds:.3f}",
                            str(item.requests),
                            item.detail,
                        )
                        for item in self.rollbacks
                    ),
                    numeric=frozenset({3, 4}),
                )
            )
            for item in self.rollbacks:
                if item.checks:
                    rolled.append(Text((f"Rollback of {item.action} verified by:",)))
                    rolled.append(Items(tuple((_check_line(check),) for check in item.checks)))
        else:
            rolled.append(Text(("Nothing was rolled back.",)))
        state_how = "core REST" if self.store.get("kind") else "sandbox inspection API"
        return (
            Section(
                "staged",
                "Staged breach",
                (
                    Table(
                        ("What", "How", "Count"),
                        tuple((item.what, item.how, str(item.count)) for item in self.staged),
                        numeric=frozenset({2}),
                    ),
                ),
            ),
            Section("containment", "Containment", (actions,)),
            Section("verified", "How each action was verified", (verified,)),
            Section("rollbacks", "Rolled back", tuple(rolled)),
            Section(
                "outside_checks",
                "The attacker's view afterwards",
                (_checks(self.outside_checks),),
            ),
            Section(
                "state_checks",
                f"Store state afterwards ({state_how})",
                (_checks(self.state_checks),),
            ),
        )

    def _all_sections(self) -> tuple[Section, ...]:
        tail = [self._audit_section()]
        if self.notes:
            tail.insert(0, Section("notes", "Notes", (Items(tuple((n,) for n in self.notes)),)))
        return (*self._builtin_sections(), *self.sections, *tail)

    def _closing(self) -> Text:
        return Text(
            (
                "Incident journal: ",
                Code(self.journal_name),
                f" ({self.journal_records} records, root ",
                Code(self.journal_root or "not recorded"),
                f"). Whole drill: {self.total_seconds:.2f} s.",
            )
        )

    def to_markdown(self) -> str:
        sections = self._all_sections()
        closing = Section("end", "Journal", (self._closing(),))
        return render_markdown(self.title, self._intro(), (*sections, closing))

    def to_html(self) -> str:
        """One page, no script and no external resource: it opens offline, as it was written."""
        sections = self._all_sections()
        closing = Section("end", "Journal", (self._closing(),))
        return render_html(self.title, self._intro(), (*sections, closing), verdict_passed=self.ok)

    def write(self, directory: Path) -> ReportFiles:
        """The report as JSON, Markdown and HTML in `directory` (created 0700 if needed), all
        0600 (the report names staged customers), with a copy of the journal and its checkpoints
        when they are elsewhere: the directory alone is what an auditor needs."""
        source = Path(self.journal)
        if not source.is_file():
            raise ConfigurationError(
                f"the report's journal {self.journal} does not exist: write the report from the "
                "drill that made it, before moving its files"
            )
        private_directory(directory)
        journal = [directory / source.name]
        if source.resolve() != journal[0].resolve():
            write_private(journal[0], source.read_bytes())
            for suffix in _JOURNAL_SIDECARS:
                sidecar = source.with_name(source.name + suffix)
                if sidecar.is_file():
                    journal.append(directory / sidecar.name)
                    write_private(journal[-1], sidecar.read_bytes())
        else:
            journal += [
                path
                for suffix in _JOURNAL_SIDECARS
                if (path := directory / (source.name + suffix)).is_file()
            ]
        files = ReportFiles(
            json=directory / JSON_NAME,
            markdown=directory / MARKDOWN_NAME,
            html=directory / HTML_NAME,
            journal=tuple(journal),
        )
        write_private(files.json, (json.dumps(self.to_json(), indent=2) + "\n").encode())
        write_private(files.markdown, self.to_markdown().encode())
        write_private(files.html, self.to_html().encode())
        return files


_MARKS = {True: "held", False: "FAILED", None: "not checked"}


def _check_line(check: CheckReport) -> str:
    return f"{check.name}: {_MARKS[check.passed]} ({check.detail})"


def _checks(checks: tuple[CheckReport, ...]) -> Items | Text:
    if not checks:
        return Text(("No check of this kind ran.",))
    return Items(tuple((_check_line(check),) for check in checks))
