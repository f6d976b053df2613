"""Where each key and value of a TOML document is written (line, column), for error messages.

`tomllib` reads the values but keeps no positions, so a mistake it did not catch (an unknown
key, a value an action refuses) could only be placed by searching the text, and that found the
wrong line. This walks the text `tomllib` has already accepted and records, for every key path
(`("steps", 1, "mode")`; an array item or a `[[table]]` is its 0-based index), the position of
the key and of its value. It is a scanner for valid TOML only: `tomllib` stays the parser.
"""

from __future__ import annotations

import bisect
import contextlib
import re
import tomllib
from dataclasses import dataclass, field

__all__ = ["Positions", "positions"]

KeyPath = tuple[str | int, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SPACE = " \t"
# Where a scalar (number, boolean, date-time) ends; a local date-time has a space inside.
_SCALAR_END = re.compile(r"[,\]}#\r\n]")


@dataclass(slots=True)
class Positions:
    """1-based (line, column) of each key and each value, by key path."""

    keys: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    values: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)

    def of(self, path: KeyPath, *, value: bool = False) -> tuple[int, int] | None:
        """Where `path` (its value with `value=True`) is written; else its nearest written
        parent (a key that is missing is reported where its table is); None if nothing is."""
        for end in range(len(path), 0, -1):
            prefix = path[:end]
            found = (self.values.get(prefix) if value else None) or self.keys.get(prefix)
            if found is not None:
                return found
        return None


def positions(text: str) -> Positions:
    """The positions of `text`, a document `tomllib` accepts (anything else: what was found
    before the first surprise, never an exception)."""
    scanner = _Scanner(text)
    # Valid TOML never surprises it; if it did, what was found so far still places errors.
    with contextlib.suppress(IndexError, ValueError, tomllib.TOMLDecodeError):
        scanner.document()
    return scanner.found


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0
        self.found = Positions()
        self._line_starts = [0] + [match.end() for match in re.finditer(r"\n", text)]
        # How many [[name]] tables each array of tables has so far.
        self._arrays: dict[KeyPath, int] = {}

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def _peek(self, size: int = 1) -> str:
        return self.text[self.at : self.at + size]

    def _skip_blank(self, *, newlines: bool) -> None:
        """Spaces (and newlines and comments when `newlines`; a comment always ends a line)."""
        while self.at < len(self.text):
            char = self.text[self.at]
            if char in _SPACE or (newlines and char in "\r\n"):
                self.at += 1
            elif char == "#":
                end = self.text.find("\n", self.at)
                self.at = len(self.text) if end < 0 else end
            else:
                return

    def document(self) -> None:
        table: KeyPath = ()
        while True:
            self._skip_blank(newlines=True)
            if self.at >= len(self.text):
                return
            start = self.at
            if self._peek(2) == "[[":
                self.at += 2
                path = self._resolve(self._key())
                self.at += 2  # ]]
                index = self._arrays.get(path, 0)
                self._arrays[path] = index + 1
                self.found.keys.setdefault(path, self.position(start))
                table = (*path, index)
                self.found.keys[table] = self.position(start)
            elif self._peek() == "[":
                self.at += 1
                table = self._resolve(self._key())
                self.at += 1  # ]
                self.found.keys.setdefault(table, self.position(start))
            else:
                self._key_value(table)

    def _resolve(self, keys: list[str]) -> KeyPath:
        """A header's dotted key as a path: a prefix naming an array of tables means its last
        table (`[steps.extra]` after `[[steps]]`)."""
        path: list[str | int] = []
        for number, key in enumerate(keys):
            path.append(key)
            if number < len(keys) - 1 and tuple(path) in self._arrays:
                path.append(self._arrays[tuple(path)] - 1)
        return tuple(path)

    def _key(self) -> list[str]:
        """A dotted key; the position of each part is recorded by the caller's path."""
        keys = []
        while True:
            self._skip_blank(newlines=False)
            char = self._peek()
            if char in "\"'":
                end = self._string_end()
                keys.append(tomllib.loads(f"k = {self.text[self.at : end]}")["k"])
                self.at = end
            else:
                match = _BARE_KEY.match(self.text, self.at)
                if match is None:
                    raise ValueError(self.at)
                keys.append(match.group())
                self.at = match.end()
            self._skip_blank(newlines=False)
            if self._peek() != ".":
                return keys
            self.at += 1

    def _key_value(self, table: KeyPath) -> None:
        start = self.at
        keys = self._key()
        path = (*table, *keys)
        for end in range(len(table) + 1, len(path) + 1):
            self.found.keys.setdefault(path[:end], self.position(start))
        self.found.keys[path] = self.position(start)
        self.at += 1  # =
        self._skip_blank(newlines=False)
        self._value(path)

    def _value(self, path: KeyPath) -> None:
        self.found.values[path] = self.position(self.at)
        char = self._peek()
        if char in "\"'":
            self.at = self._string_end()
        elif char == "[":
            self.at += 1
            index = 0
            while True:
                self._skip_blank(newlines=True)
                if self._peek() == "]":
                    self.at += 1
                    return
                self.found.keys[(*path, index)] = self.position(self.at)
                self._value((*path, index))
                index += 1
                self._skip_blank(newlines=True)
                if self._peek() == ",":
                    self.at += 1
        elif char == "{":
            self.at += 1
            while True:
                self._skip_blank(newlines=True)
                if self._peek() == "}":
                    self.at += 1
                    return
                self._key_value(path)
                self._skip_blank(newlines=True)
                if self._peek() == ",":
                    self.at += 1
        else:
            match = _SCALAR_END.search(self.text, self.at)
            self.at = len(self.text) if match is None else match.start()

    def _string_end(self) -> int:
        """The offset just after the string starting here (any of TOML's four kinds)."""
        quote = self.text[self.at]
        triple = quote * 3
        if self.text.startswith(triple, self.at):
            end = self.at + 3
            while True:
                if quote == '"' and self.text[end] == "\\":
                    end += 2
                    continue
                if self.text.startswith(triple, end):
                    end += 3
                    # Up to two more quotes belong to the string: `""""` ends `"x""""`.
                    while end < len(self.text) and self.text[end] == quote:
                        end += 1
                    return end
                end += 1
        end = self.at + 1
        while self.text[end] != quote:
            end += 2 if quote == '"' and self.text[end] == "\\" else 1
        return end + 1
