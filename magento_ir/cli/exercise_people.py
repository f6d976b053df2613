"""`magento-ir exercise decide | approve`: participants answer a facilitated exercise while it
runs, from any terminal (docs/exercises.md, "People in the loop").

An answer goes into the run's inbox (its folder's `inbox.jsonl`, safe for concurrent writers);
the run takes it, records it in the evidence log and says what it made of it, which these
commands wait for (`--wait` seconds) and print.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from magento_ir.cli._config import ExitCode
from magento_ir.cli._errors import exit_codes, fail
from magento_ir.cli._output import JsonOption, Output, OutputFormat, OutputOption, console
from magento_ir.cli.exercise import OutOption, exercise_app

__all__ = ["approve_command", "decide_command"]

_INTERRUPTED = "Interrupted: an answer already in the run's inbox stays there."

RunArgument = Annotated[
    str,
    typer.Argument(help="The run: its folder, or its id in --out (exercise run printed it)."),
]
AsOption = Annotated[
    str, typer.Option("--as", help="Who answers: their id (or name) on the exercise's roster.")
]
WaitOption = Annotated[
    float,
    typer.Option("--wait", help="Seconds to wait for the run to take the answer (0: do not wait)."),
]


def _folder(run: str, out_dir: Path) -> Path:
    given = Path(run)
    return given if given.is_dir() else out_dir / run


def _result(out: Output, run: str, answer: dict[str, str], result: str) -> None:
    refused = result.startswith("refused")
    taken = not refused and result.startswith("recorded")
    if not out.json:
        console.print(result, highlight=False, markup=False, soft_wrap=True)
    out.document({"run": run, "answer": answer, "result": result, "taken": taken})
    if refused:
        fail(ExitCode.USAGE, result)


@exercise_app.command("decide")
def decide_command(  # noqa: PLR0917 - one parameter per command-line option
    run: RunArgument,
    decision: Annotated[str, typer.Argument(help="The scenario's decision id.")],
    choice: Annotated[str, typer.Argument(help="One of the decision's options.")],
    who: AsOption,
    out_dir: OutOption = Path("exercises"),
    wait: WaitOption = 30.0,
    output: OutputOption = OutputFormat.TABLE,
    json_output: JsonOption = False,
) -> None:
    """Make one of the scenario's decisions in a facilitated run (in your roster role)."""
    from magento_ir.exercise.facilitate import submit_decision  # noqa: PLC0415

    out = Output(output, json_output)
    with exit_codes(interrupted=_INTERRUPTED):
        result = submit_decision(_folder(run, out_dir), decision, choice, who, wait=wait)
        answer = {"kind": "decision", "decision": decision, "choice": choice, "as": who}
        _result(out, run, answer, result)


@exercise_app.command("approve")
def approve_command(  # noqa: PLR0917 - one parameter per command-line option
    run: RunArgument,
    who: AsOption,
    draft: Annotated[
        str | None, typer.Argument(help="The draft's id (e.g. eu-gdpr/art33-sa:en).")
    ] = None,
    role: Annotated[
        str | None,
        typer.Option("--role", help="Approve in this role (when you hold more than one)."),
    ] = None,
    reject: Annotated[
        bool, typer.Option("--reject", help="Reject the draft instead (needs --reason).")
    ] = False,
    reason: Annotated[str, typer.Option("--reason", help="Why it is rejected.")] = "",
    web: Annotated[
        bool,
        typer.Option("--web", help="Serve the approval page on 127.0.0.1 instead, until Ctrl-C."),
    ] = False,
    port: Annotated[int, typer.Option("--port", help="The approval page's port (0: any).")] = 0,
    out_dir: OutOption = Path("exercises"),
    wait: WaitOption = 30.0,
    output: OutputOption = OutputFormat.TABLE,
    json_output: JsonOption = False,
) -> None:
    """Approve (or reject) a notice drafted in a facilitated run, as the approvals of a real
    incident are given (four eyes: the roles its audience needs), or on the approval page."""
    from magento_ir.exercise.facilitate import approval_server, submit_approval  # noqa: PLC0415

    out = Output(output, json_output)
    folder = _folder(run, out_dir)
    with exit_codes(interrupted=_INTERRUPTED):
        if web:
            server = approval_server(folder, who, role, port)
            console.print(f"Approval page for {who}: {server.url} (Ctrl-C to stop)", markup=False)
            try:
                while True:
                    time.sleep(1)
            finally:
                server.close()
        if draft is None:
            fail(ExitCode.USAGE, "name the DRAFT to approve (or give --web for the page)")
        result = submit_approval(
            folder, draft, who, role=role, approve=not reject, reason=reason, wait=wait
        )
        answer = {"kind": "approval", "draft": draft, "decision": "rejected" if reject
                  else "approved", "as": who}  # fmt: skip
        _result(out, run, answer, result)
