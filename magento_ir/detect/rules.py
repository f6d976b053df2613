"""Detection rules as data: a TOML rule set with Sigma-style metadata (docs/detection.md).

```toml
[ruleset]
id = "6f1d0c52-..."            # UUID
title = "..."
status = "experimental"        # experimental | test | stable
author = "..."
date = 2026-12-06
modified = 2026-12-06
last_reviewed = 2026-12-06
references = ["https://..."]

[[rules]]
id = "mir-skim-base64-script-tag"
title = "Base64 of a <script tag"
severity = "high"              # high | medium | low
context = "any"                # any | script
pattern = '(PHNjcmlwd|...)'    # Python regex, case-insensitive
all = ['...']                  # optional: further patterns the same context must match
why = "..."
```

Parsing is pure; a mistake is a `RuleError` naming the file, the line and the key.
"""

from __future__ import annotations

import datetime as dt  # noqa: TC003 - pydantic reads the annotations at run time
import re
import tomllib
import uuid
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from magento_ir._exceptions import MagentoIRError

__all__ = [
    "PatternRule",
    "RuleError",
    "RuleSet",
    "RuleSetHeader",
    "Severity",
    "load_rule_set",
    "parse_rule_set",
    "shipped_rule_set",
]

Severity = Literal["high", "medium", "low"]


class RuleError(MagentoIRError, ValueError):
    """A rule file that cannot be used; the message names the file, line and key."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RuleSetHeader(_Frozen):
    id: str
    title: str
    status: Literal["experimental", "test", "stable"]
    description: str = ""
    author: str
    date: dt.date
    modified: dt.date | None = None
    last_reviewed: dt.date
    references: tuple[str, ...] = ()

    @field_validator("id")
    @classmethod
    def _uuid(cls, value: str) -> str:
        uuid.UUID(value)  # ValueError names the problem
        return value


class PatternRule(_Frozen):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]{2,63}$")
    title: str
    severity: Severity
    context: Literal["any", "script"] = "any"
    pattern: str
    all: tuple[str, ...] = ()
    why: str
    references: tuple[str, ...] = ()

    @field_validator("pattern", "all")
    @classmethod
    def _compiles(cls, value: str | tuple[str, ...]) -> str | tuple[str, ...]:
        for one in (value,) if isinstance(value, str) else value:
            try:
                re.compile(one)
            except re.error as error:
                raise ValueError(f"not a valid regular expression: {error}") from None
        return value

    def compiled(self) -> tuple[re.Pattern[str], ...]:
        flags = re.IGNORECASE | re.DOTALL
        return tuple(re.compile(one, flags) for one in (self.pattern, *self.all))


class RuleSet(_Frozen):
    ruleset: RuleSetHeader
    rules: tuple[PatternRule, ...]
    source: str = "<rules>"


def line_of(
    text: str, key: str, index: int | None, *, array: str = "rules", table: str = "ruleset"
) -> int:
    """The line of `[[<array>]]` number `index` (or of `[<table>]`), then of `key` below it."""
    lines = text.splitlines()
    header = rf"^\s*\[\[{array}\]\]" if index is not None else rf"^\s*\[{table}\]"
    starts = [number for number, line in enumerate(lines) if re.match(header, line)]
    start = starts[index or 0] if len(starts) > (index or 0) else 0
    for number in range(start, len(lines)):
        if re.match(rf"^\s*{re.escape(key)}\s*=", lines[number]):
            return number + 1
    return start + 1


def parse_rule_set(text: str, *, source: str = "<rules>") -> RuleSet:
    """Validate one rule file's text (pure); rule ids must be unique within it."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RuleError(f"{source}: not valid TOML: {error}") from None
    try:
        rule_set = RuleSet.model_validate({**data, "source": source})
    except ValidationError as error:
        first = error.errors()[0]
        loc = tuple(first["loc"])
        index = loc[1] if len(loc) > 1 and loc[0] == "rules" and isinstance(loc[1], int) else None
        key = str(loc[-1]) if loc else "(file)"
        line = line_of(text, key, index)
        raise RuleError(
            f"{source}:{line}: {'.'.join(map(str, loc)) or '(file)'}: {first['msg']}"
        ) from None
    seen: set[str] = set()
    for number, rule in enumerate(rule_set.rules):
        if rule.id in seen:
            raise RuleError(
                f"{source}:{line_of(text, 'id', number)}: rules.{number}.id: "
                f"{rule.id!r} is used twice"
            )
        seen.add(rule.id)
    return rule_set


def load_rule_set(path: Path) -> RuleSet:
    """Read and validate a rule file (the user's own IOC rules, or the shipped set)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RuleError(f"{path}: cannot read the rule file: {error.strerror}") from None
    return parse_rule_set(text, source=str(path))


def shipped_rule_set() -> RuleSet:
    """The project's own rules, magento_ir/detect/rules/skimmers.toml."""
    folder = resources.files("magento_ir.detect") / "rules"
    return load_rule_set(Path(str(folder)) / "skimmers.toml")
