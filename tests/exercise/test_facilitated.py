"""Facilitated exercises (issue 15, item 2): injects reach the roster's people by e-mail at
their offsets, marked EXERCISE; two scripted participants answer through the CLI from outside
the run (decisions and four-eyes approvals); the run records each answer in its evidence log
with who, role and when, times out what nobody answers, and is scored."""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from magento_ir import set_testing
from magento_ir.cli import ExitCode, app
from magento_ir.evidence import EvidenceLog, NoteVerifier, SigningKey, read_records, verify
from magento_ir.exercise import ExerciseOptions, ExerciseRun, load_scenario, run_exercise
from magento_ir.exercise.facilitate import (
    INBOX_FILE,
    STATE_FILE,
    Facilitation,
    _inbox_read,
    approval_server,
    read_state,
)
from magento_ir.exercise.guard import MARK
from magento_ir.exercise.roster import RosterError, load_roster
from magento_ir.notify.drafts import render_draft
from tests.conftest import REPO_ROOT
from tests.notify.drafting import FACTS, NOW, details, obligation_for

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.notify.servers import MailServer

SMALL = {"products": 40, "customers": 40, "orders": 20}
INES = "ines.commander@drills.example.com"
DORA = "dora.privacy@drills.example.com"
# Real seconds a scripted participant waits for the run to reach a state: generous for a
# loaded CI machine; the test never waits this long unless the run is broken.
PATIENCE = 120.0


def write_roster(folder: Path, mail: MailServer) -> Path:
    """Two people cover hr_data_breach's five roles: Ines commands, engineers and is legal;
    Dora is the DPO and HR."""
    path = folder / "roster.toml"
    path.write_text(
        f"""title = "Two-person drill"
owner = "Ines Commander"
reviewed = 2026-12-01

[[participants]]
id = "ines"
name = "Ines Commander"
roles = ["incident_commander", "engineer", "legal"]
email = "{INES}"

[[participants]]
id = "dora"
name = "Dora Privacy"
roles = ["dpo", "hr"]
email = "{DORA}"

[smtp]
host = "127.0.0.1"
port = {mail.port}
sender = "drills@example.com"
security = "none"
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("MAGENTO_IR_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    set_testing(True)
    yield
    set_testing(False)


def cli(*args: str) -> Any:
    return CliRunner().invoke(app, ["exercise", *args])


def wait_for(folder: Path, ready: Any, what: str) -> dict[str, Any]:
    """The run's state once `ready(state)` holds (the participants' view of the run)."""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        if (folder / STATE_FILE).exists():
            state = read_state(folder)
            if ready(state):
                return state
        time.sleep(0.02)
    raise AssertionError(f"the run never reached: {what}")


class Background:
    """The facilitated run in a thread of its own, as `exercise run` would run it."""

    def __init__(self, options: ExerciseOptions) -> None:
        self.done: list[ExerciseRun] = []
        self.failure: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, args=(options,), daemon=True)
        self.thread.start()

    def _run(self, options: ExerciseOptions) -> None:
        try:
            self.done.append(run_exercise("hr_data_breach", options))
        except BaseException as error:  # noqa: BLE001 - re-raised in the test's thread
            self.failure.append(error)

    def result(self) -> ExerciseRun:
        self.thread.join(PATIENCE)
        if self.failure:
            raise self.failure[0]
        (run,) = self.done
        return run


def status_of(state: dict[str, Any], decision: str) -> str:
    return str(next(d["status"] for d in state["decisions"] if d["id"] == decision))


def test_two_participants_play_a_facilitated_exercise_through_the_cli(
    tmp_path: Path, mail: MailServer
) -> None:
    """Ines and Dora get their injects by e-mail, decide (one as expected, one not), approve
    every notice in the roles the policy needs; scores and evidence say exactly that.

    About 6 s: the drill underneath runs on the sandbox (stage, detect, contain, capture),
    and each answer waits for the run to take it."""
    roster = write_roster(tmp_path, mail)
    key = SigningKey.generate("team")
    people = Facilitation(
        load_roster(roster), roster, time_scale=1000.0, decision_timeout=1e6, run_id="drill-1"
    )
    options = ExerciseOptions(
        out=tmp_path, key=key, mode="facilitated", facilitation=people,
        participants=people.participants(), run_id="drill-1", **SMALL,
    )  # fmt: skip
    runner = Background(options)
    folder = tmp_path / "drill-1"
    where = str(folder)

    # The first inject opens the commander's decision; Dora may not take it for her.
    wait_for(folder, lambda s: status_of(s, "lock-admins") == "open", "lock-admins open")
    refused = cli("decide", where, "lock-admins", "lock", "--as", "dora")
    assert refused.exit_code == ExitCode.USAGE
    assert "incident_commander's decision" in refused.output
    assert "ines" in refused.output
    decided = cli("decide", where, "lock-admins", "lock", "--as", "ines", "--json")
    assert decided.exit_code == 0, decided.output
    answer = json.loads(decided.stdout)
    schema = json.loads((REPO_ROOT / "docs/schemas/exercise-answer.json").read_text("utf-8"))
    assert not list(Draft202012Validator(schema).iter_errors(answer))
    assert answer["taken"] is True
    assert answer["result"].startswith("recorded: lock-admins = lock by Ines Commander")
    again = cli("decide", where, "lock-admins", "wait", "--as", "ines")
    assert again.exit_code == ExitCode.USAGE
    assert "closed (made)" in again.output

    # Dora (HR) answers the second decision, not as the scenario expects.
    wait_for(folder, lambda s: status_of(s, "employee-notice") == "open", "employee-notice")
    assert cli("decide", where, "employee-notice", "after-regulator", "--as", "dora").exit_code == 0

    # Every notice needs two roles: Ines as legal, Dora as DPO (or HR for the employees').
    state = wait_for(folder, lambda s: bool(s["drafts"]), "drafts to approve")
    drafts = [draft["id"] for draft in state["drafts"]]
    assert drafts
    for draft in drafts:
        for person in ("ines", "dora"):
            approved = cli("approve", where, draft, "--as", person)
            assert approved.exit_code == 0, approved.output
            assert "recorded: approved" in approved.output

    done = runner.result()
    assert read_state(folder)["state"] == "finished"
    assert done.mode == "facilitated"
    assert done.scores is not None
    by_id = {score.decision: score for score in done.scores.decisions}
    assert by_id["lock-admins"].matched
    assert by_id["lock-admins"].by == "Ines Commander"
    assert not by_id["employee-notice"].matched
    assert by_id["employee-notice"].choice == "after-regulator"
    assert {"first_regulator_draft", "approval"} <= set(done.reached)
    assert "approve_notices" not in done.scores.skipped_steps
    # Only the wrong decision missed: everything else the automated run scores, this one did.
    assert done.scores.percent < 100

    _answers_on_the_record(folder, done, len(drafts))
    _injects_reached_hr_only(mail)


def _answers_on_the_record(folder: Path, done: ExerciseRun, drafts: int) -> None:
    """Who, role and when of each answer, in the run's log, which verifies."""
    records = list(read_records(folder / "exercise.evlog"))
    decisions = [r.payload for r in records if r.type == "exercise.decision"]
    assert [(d["decision"], d["by"], d["role"], d["via"]) for d in decisions] == [
        ("lock-admins", "Ines Commander", "incident_commander", "cli"),
        ("employee-notice", "Dora Privacy", "hr", "cli"),
    ]
    assert all(d["at"] for d in decisions)
    approvals = [r.payload for r in records if r.type == "notify.approval"]
    assert {(a["approver"], a["role"]) for a in approvals} >= {
        ("Ines Commander", "legal"),
        ("Dora Privacy", "dpo"),
    }
    assert len(approvals) == 2 * drafts
    assert verify(folder / "exercise.evlog", NoteVerifier.parse(done.verifier_key)).ok


def _injects_reached_hr_only(mail: MailServer) -> None:
    """Both injects went to HR (Dora) by e-mail, marked EXERCISE; nobody else got anything."""
    assert set(mail.mailbox.messages) == {DORA}
    subjects = [
        str(email.message_from_bytes(raw, policy=email.policy.default)["Subject"])
        for raw in mail.mailbox.messages[DORA]
    ]
    assert len(subjects) == len(load_scenario("hr_data_breach").injects)
    assert all(subject.startswith(f"{MARK} HR data breach") for subject in subjects)


class _Recorder:
    """The run's recorder, without a drill: what the facilitation tells the run."""

    def __init__(self, run_id: str, log: EvidenceLog) -> None:
        self.run_id = run_id
        self.log = log
        self.events: list[Any] = []
        self.decisions: list[Any] = []
        self.steps: list[tuple[Any, str, Any]] = []
        self.reached: list[tuple[Any, datetime]] = []

    def event(self, event: Any) -> None:
        self.events.append(event)

    def decide(self, made: Any) -> None:
        self.decisions.append(made)

    def step(self, step: Any, title: str, detail: Any = None) -> datetime:
        self.steps.append((step, title, detail))
        return datetime.now(UTC)

    def reach(self, objective: Any, now: datetime) -> None:
        self.reached.append((objective, now))


class FakeClock:
    """Real seconds that pass only when the run sleeps: no test ever waits."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_unanswered_decisions_time_out_as_not_made(tmp_path: Path, mail: MailServer) -> None:
    """Nobody answers: each decision is closed as not made once its time is up (counted from
    its inject), on the record; injects still arrive at their offsets."""
    roster = write_roster(tmp_path, mail)
    clock = FakeClock()
    people = Facilitation(
        load_roster(roster), roster, time_scale=600.0, decision_timeout=1200.0,
        clock=clock, sleep=clock.sleep,
    )  # fmt: skip
    folder = tmp_path / "run"
    folder.mkdir()
    with EvidenceLog.open(folder / "log", key=SigningKey.generate("t")) as log:
        recorder = _Recorder("run-7", log)
        people.begin(recorder, load_scenario("hr_data_breach"), folder)
        people.play(recorder)
    records = list(read_records(folder / "log"))
    timeouts = [r.payload for r in records if r.type == "exercise.decision_timeout"]
    assert [t["decision"] for t in timeouts] == ["lock-admins", "employee-notice"]
    assert [t["opened_offset"] for t in timeouts] == [0.0, 600.0]
    assert recorder.decisions == []
    assert recorder.steps == []
    state = read_state(folder)
    assert [d["status"] for d in state["decisions"]] == ["not made", "not made"]
    assert state["state"] == "finished"
    # The last decision opened at 600 s and waited 1200 s: the run ended at 1800 s, not later.
    assert 1800.0 <= clock.now * 600.0 < 1800.0 + 600.0
    delivered = [e.detail["delivered_offset"] for e in recorder.events if e.kind == "inject"]
    assert delivered[0] == 0.0
    assert 600.0 <= delivered[1] < 600.0 + 60.0
    assert mail.mailbox.count(DORA) == 2
    answered = cli("decide", str(folder), "lock-admins", "lock", "--as", "ines")
    assert answered.exit_code == ExitCode.USAGE
    assert "has finished" in answered.output


def test_a_roster_missing_a_scenario_role_is_refused_before_the_run(
    tmp_path: Path, mail: MailServer
) -> None:
    """The drill never starts when a role of the scenario (hr_data_breach's payments-free five)
    has nobody: the error names it and the fix."""
    roster = write_roster(tmp_path, mail)
    roster.write_text(roster.read_text("utf-8").replace('roles = ["dpo", "hr"]', 'roles = ["dpo"]'))
    with pytest.raises(RosterError, match=r"role hr, and nobody on the roster"):
        load_roster(roster).check_roles(load_scenario("hr_data_breach").roles, "hr_data_breach")
    result = cli("run", "hr_data_breach", "--facilitated", "--roster", str(roster),
                 "--out", str(tmp_path))  # fmt: skip
    assert result.exit_code == ExitCode.USAGE
    assert "nobody on the roster" in result.output
    no_roster = cli("run", "hr_data_breach", "--facilitated", "--out", str(tmp_path))
    assert no_roster.exit_code == ExitCode.USAGE
    assert "--roster FILE" in no_roster.output


_WRITER = """
import sys
from pathlib import Path
from magento_ir.exercise.facilitate import _inbox_append
folder, who = Path(sys.argv[1]), sys.argv[2]
for n in range(50):
    print(_inbox_append(folder, {"kind": "decision", "by": who, "n": n, "pad": "x" * 5000}))
"""


def test_concurrent_answers_each_land_whole_and_numbered_once(tmp_path: Path) -> None:
    """Two participants' processes answering at once (flock): every answer is one whole line
    with a number of its own. About 2 s: two interpreters start and import magento_ir."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    command = [sys.executable, "-c", _WRITER, str(tmp_path)]
    writers = [
        subprocess.Popen([*command, who], stdout=subprocess.PIPE, env=env, text=True)  # noqa: S603
        for who in ("p0", "p1")
    ]
    numbers = [int(line) for writer in writers for line in writer.communicate()[0].split()]
    assert all(writer.returncode == 0 for writer in writers)
    entries, offset = _inbox_read(tmp_path, 0)
    assert sorted(numbers) == list(range(100))
    assert sorted((e["by"], e["n"]) for e in entries) == [
        (who, n) for who in ("p0", "p1") for n in range(50)
    ]
    assert offset == (tmp_path / INBOX_FILE).stat().st_size


def _form(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))


def test_the_approval_page_reaches_the_run(tmp_path: Path, mail: MailServer) -> None:
    """Each participant approves on their own page (notify's approval page, as `exercise
    approve --web` serves it); the run records both approvals and performs approve_notices."""
    roster = write_roster(tmp_path, mail)
    clock = FakeClock()
    people = Facilitation(
        load_roster(roster), roster, time_scale=600.0, decision_timeout=60.0,
        clock=clock, sleep=clock.sleep,
    )  # fmt: skip
    folder = tmp_path / "run"
    notice = render_draft(
        "us-ca-individuals", details=details(), obligation=obligation_for("us-state-notice"),
        facts=FACTS, now=NOW,
    )  # fmt: skip
    notice.save(folder / "drafts")
    with EvidenceLog.open(folder / "log", key=SigningKey.generate("t")) as log:
        recorder = _Recorder("run-8", log)
        people.begin(recorder, load_scenario("hr_data_breach"), folder)
        for who in ("ines", "dora"):
            with approval_server(folder, who) as server:
                index = httpx.get(server.url)
                (link,) = re.findall(r'<a href="([^"]+)">Review draft', index.text)
                page = httpx.get(f"http://127.0.0.1:{server.port}{link}")
                form = {**_form(page.text), "decision": "approve"}
                done = httpx.post(f"http://127.0.0.1:{server.port}{link}", data=form)
                assert done.status_code == 200
                assert "Recorded: you approved this draft" in done.text
        people.play(recorder)
    approvals = [r.payload for r in read_records(folder / "log") if r.type == "notify.approval"]
    assert [(a["approver"], a["role"]) for a in approvals] == [
        ("Ines Commander", "legal"),
        ("Dora Privacy", "dpo"),
    ]
    (step,) = recorder.steps
    assert step[0] == "approve_notices"
    assert step[2] == {"draft": notice.draft_id, "obligation": notice.obligation_key,
                       "via": "approval_page"}  # fmt: skip
    assert read_state(folder)["drafts"] == [
        {"id": notice.draft_id, "roles": ["legal", "dpo"], "status": "approved"}
    ]


def test_a_missing_roster_secret_stops_the_run_before_it_starts(
    tmp_path: Path, mail: MailServer
) -> None:
    """`exercise run --facilitated` names the environment variable a roster's secret needs and
    starts nothing: no run folder, no sandbox."""
    roster = write_roster(tmp_path, mail)
    roster.write_text(
        roster.read_text("utf-8").replace(
            'security = "none"', 'security = "starttls"\nusername = "d"'
        )
    )
    out = tmp_path / "exercises"
    result = cli("run", "hr_data_breach", "--facilitated", "--roster", str(roster),
                 "--time-scale", "60", "--out", str(out))  # fmt: skip
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "set MAGENTO_IR_EXERCISE_SMTP_PASSWORD" in result.output
    assert not out.exists() or not any(out.iterdir())
