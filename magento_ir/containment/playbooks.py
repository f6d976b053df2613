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
naming the file, the line and key, what is wrong, and how to fix it.
"""

from __future__ import annotations

import inspect
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import StrictBool, StrictInt, StrictStr, TypeAdapter, ValidationError

from magento_ir._exceptions import InvalidArgumentError, MagentoIRError
from magento_ir.containment.actions import ACTIONS

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from magento_ir.containment.actions import Action

__all__ = [
    "INPUT_TYPES",
    "Playbook",
    "PlaybookError",
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
    """A playbook file, or the inputs given to it, is wrong; the message says where and how."""


@dataclass(frozen=True, slots=True)
class Input:
    name: str
    type: str
    description: str
    default: Any = None
    required: bool = True


@dataclass(frozen=True, slots=True)
class Step:
    number: int
    action: str
    params: dict[str, Any]
    when: str | None


def _line_of(text: str, pattern: str, start: int = 0) -> tuple[int, int]:
    """1-based line and offset of the first line matching `pattern` at or after `start`."""
    match = re.compile(pattern, re.MULTILINE).search(text, start)
    if match is None:
        return 0, start
    return text.count("\n", 0, match.start()) + 1, match.start()


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
        return cls.from_text(text, source=str(file))

    @classmethod
    def from_text(cls, text: str, *, source: str = "<playbook>") -> Playbook:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise PlaybookError(
                f"{source}: not valid TOML: {error}; fix the syntax there (strings need quotes)"
            ) from None
        where = _Where(source, text)
        unknown = sorted(set(data) - _TOP_LEVEL)
        if unknown:
            raise where.fail(
                where.line(rf"^[ \t]*\[*{re.escape(unknown[0])}\b"),
                unknown[0],
                "unknown table; a playbook has [playbook], [inputs.*] and [[steps]]",
            )
        name, title, description = _header(where, data.get("playbook"))
        inputs = _inputs(where, data.get("inputs", {}))
        steps = _steps(where, data.get("steps"), {item.name: item for item in inputs})
        return cls(name, title, description, inputs, steps, source, text)

    def actions(self, given: Mapping[str, Any]) -> list[Action]:
        """The steps' actions with `given` inputs filled in (defaults for the others)."""
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
        built = []
        for step in self.steps:
            if step.when is not None and not values[step.when]:
                continue
            params = {
                key: values[ref] if (ref := _reference(value)) is not None else value
                for key, value in step.params.items()
            }
            try:
                built.append(ACTIONS[step.action](**params))
            except (InvalidArgumentError, TypeError) as error:
                raise PlaybookError(
                    f"{self.source}: steps[{step.number}] ({step.action}): {error}"
                ) from None
        return built


@dataclass(frozen=True, slots=True)
class _Where:
    """The file being read, to point errors at a line."""

    source: str
    text: str

    def line(self, pattern: str, start: int = 0) -> int:
        return _line_of(self.text, pattern, start)[0]

    def fail(self, line: int, key: str, problem: str) -> PlaybookError:
        place = f"{self.source}:{line}" if line else self.source
        return PlaybookError(f"{place}: {key}: {problem}")


def _header(where: _Where, header: object) -> tuple[str, str, str]:
    if not isinstance(header, dict):
        raise where.fail(0, "[playbook]", 'missing: add [playbook] with name = "..." and title')
    line = where.line(r"^[ \t]*\[playbook\]")
    for key in sorted(set(header) - _HEADER_KEYS):
        raise where.fail(line, f"playbook.{key}", "unknown key; use name, title, description")
    name = header.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise where.fail(
            line,
            "playbook.name",
            'must be lower-case letters, digits and _ (e.g. name = "magecart")',
        )
    title = header.get("title")
    if not isinstance(title, str) or not title.strip():
        raise where.fail(line, "playbook.title", 'missing: add title = "what this contains"')
    description = header.get("description", "")
    if not isinstance(description, str):
        raise where.fail(line, "playbook.description", "must be a string")
    return name, title, description


def _inputs(where: _Where, raw: object) -> tuple[Input, ...]:
    if not isinstance(raw, dict):
        raise where.fail(0, "inputs", "must be tables like [inputs.skus]")
    inputs = []
    for name, spec in raw.items():
        line = where.line(rf"^[ \t]*\[inputs\.{re.escape(name)}\]")
        key = f"inputs.{name}"
        if not _NAME.fullmatch(name) or not isinstance(spec, dict):
            raise where.fail(line, key, "inputs are tables named in lower_snake_case")
        for extra in sorted(set(spec) - _INPUT_KEYS):
            raise where.fail(line, f"{key}.{extra}", "unknown key; use type, description, default")
        kind = spec.get("type")
        if kind not in INPUT_TYPES:
            raise where.fail(line, f"{key}.type", f"must be one of {', '.join(INPUT_TYPES)}")
        check, shape = INPUT_TYPES[kind]
        if "default" in spec and not check(spec["default"]):
            raise where.fail(line, f"{key}.default", f"must be {shape}")
        inputs.append(
            Input(
                name,
                kind,
                str(spec.get("description", "")),
                spec.get("default"),
                required="default" not in spec,
            )
        )
    return tuple(inputs)


def _steps(where: _Where, raw: object, inputs: dict[str, Input]) -> tuple[Step, ...]:
    if not isinstance(raw, list) or not raw:
        raise where.fail(0, "steps", 'no steps: add [[steps]] tables with action = "..."')
    steps = []
    offset = 0
    for number, table in enumerate(raw, start=1):
        line, offset = _line_of(where.text, r"^[ \t]*\[\[steps\]\]", offset)
        start = offset
        offset += 1
        key = f"steps[{number}]"
        action = table.get("action")
        if action not in ACTIONS:
            raise where.fail(
                line, f"{key}.action", f"{action!r} is not an action; use one of "
                f"{', '.join(sorted(ACTIONS))}",
            )  # fmt: skip
        allowed = _parameters(ACTIONS[action])
        params = {name: value for name, value in table.items() if name not in _STEP_KEYS}
        for name, value in params.items():
            name_line = where.line(rf"^[ \t]*{re.escape(name)}\s*=", start)
            if name not in allowed:
                raise where.fail(
                    name_line, f"{key}.{name}", f"{action} has no parameter {name!r}; it takes "
                    f"{', '.join(sorted(allowed)) or 'none'}",
                )  # fmt: skip
            reference = _reference(value)
            if reference is not None and reference not in inputs:
                raise where.fail(
                    name_line, f"{key}.{name}", f"refers to ${reference}, which is not "
                    f"declared: add [inputs.{reference}] with a type",
                )  # fmt: skip
        when = table.get("when")
        if when is not None and when not in inputs:
            raise where.fail(line, f"{key}.when", f"{when!r} is not a declared input")
        missing = sorted(_required(ACTIONS[action]) - set(params))
        if missing:
            raise where.fail(line, key, f"{action} needs {', '.join(missing)}")
        # Build the action once with a sample value per input, so a literal the action refuses
        # (or an input of the wrong type for its parameter) is reported now, at its line.
        trial = {
            name: _SAMPLES[inputs[ref].type] if (ref := _reference(value)) is not None else value
            for name, value in params.items()
        }
        try:
            ACTIONS[action](**trial)
        except (InvalidArgumentError, TypeError) as error:
            raise where.fail(line, key, f"{action}: {error}") from None
        steps.append(Step(number, action, params, when))
    return tuple(steps)


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
    found = {}
    for entry in resources.files("magento_ir.playbooks").iterdir():
        if entry.name.endswith(".toml"):
            playbook = Playbook.from_text(
                entry.read_text(encoding="utf-8"), source=f"magento_ir/playbooks/{entry.name}"
            )
            found[playbook.name] = playbook
    return dict(sorted(found.items()))


def load_playbook(name_or_path: str | Path) -> Playbook:
    """A shipped playbook by name (`"magecart"`), or a playbook file by path."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        return Playbook.from_file(path)
    shipped = shipped_playbooks()
    if str(name_or_path) not in shipped:
        raise PlaybookError(
            f"no shipped playbook named {name_or_path!r}: use one of {', '.join(shipped)}, or "
            "the path of a .toml file"
        )
    return shipped[str(name_or_path)]
