"""`magento-ir playbooks [show NAME | validate FILE]`, and reading a playbook (or `--action`
flags and `--input` values) for `contain`."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path  # noqa: TC003 - typer reads the annotations at run time
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.markup import escape
from rich.table import Table

from magento_ir._exceptions import ConfigurationError
from magento_ir.cli._config import ExitCode
from magento_ir.cli._errors import errors
from magento_ir.cli._output import JsonOption, Output, OutputFormat, OutputOption, console

if TYPE_CHECKING:
    from collections.abc import Sequence

    from magento_ir.containment.playbooks import Input, Playbook, Problem

__all__ = ["key_values", "load", "refuse_problems", "register"]

playbooks_app = typer.Typer(
    help="List the shipped playbooks; show one; validate a playbook file.",
    invoke_without_command=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(playbooks_app, name="playbooks")


# What `--input NAME=VALUE` looks like for each input type, on the command line.
_EXAMPLES = {
    "int_list": "[3,7]",
    "str_list": '["first","second"]',
    "ids_or_all": "[12,15]",
    "string": "2024-05-01 00:00:00",
    "integer": "3",
    "boolean": "true",
}


def _example(item: Input) -> str:
    """`--input 'NAME=VALUE'`, quoted for the shell (it would eat the quotes in a list)."""
    return f"--input {shlex.quote(f'{item.name}={_EXAMPLES[item.type]}')}"


def _input_json(item: Input) -> dict[str, Any]:
    return {
        "name": item.name,
        "type": item.type,
        "description": item.description,
        "required": item.required,
        "default": item.default,
    }


@playbooks_app.callback()
def playbooks(
    ctx: typer.Context,
    output: OutputOption = OutputFormat.TABLE,
    json_output: JsonOption = False,
) -> None:
    """List the shipped playbooks (`show NAME` for one, `validate FILE` to check your own)."""
    if ctx.invoked_subcommand is not None:
        return
    from magento_ir.containment.playbooks import shipped_playbooks  # noqa: PLC0415

    out = Output(output, json_output)
    table = Table(title="Shipped playbooks", title_justify="left")
    for column in ("Name", "Title", "Inputs"):
        table.add_column(column)
    listed = []
    for name, book in shipped_playbooks().items():
        table.add_row(name, escape(book.title), ", ".join(item.name for item in book.inputs))
        listed.append(
            {
                "name": name,
                "title": book.title,
                "inputs": [_input_json(item) for item in book.inputs],
            }
        )
    out.table(table)
    out.note("`magento-ir playbooks show NAME` lists a playbook's steps and inputs.")
    out.document({"playbooks": listed})


@playbooks_app.command("show")
def show(
    name: Annotated[
        str, typer.Argument(help="A shipped playbook's name or a playbook .toml file.")
    ],
    output: OutputOption = OutputFormat.TABLE,
    json_output: JsonOption = False,
) -> None:
    """A playbook's inputs and steps: what each changes in the store, and if it can be undone."""
    from magento_ir.containment.actions import ACTIONS, changes, rollback_effect  # noqa: PLC0415
    from magento_ir.containment.playbooks import INPUT_TYPES, load_playbook  # noqa: PLC0415

    out = Output(output, json_output)
    book = load_playbook(name)
    inputs = Table(title=f"{book.name}: {escape(book.title)} - inputs", title_justify="left")
    for column in ("Input", "Type", "Required", "Description", "Give it as"):
        inputs.add_column(column)
    for item in book.inputs:
        required = "yes" if item.required else f"no (default {item.default!r})"
        inputs.add_row(
            item.name,
            f"{item.type}: {INPUT_TYPES[item.type][1]}",
            required,
            escape(item.description),
            escape(_example(item)),
        )
    steps = Table(title=f"{book.name} - steps, in order", title_justify="left")
    for column in ("#", "Action", "Parameters", "Runs", "Changes in the store", "Rollback"):
        steps.add_column(column)
    listed = []
    for step in book.steps:
        action = ACTIONS[step.action]
        params = " ".join(
            f"{key}={value if _is_reference(value) else _toml_literal(value)}"
            for key, value in step.params.items()
        )
        runs = "always" if step.when is None else f"when {step.when} is given"
        steps.add_row(
            str(step.number),
            step.action,
            escape(params) or "-",
            runs,
            escape(changes(action)),
            escape(rollback_effect(action)),
        )
        listed.append(
            {
                "number": step.number,
                "action": step.action,
                "params": step.params,
                "when": step.when,
                "changes": changes(action),
                "reversible": action.irreversible is None,
                "rollback": rollback_effect(action),
            }
        )
    if book.description:
        out.note(book.description)
    if book.inputs:
        out.table(inputs)
    out.table(steps)
    out.note(
        "A parameter written $NAME takes the input NAME. Run it: magento-ir contain "
        f"{name} " + " ".join(f"--input {item.name}=..." for item in book.inputs if item.required)
    )
    out.document(
        {
            "name": book.name,
            "title": book.title,
            "description": book.description,
            "source": book.source,
            "inputs": [
                {
                    **_input_json(item),
                    "shape": INPUT_TYPES[item.type][1],
                    "example": _example(item),
                }
                for item in book.inputs
            ],
            "steps": listed,
        }
    )


@playbooks_app.command("validate")
def validate(
    file: Annotated[Path, typer.Argument(help="The playbook .toml file to check.")],
    output: OutputOption = OutputFormat.TABLE,
    json_output: JsonOption = False,
) -> None:
    """Check a playbook file; every problem is printed as FILE:LINE:COLUMN: message (exit 2)."""
    from magento_ir.containment.playbooks import Playbook, PlaybookError  # noqa: PLC0415

    out = Output(output, json_output)
    if not file.is_file():
        raise ConfigurationError(
            f"{file}: no such file" if not file.exists() else f"{file}: not a file"
        )
    try:
        book = Playbook.from_file(file)
    except PlaybookError as error:
        if not error.problems:
            raise
        refuse_problems(out, file, error.problems, kind="playbook")
    if not out.json:
        console.print(
            f"OK: {file} is playbook {book.name} ({len(book.steps)} steps, "
            f"{len(book.inputs)} inputs)",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    out.document(
        {"file": str(file), "ok": True, "playbook": book.name, "problems": [], "exit_code": 0}
    )


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
    """`--action 'kind key=value ...'` flags as a one-off playbook, validated like a file; each
    mistake names the flag it is in."""
    from magento_ir.containment.playbooks import Playbook, PlaybookError  # noqa: PLC0415

    steps = []
    for spec in actions:
        words = _words(spec)
        if not words:
            raise ConfigurationError("--action needs an action name, e.g. --action maintenance")
        parameters = key_values(words[1:], "action parameter")
        steps.append({"action": _unquoted(words[0]), **_shell_first(words[1:], parameters)})
    data = {"playbook": {"name": "command_line", "title": title}, "steps": steps}
    try:
        return Playbook.from_data(data, source="--action")
    except PlaybookError as error:
        raise ConfigurationError(
            "\n".join(_flag_problem(problem, actions) for problem in error.problems) or str(error)
        ) from None


# A quoted TOML string (basic with escapes, or literal), a run of spaces, other text, or a quote
# that is never closed.
_TOKEN = re.compile(r"""("(?:[^"\\]|\\.)*"|'[^']*')|(\s+)|([^\s"']+)|(["'])""")


def _words(spec: str) -> list[str]:
    """An `--action` value's words: split at spaces outside quotes and brackets, quotes kept, so
    `skus=["A B","C"]` stays one TOML list and `message='Back soon'` one TOML string (a
    shell-style split would drop the quotes and make the list text)."""
    words: list[str] = []
    word, depth = "", 0
    for quoted, space, text, unclosed in _TOKEN.findall(spec):
        if unclosed:
            raise ConfigurationError(f"--action {spec!r}: a {unclosed} quote is not closed")
        if space and depth == 0:
            words.append(word)
            word = ""
            continue
        depth += text.count("[") + text.count("{") - text.count("]") - text.count("}")
        word += quoted or space or text
    words.append(word)
    return [word for word in words if word]


def _unquoted(word: str) -> str:
    """A word as a shell would pass it on (`'maintenance'` is maintenance)."""
    try:
        return " ".join(shlex.split(word))
    except ValueError:
        return word


def _shell_first(words: list[str], parameters: dict[str, Any]) -> dict[str, Any]:
    """Each parameter as it was always read (shell quotes removed: `skus='["A"]'`) when that is
    TOML, else as written with its quotes (`skus=["A","B"]`, `message='Back soon'`)."""
    for word in words:
        name, _, raw = word.partition("=")
        try:
            tomllib.loads(f"value = {_unquoted(raw)}")
        except tomllib.TOMLDecodeError:
            continue
        parameters[name.strip()] = _toml_value(_unquoted(raw))
    return parameters


def _flag_problem(problem: Any, actions: list[str]) -> str:  # noqa: ANN401 - a Problem
    """A playbook problem in the steps `--action` flags made, said as the flag: `--action
    'maintenance bogus=1': bogus: maintenance has no parameter 'bogus'`."""
    path = problem.path
    if len(path) < 2 or path[0] != "steps" or not isinstance(path[1], int):  # noqa: PLR2004
        return f"--action: {problem.message}"
    key = problem.label.removeprefix(f"steps[{path[1] + 1}]").lstrip(".")
    where = f"--action {actions[path[1]]!r}"
    return f"{where}: {key}: {problem.message}" if key else f"{where}: {problem.message}"


def _is_reference(value: object) -> bool:
    """`"$name"`: the parameter takes the input `name` (shown bare, as written in docs)."""
    return isinstance(value, str) and value.startswith("$")


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


def refuse_problems(out: Output, file: Path, problems: Sequence[Problem], *, kind: str) -> NoReturn:
    """Every problem of a checked file as `FILE:LINE:COL` lines (or JSON), then exit 2."""
    if not out.json:
        for problem in problems:
            errors.print(problem.render(str(file)), highlight=False, markup=False, soft_wrap=True)
        errors.print(
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {file}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    out.document(
        {
            "file": str(file),
            "ok": False,
            kind: None,
            "problems": [
                {
                    "line": problem.line or None,
                    "column": problem.column or None,
                    "key": problem.label or None,
                    "message": problem.message,
                    "text": problem.render(str(file)),
                }
                for problem in problems
            ],
            "exit_code": int(ExitCode.USAGE),
        }
    )
    raise typer.Exit(int(ExitCode.USAGE)) from None
