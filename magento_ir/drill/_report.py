"""The drill's report: plain data, written as JSON and Markdown (the CLI renders it with rich)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from magento_ir._files import private_directory, write_private

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "ActionReport",
    "CheckReport",
    "DrillReport",
    "StagedItem",
]


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
    journal: str
    # Checks the journal's checkpoint signatures: magento-ir evidence verify --verifier ...
    journal_verifier: str = ""
    notes: tuple[str, ...] = field(default=())

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

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "playbook": self.playbook,
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
            "journal": self.journal,
            "journal_verifier": self.journal_verifier,
            "notes": list(self.notes),
        }

    def to_markdown(self) -> str:
        verdict = "PASSED" if self.ok else "FAILED"
        kind = self.store.get("kind", "sandbox store")
        store = ", ".join(f"{key} {value}" for key, value in self.store.items() if key != "kind")
        lines = [
            f"# magento-ir drill: {self.scenario} ({verdict})",
            "",
            f"Started {self.started_at}; playbook `{self.playbook}`; {kind}: {store}.",
            "",
            (
                f"**Contained in {self.contain_seconds:.2f} s with {self.contain_requests} "
                f"requests** ({len(self.actions)} actions, {self.verified_count} verified from "
                "the outside)."
            ),
            "",
            "## Staged breach",
            "",
            "| What | How | Count |",
            "|---|---|---:|",
            *(f"| {_cell(item.what)} | {_cell(item.how)} | {item.count} |" for item in self.staged),
            "",
            "## Containment",
            "",
            _ACTIONS_HEADER,
            "|---|---|---|---:|---:|---|---|",
        ]
        lines.extend(
            f"| {_cell(action.step)} | {_cell(action.action)} | {action.path} | "
            f"{action.seconds:.3f} | {action.requests} | {action.entities_ok}/"
            f"{action.entities_failed}/{action.entities_skipped} | "
            f"{'yes' if action.verified else 'NO'} |"
            for action in self.actions
        )
        lines += ["", "## How each action was verified", ""]
        for action in self.actions:
            lines.append(f"- **{_cell(action.step)}** ({_cell(action.summary)})")
            if action.error:
                lines.append(f"  - error: {_cell(action.error)}")
            lines.extend(f"  - {_check_line(check)}" for check in action.checks)
        lines += ["", "## Rolled back", ""]
        if self.rollbacks:
            lines += [
                "| Step | Action | Done | Time (s) | Requests | Detail |",
                "|---|---|---|---:|---:|---|",
            ]
            lines.extend(
                f"| {_cell(item.step)} | {_cell(item.action)} | {'yes' if item.ok else 'NO'} | "
                f"{item.seconds:.3f} | {item.requests} | {_cell(item.detail)} |"
                for item in self.rollbacks
            )
            for item in self.rollbacks:
                if item.checks:
                    lines.append("")
                    lines.append(f"Rollback of {_cell(item.action)} verified by:")
                    lines.extend(f"- {_check_line(check)}" for check in item.checks)
        else:
            lines.append("Nothing was rolled back.")
        lines += ["", "## The attacker's view afterwards", ""]
        lines.extend(f"- {_check_line(check)}" for check in self.outside_checks)
        how = "core REST" if self.store.get("kind") else "sandbox inspection API"
        lines += ["", f"## Store state afterwards ({how})", ""]
        lines.extend(f"- {_check_line(check)}" for check in self.state_checks)
        if self.notes:
            lines += ["", "## Notes", ""]
            lines.extend(f"- {_cell(note)}" for note in self.notes)
        lines += [
            "",
            (
                f"Incident journal: `{self.journal}` (check it with `magento-ir evidence verify "
                f"{self.journal} --verifier '{self.journal_verifier}'`). Whole drill: "
                f"{self.total_seconds:.2f} s."
            ),
            "",
        ]
        return "\n".join(lines)

    def write(self, directory: Path) -> tuple[Path, Path]:
        """`drill-report.json` and `drill-report.md` in `directory` (created 0700 if needed),
        both 0600: the report names staged customers."""
        private_directory(directory)
        json_path = directory / "drill-report.json"
        markdown_path = directory / "drill-report.md"
        write_private(json_path, (json.dumps(self.to_json(), indent=2) + "\n").encode())
        write_private(markdown_path, self.to_markdown().encode())
        return json_path, markdown_path


_ACTIONS_HEADER = (
    "| Step | Action | Path | Time (s) | Requests | Entities ok/failed/skipped | Verified |"
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _check_line(check: CheckReport) -> str:
    mark = {True: "held", False: "FAILED", None: "not checked"}[check.passed]
    return f"{_cell(check.name)}: {mark} ({_cell(check.detail)})"
