"""Playbooks: TOML files naming containment actions and their parameters (docs/playbooks.md).

```toml
[playbook]
name = "magecart"
title = "Magecart skimmer in checkout"

[inputs.skimmer_block_ids]
type = "int_list"
description = "CMS block ids that carry the injected script"

[[steps]]
action = "disable_cms_blocks"
ids = "$skimmer_block_ids"
```

A parameter whose value is the string `"$name"` takes the input `name` at run time; a step with
`when = "name"` runs only when that input is non-empty. Every mistake is a `PlaybookError`
listing each problem with the file, line, column and key, what is wrong, and how to fix it.
"""

from __future__ import annotations

import inspect
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import StrictBool, StrictInt, StrictStr, TypeAdapter, ValidationError

from magento_ir._exceptions import InvalidArgumentError, MagentoIRError
from magento_ir._toml import document_by_name_or_path, shipped_documents
from magento_ir.containment._toml_positions import Positions, positions
from magento_ir.containment.actions import ACTIONS
from magento_ir.containment.journal import step_key
from magento_ir.evidence import canonical_json

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from magento_ir.containment.actions import Action

__all__ = [
    "INPUT_TYPES",
    "Playbook",
    "PlaybookError",
    "Problem",
    "load_playbook",
    "shipped_playbooks",
]

_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
_REFERENCE = re.compile(r"\$([a-z][a-z0-9_]*)")
_TOP_LEVEL = frozenset({"playbook", "inputs", "steps"})
_HEADER_KEYS = frozenset({"name", "title", "description"})
_INPUT_KEYS = frozenset({"type", "description", "default"})
_STEP_KEYS = frozenset({"action", "when"})


def _checker(kind: object) -> Callable[[object], bool]:
    """A strict pydantic check: no coercion, so "3" is not an integer and a string is never a
    list (it would become one entity per character)."""
    adapter: TypeAdapter[Any] = TypeAdapter(kind)

    def check(value: object) -> bool:
        try:
            adapter.validate_python(value, strict=True)
        except ValidationError:
            return False
        return True

    return check


# Input types and how a value is checked; TOML's own types, nothing implicit.
INPUT_TYPES: dict[str, tuple[Callable[[object], bool], str]] = {
    "int_list": (_checker(list[StrictInt]), "a list of integers, e.g. [3, 7]"),
    "str_list": (_checker(list[StrictStr]), 'a list of strings, e.g. ["SKU-1", "SKU-2"]'),
    "ids_or_all": (
        _checker(Literal["all"] | list[StrictInt]),
        'a list of integer ids, e.g. [12, 15], or "all"',
    ),
    "string": (_checker(StrictStr), 'a string, e.g. "2024-05-01 00:00:00"'),
    "integer": (_checker(StrictInt), "an integer"),
    "boolean": (_checker(StrictBool), "true or false"),
}


# A value of each input type, to check a playbook's steps before the inputs are known.
_SAMPLES: dict[str, Any] = {
    "int_list": [1],
    "str_list": ["sample"],
    "ids_or_all": "all",
    "string": "2000-01-01 00:00:00",
    "integer": 1,
    "boolean": True,
}


class PlaybookError(MagentoIRError, ValueError):
    """A playbook file, or the inputs given to it, is wrong; the message says where and how.

    `problems` holds every mistake found in a file, each with its line and column, one per line
    of the message (a TOML syntax error stops the reading: it is the only one then)."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake in a playbook: its key path (`("steps", 1, "mode")`, 0-based indexes), the
    key as shown (`steps[2].mode`), what is wrong and the fix, and where it is written (1-based
    line and column; 0 when there is no such place, e.g. a table that is missing)."""

    path: tuple[str | int, ...]
    label: str
    message: str
    line: int = 0
    column: int = 0

    def render(self, source: str) -> str:
        """`FILE:LINE:COLUMN: key: message`, as compilers and editors show errors."""
        place = f"{source}:{self.line}:{self.column}" if self.line else source
        return (
            f"{place}: {self.label}: {self.message}" if self.label else f"{place}: {self.message}"
        )


@dataclass(frozen=True, slots=True)
class Input:
    name: str
    type: str
    description: str
    default: Any = None
    required: bool = True

    @property
    def shape(self) -> str:
        """What a value looks like (`a list of integers, e.g. [3, 7]`)."""
        return INPUT_TYPES[self.type][1]


@dataclass(frozen=True, slots=True)
class Step:
    number: int
    action: str
    params: dict[str, Any]
    when: str | None


@dataclass(frozen=True, slots=True)
class Playbook:
    """A validated playbook. `actions(inputs)` builds its actions with the inputs filled in."""

    name: str
    title: str
    description: str
    inputs: tuple[Input, ...]
    steps: tuple[Step, ...]
    source: str
    text: str

    @classmethod
    def from_file(cls, path: str | Path) -> Playbook:
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as error:
            raise PlaybookError(f"{file}: cannot read the playbook ({error.strerror})") from None
        except UnicodeDecodeError as error:
            raise PlaybookError(
                f"{file}: not UTF-8 text (byte {error.start}): save the playbook as UTF-8"
            ) from None
        return cls.from_text(text, source=str(file))

    @classmethod
    def from_text(cls, text: str, *, source: str = "<playbook>") -> Playbook:
        """Read and check a playbook; a PlaybookError lists every mistake at its line and
        column."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise _syntax_error(error, source, text) from None
        return cls.from_data(data, source=source, text=text, found=positions(text))

    @classmethod
    def from_data(
        cls,
        data: Mapping[str, Any],
        *,
        source: str = "<playbook>",
        text: str = "",
        found: Positions | None = None,
    ) -> Playbook:
        """A playbook from TOML-like data (`--action` flags build one); `found` places the
        mistakes in the text it came from."""
        checker = _Checker(found or Positions())
        for key in data:
            if key not in _TOP_LEVEL:
                checker.add(
                    (key,),
                    key,
                    "unknown table; a playbook has [playbook], [inputs.*] and [[steps]]",
                )
        name, title, description = _header(checker, data.get("playbook"))
        inputs = _inputs(checker, data.get("inputs", {}))
        steps = _steps(checker, data.get("steps"), inputs)
        if checker.problems:
            problems = sorted(checker.problems, key=lambda item: (item.line, item.column))
            raise PlaybookError("\n".join(problem.render(source) for problem in problems), problems)
        declared = tuple(item for item in inputs.values() if item is not None)
        return cls(name, title, description, declared, steps, source, text)

    def actions(self, given: Mapping[str, Any]) -> list[Action]:
        """The steps' actions with `given` inputs filled in (defaults for the others)."""
        values = self._values(given)
        built: list[Action] = []
        seen: dict[str, int] = {}
        for step in self.steps:
            if step.when is not None and not values[step.when]:
                continue
            params = {
                key: values[ref] if (ref := _reference(value)) is not None else value
                for key, value in step.params.items()
            }
            try:
                action = ACTIONS[step.action](**params)
            except (InvalidArgumentError, TypeError) as error:
                raise PlaybookError(
                    f"{self.source}: steps[{step.number}] ({step.action}): {error}"
                ) from None
            # The same action with the same parameters is one step of the journal: the second
            # would be taken as done.
            identity = step_key(action.kind, action.params())
            if identity in seen:
                raise PlaybookError(
                    f"{self.source}: steps[{step.number}] ({step.action}) is "
                    f"steps[{seen[identity]}] again once the inputs are filled in (same action, "
                    "same parameters: one step id in the journal): give different inputs, or "
                    "remove one of them"
                )
            seen[identity] = step.number
            built.append(action)
        return built

    def _values(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Every input's value: given (checked against its type), else its default."""
        declared = {item.name: item for item in self.inputs}
        for key in given:
            if key not in declared:
                raise PlaybookError(
                    f"{self.source}: input {key!r} is not declared by playbook {self.name}; it "
                    f"takes {', '.join(declared) or 'no inputs'}"
                )
        values: dict[str, Any] = {}
        for item in self.inputs:
            if item.name in given:
                check, shape = INPUT_TYPES[item.type]
                if not check(given[item.name]):
                    raise PlaybookError(
                        f"{self.source}: input {item.name!r} must be {shape}, got "
                        f"{given[item.name]!r}"
                    )
                values[item.name] = given[item.name]
            elif item.required:
                raise PlaybookError(
                    f"{self.source}: playbook {self.name} needs input {item.name!r} "
                    f"({item.description or item.type}): pass inputs={{{item.name!r}: ...}}"
                )
            else:
                values[item.name] = item.default
        return values


def _label(path: tuple[str | int, ...]) -> str:
    """A key path as the messages show it: `steps[2].mode` (steps counted from 1)."""
    text = ""
    for part in path:
        text += f"[{part + 1}]" if isinstance(part, int) else f".{part}" if text else part
    return text


class _Checker:
    """Collects every mistake, each placed at its key (or its value) in the text."""

    def __init__(self, found: Positions) -> None:
        self.found = found
        self.problems: list[Problem] = []

    def add(
        self,
        path: tuple[str | int, ...],
        label: str,
        message: str,
        *,
        value: bool = False,
    ) -> None:
        line, column = self.found.of(path, value=value) or (0, 0)
        self.problems.append(Problem(path, label, message, line, column))

    def key(self, path: tuple[str | int, ...], message: str, *, value: bool = False) -> None:
        self.add(path, _label(path), message, value=value)


_SYNTAX_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def _syntax_error(error: tomllib.TOMLDecodeError, source: str, document: str) -> PlaybookError:
    text = str(error)
    text_lines = document.splitlines()
    at = _SYNTAX_AT.search(text)
    line, column = (int(at[1]), int(at[2])) if at else (0, 0)
    what = text[: at.start()] if at else text
    if line and what.startswith(("Cannot overwrite", "Cannot declare")):
        # tomllib points after the value; the mistake is the key, where the line starts.
        written = text_lines[line - 1] if line <= len(text_lines) else ""
        column = len(written) - len(written.lstrip()) + 1
        what = f"{what}: this key (or table) is already set above"
    problem = Problem(
        (),
        "",
        f"not valid TOML: {what}; fix the syntax there (strings need quotes, and a key is "
        "written once per table)",
        line,
        column,
    )
    return PlaybookError(problem.render(source), [problem])


def _header(checker: _Checker, header: object) -> tuple[str, str, str]:
    if not isinstance(header, dict):
        checker.add(
            ("playbook",),
            "[playbook]",
            'missing: add [playbook] with name = "..." and title = "..."'
            if header is None
            else "must be a table: [playbook] with name and title",
        )
        return "", "", ""
    for key in header:
        if key not in _HEADER_KEYS:
            checker.key(("playbook", key), "unknown key; use name, title, description")
    name = header.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        checker.key(
            ("playbook", "name"),
            'must be lower-case letters, digits and _ (e.g. name = "magecart")'
            if "name" in header
            else 'missing: add name = "..." (lower-case letters, digits and _)',
            value=True,
        )
    title = header.get("title")
    if not isinstance(title, str) or not title.strip():
        checker.key(
            ("playbook", "title"),
            'must be a non-empty string (title = "what this contains")'
            if "title" in header
            else 'missing: add title = "what this contains"',
            value=True,
        )
    description = header.get("description", "")
    if not isinstance(description, str):
        checker.key(("playbook", "description"), "must be a string", value=True)
    return str(name), str(title), str(description)


def _inputs(checker: _Checker, raw: object) -> dict[str, Input | None]:
    """Every declared input by name; None for one declared with a mistake (already reported:
    steps may refer to it without a second error)."""
    if not isinstance(raw, dict):
        checker.key(("inputs",), "must be tables like [inputs.skus] with a type")
        return {}
    inputs: dict[str, Input | None] = {}
    for name, spec in raw.items():
        path = ("inputs", name)
        inputs[name] = None
        if not _NAME.fullmatch(name):
            checker.key(path, "input names are lower_snake_case (letters, digits and _)")
        if not isinstance(spec, dict):
            checker.key(path, f'must be a table: [inputs.{name}] with type = "..."', value=True)
            continue
        for extra in spec:
            if extra not in _INPUT_KEYS:
                checker.key((*path, extra), "unknown key; use type, description, default")
        kind = spec.get("type")
        if kind not in INPUT_TYPES:
            checker.key(
                (*path, "type"),
                f"must be one of {', '.join(INPUT_TYPES)}"
                if "type" in spec
                else f"missing: add type = one of {', '.join(INPUT_TYPES)}",
                value=True,
            )
            continue
        check, shape = INPUT_TYPES[kind]
        if "default" in spec and not check(spec["default"]):
            checker.key((*path, "default"), f"must be {shape}", value=True)
            continue
        if not isinstance(spec.get("description", ""), str):
            checker.key((*path, "description"), "must be a string", value=True)
        inputs[name] = Input(
            name,
            kind,
            str(spec.get("description", "")),
            spec.get("default"),
            required="default" not in spec,
        )
    return inputs


def _steps(checker: _Checker, raw: object, inputs: dict[str, Input | None]) -> tuple[Step, ...]:
    if not isinstance(raw, list) or not raw:
        checker.key(("steps",), 'no steps: add [[steps]] tables with action = "..."')
        return ()
    steps = []
    # A step's identity (action, parameters as written, inputs it takes): the same twice is
    # the same step id in the journal.
    identities: dict[str, int] = {}
    for index, table in enumerate(raw):
        path: tuple[str | int, ...] = ("steps", index)
        step = _step(checker, path, table, inputs)
        if step is None:
            continue
        action, params, identity = step
        if identity in identities:
            checker.key(
                path,
                f"repeats steps[{identities[identity]}] (same action, same parameters): both "
                "would be one step id in the journal and the second would be skipped as done; "
                "remove one",
            )
        identities.setdefault(identity, index + 1)
        when = table.get("when")
        steps.append(Step(index + 1, action, params, when))
    return tuple(steps)


def _step(
    checker: _Checker,
    path: tuple[str | int, ...],
    table: object,
    inputs: dict[str, Input | None],
) -> tuple[str, dict[str, Any], str] | None:
    """One step checked: its action, parameters and identity, or None when it is wrong."""
    if not isinstance(table, dict):
        checker.key(path, 'each step is a table with action = "..." ([[steps]])', value=True)
        return None
    action = table.get("action")
    if action not in ACTIONS:
        checker.key(
            (*path, "action"),
            f"{action!r} is not an action; use one of {', '.join(sorted(ACTIONS))}"
            if "action" in table
            else f'missing: add action = "..." (one of {", ".join(sorted(ACTIONS))})',
            value=True,
        )
        return None
    before = len(checker.problems)
    allowed = _parameters(ACTIONS[action])
    params = {name: value for name, value in table.items() if name not in _STEP_KEYS}
    for name, value in params.items():
        if name not in allowed:
            checker.key(
                (*path, name),
                f"{action} has no parameter {name!r}; it takes "
                f"{', '.join(sorted(allowed)) or 'none'}",
            )
            continue
        reference = _reference(value)
        if reference is not None and reference not in inputs:
            checker.key(
                (*path, name),
                f"refers to ${reference}, which is not declared: add [inputs.{reference}] with "
                "a type",
                value=True,
            )
    when = table.get("when")
    if "when" in table and (not isinstance(when, str) or when not in inputs):
        checker.key(
            (*path, "when"),
            f"{when!r} is not a declared input: name one of {', '.join(inputs) or 'no inputs'}",
            value=True,
        )
    missing = sorted(_required(ACTIONS[action]) - set(params))
    if missing:
        checker.key(path, f"{action} needs {', '.join(missing)}")
    if len(checker.problems) > before:
        return None
    return _trial(checker, path, action, params, inputs)


def _trial(
    checker: _Checker,
    path: tuple[str | int, ...],
    action: str,
    params: dict[str, Any],
    inputs: dict[str, Input | None],
) -> tuple[str, dict[str, Any], str] | None:
    # Build the action once with a sample value per input, so a literal the action refuses
    # (or an input of the wrong type for its parameter) is reported now, at its value.
    typed = {
        name: inputs[ref] if (ref := _reference(value)) is not None else None
        for name, value in params.items()
    }
    if any(_reference(params[name]) is not None and item is None for name, item in typed.items()):
        return None  # an input declared with a mistake: reported at the input
    trial = {
        name: _SAMPLES[item.type] if item is not None else params[name]
        for name, item in typed.items()
    }
    try:
        built = ACTIONS[action](**trial)
    except (InvalidArgumentError, TypeError) as error:
        # The action's messages start with the parameter they refuse ("mode must be ...").
        refused = re.match(r"\w+", str(error))
        name = refused.group() if refused and refused.group() in params else None
        message = f"{action}: {error}"
        item = typed.get(name) if name is not None else None
        if name is not None and item is not None:
            # Not the sample value tried: the input, and that its type does not fit.
            message = (
                f"{action}: {re.sub(r' [(]got .*[)]$', '', str(error))}; "
                f"{params[name]} is a {item.type} input, which does not fit: declare it with "
                "a type that does"
            )
        checker.add(path if name is None else (*path, name), _label(path), message, value=True)
        return None
    references = {name: _reference(value) for name, value in params.items() if _reference(value)}
    literal = {name: value for name, value in built.params().items() if name not in references}
    return action, params, canonical_json([action, literal, references])


def _reference(value: object) -> str | None:
    if isinstance(value, str):
        match = _REFERENCE.fullmatch(value)
        if match is not None:
            return match.group(1)
    return None


def _parameters(action: type[Action]) -> set[str]:
    signature = inspect.signature(action.__init__)
    return {name for name in signature.parameters if name != "self"}


def _required(action: type[Action]) -> set[str]:
    signature = inspect.signature(action.__init__)
    return {
        name
        for name, parameter in signature.parameters.items()
        if name != "self" and parameter.default is inspect.Parameter.empty
    }


def shipped_playbooks() -> dict[str, Playbook]:
    """The playbooks that come with magento_ir, by name."""
    return shipped_documents(
        "magento_ir.playbooks", lambda text, source: Playbook.from_text(text, source=source)
    )


def load_playbook(name_or_path: str | Path) -> Playbook:
    """A shipped playbook by name (`"magecart"`), or a playbook file by path."""
    return document_by_name_or_path(
        name_or_path,
        shipped=shipped_playbooks,
        from_file=Playbook.from_file,
        error=PlaybookError,
        what="playbook",
    )
