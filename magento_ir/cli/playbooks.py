"""`magento-ir playbooks`, and reading a playbook (or `--action` flags and `--input` values) for
`contain`."""

from __future__ import annotations

import re
import shlex
import tomllib
from typing import TYPE_CHECKING, Any

from rich.table import Table

from magento_ir._exceptions import ConfigurationError
from magento_ir.cli._output import JsonOption, Output, OutputFormat, OutputOption

if TYPE_CHECKING:
    import typer

    from magento_ir.containment.playbooks import Playbook

__all__ = ["key_values", "load", "register"]


def register(app: typer.Typer) -> None:
    app.command()(playbooks)


def playbooks(output: OutputOption = OutputFormat.TABLE, json_output: JsonOption = False) -> None:
    """List the shipped playbooks."""
    from magento_ir.containment.playbooks import shipped_playbooks  # noqa: PLC0415

    out = Output(output, json_output)
    table = Table(title="Shipped playbooks", title_justify="left")
    for column in ("Name", "Title", "Inputs"):
        table.add_column(column)
    listed = []
    for name, book in shipped_playbooks().items():
        table.add_row(name, book.title, ", ".join(item.name for item in book.inputs))
        listed.append(
            {
                "name": name,
                "title": book.title,
                "inputs": [
                    {
                        "name": item.name,
                        "type": item.type,
                        "description": item.description,
                        "required": item.required,
                        "default": item.default,
                    }
                    for item in book.inputs
                ],
            }
        )
    out.table(table)
    out.document({"playbooks": listed})


def _toml_value(text: str) -> Any:  # noqa: ANN401 - whatever TOML the user wrote
    """`[1, 2]`, `3`, `true`, `"x"` as TOML; anything else is taken as a plain string.

    TOML dates stay text: Magento and the playbooks take times as "YYYY-MM-DD HH:MM:SS" strings.
    """
    try:
        value = tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text
    return value if isinstance(value, str | int | float | bool | list) else text


def key_values(items: list[str], what: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        if not sep or not name.strip():
            raise ConfigurationError(
                f"{what} {item!r} is not name=value, e.g. skimmer_block_ids=[3,7] or "
                "mode=storefront"
            )
        values[name.strip()] = _toml_value(raw.strip())
    return values


def _single_actions_playbook(actions: list[str], title: str) -> Playbook:
    """`--action 'kind key=value ...'` flags as a one-off playbook (validated like a file)."""
    from magento_ir.containment.playbooks import Playbook, PlaybookError  # noqa: PLC0415

    lines = ["[playbook]", 'name = "command_line"', f"title = {_quote(title)}", ""]
    for spec in actions:
        words = shlex.split(spec)
        if not words:
            raise ConfigurationError("--action needs an action name, e.g. --action maintenance")
        lines += ["[[steps]]", f"action = {_quote(words[0])}"]
        for name, value in key_values(words[1:], "action parameter").items():
            lines.append(f"{name} = {_toml_literal(value)}")
        lines.append("")
    try:
        return Playbook.from_text("\n".join(lines), source="--action")
    except PlaybookError as error:
        # Line numbers of the TOML built here mean nothing to the responder: name the flag.
        found = _GENERATED_LINE.match(str(error))
        if found is None:
            raise
        spec = actions[int(found["step"]) - 1]
        raise ConfigurationError(
            f"--action {spec!r}: {found['field'] or ''}{found['rest']}"
        ) from None


# "--action:9: steps[2].bogus: ..." as the playbook parser words a mistake in the generated text.
_GENERATED_LINE = re.compile(
    r"^--action:\d+: steps\[(?P<step>\d+)\](?:\.(?P<field>\w+: ))?(?:: )?(?P<rest>.*)$", re.DOTALL
)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml_literal(value: Any) -> str:  # noqa: ANN401 - a TOML scalar or list
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_literal(item) for item in value) + "]"
    return _quote(str(value))


def load(playbook: str | None, actions: list[str], title: str | None) -> Playbook:
    from magento_ir.containment.playbooks import load_playbook  # noqa: PLC0415

    if playbook is not None and actions:
        raise ConfigurationError("give a playbook or --action flags, not both")
    if playbook is not None:
        return load_playbook(playbook)
    if actions:
        return _single_actions_playbook(actions, title or "Containment from the command line")
    raise ConfigurationError(
        "nothing to contain: name a playbook (e.g. `magento-ir contain magecart`, see "
        "`magento-ir playbooks`) or give --action flags"
    )
