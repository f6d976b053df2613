"""`magento-ir procedures render`: the written incident-response and breach-notification
procedures, from the playbooks, policies, rules and contacts the other commands execute
(magento_ir.exercise.procedures)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path  # noqa: TC003 - typer reads the annotations at run time
from typing import Annotated

import typer

from magento_ir._exceptions import ConfigurationError
from magento_ir._files import write_private
from magento_ir.cli._errors import exit_codes
from magento_ir.cli._output import console
from magento_ir.cli._paths import readable_file
from magento_ir.cli.notify import AsOfOption, RulesOption, _day

__all__ = ["register"]

procedures_app = typer.Typer(
    name="procedures",
    help="The written incident-response and notification procedures, from the files in use.",
    no_args_is_help=True,
)
_INTERRUPTED = "Interrupted. Nothing was written; run the command again."


class DocumentFormat(StrEnum):
    MD = "md"
    HTML = "html"


def register(app: typer.Typer) -> None:
    app.add_typer(procedures_app, name="procedures")


@procedures_app.command("render")
def render_command(  # noqa: PLR0917 - one parameter per command-line option
    format_: Annotated[
        DocumentFormat,
        typer.Option("--format", help="md (Markdown) or html (one self-contained page)."),
    ] = DocumentFormat.MD,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the document to this file (default: stdout)."),
    ] = None,
    playbooks: Annotated[
        Path | None,
        typer.Option(help="A folder of playbook .toml files instead of the shipped ones."),
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option(help="The notification policy TOML (notify policy --policy)."),
    ] = None,
    approval_policy: Annotated[
        Path | None,
        typer.Option(help="The approval policy TOML (notify approve --policy)."),
    ] = None,
    rules: RulesOption = None,
    contacts: Annotated[
        Path | None,
        typer.Option(help="The contact list TOML (notify contacts check)."),
    ] = None,
    as_of: AsOfOption = None,
) -> None:
    """Render the procedures from the playbooks, policies, rules and contacts given (the shipped
    ones by default); reviews due are judged as of --as-of."""
    from magento_ir.exercise.procedures import load_sources, procedures  # noqa: PLC0415
    from magento_ir.notify.approvals import ApprovalError  # noqa: PLC0415
    from magento_ir.notify.contacts import ContactsError  # noqa: PLC0415

    with exit_codes(interrupted=_INTERRUPTED):
        for path, option in ((policy, "--policy"), (approval_policy, "--approval-policy"),
                             (contacts, "--contacts")):  # fmt: skip
            if path is not None:
                readable_file(path, option)
        for folder, option in ((playbooks, "--playbooks"), (rules, "--rules")):
            if folder is not None and not folder.is_dir():
                raise ConfigurationError(f"{option} {folder}: not a folder")
        day = _day(as_of) if as_of else datetime.now(UTC).date()
        try:
            sources = load_sources(
                playbooks=playbooks, policy=policy, approvals=approval_policy, rules=rules,
                contacts=contacts,
            )  # fmt: skip
        except (ApprovalError, ContactsError) as error:
            raise ConfigurationError(str(error)) from None
        document = procedures(sources, as_of=day)
        text = document.to_html() if format_ is DocumentFormat.HTML else document.to_markdown()
        if out is None:
            sys.stdout.write(text)
            return
        write_private(out, text.encode())
        console.print(f"Wrote {out}", highlight=False, soft_wrap=True)
