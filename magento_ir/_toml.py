"""Data files in TOML read into pydantic models; a mistake names the file, line and key."""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

if TYPE_CHECKING:
    from collections.abc import Callable

    from magento_ir._exceptions import MagentoIRError

Model = TypeVar("Model", bound=BaseModel)


def line_of(text: str, path: tuple[str | int, ...]) -> int:
    """Best line for a key path: follow each key name (and array index) down the file."""
    lines = text.splitlines()
    at = 0
    found = 0
    for part in path:
        if isinstance(part, int):
            # The n-th [[table]] or inline element after the current position.
            continue
        pattern = re.compile(
            rf"^\s*(\[+\s*)?([\w.-]+\.)?{re.escape(part)}\b|[{{,]\s*{re.escape(part)}\s*="
        )
        for number in range(at, len(lines)):
            if pattern.search(lines[number]):
                at, found = number, number + 1
                break
    return found


def first_problem(error: ValidationError, text: str, source: str) -> str:
    """`SOURCE:LINE: key.path: message` for the first mistake pydantic found."""
    first = error.errors()[0]
    path = tuple(first["loc"])
    line = line_of(text, path)
    key = ".".join(str(part) for part in path) or "(file)"
    where = f"{source}:{line}" if line else source
    return f"{where}: {key}: {str(first['msg']).removeprefix('Value error, ')}"


def parse_model(
    text: str, model: type[Model], error: type[MagentoIRError], *, source: str
) -> Model:
    """TEXT as MODEL; invalid TOML or values raise ERROR naming SOURCE, line and key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as problem:
        raise error(f"{source}: not valid TOML: {problem}") from None
    try:
        return model.model_validate(data)
    except ValidationError as problem:
        raise error(first_problem(problem, text, source)) from None


def load_model(
    path: str | Path, model: type[Model], error: type[MagentoIRError], *, what: str
) -> Model:
    """The file at PATH as MODEL (`what` names it in errors: "the roster", "the contacts file")."""
    return parse_model(read_text(path, error, what=what), model, error, source=str(path))


def read_text(path: str | Path, error: type[MagentoIRError], *, what: str) -> str:
    """A data file's text; unreadable or not UTF-8 raises ERROR naming it."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as problem:
        raise error(f"cannot read {what} {path}: {problem.strerror}") from None
    except UnicodeDecodeError as problem:
        raise error(f"{path}: not UTF-8 text (byte {problem.start})") from None


class _Named(Protocol):
    @property
    def name(self) -> str: ...


Document = TypeVar("Document", bound=_Named)


def shipped_documents(package: str, parse: Callable[[str, str], Document]) -> dict[str, Document]:
    """Every `*.toml` shipped in PACKAGE, parsed by PARSE(text, source), by name, sorted."""
    folder = package.replace(".", "/")
    found: dict[str, Document] = {}
    for entry in resources.files(package).iterdir():
        if entry.name.endswith(".toml"):
            document = parse(entry.read_text(encoding="utf-8"), f"{folder}/{entry.name}")
            found[document.name] = document
    return dict(sorted(found.items()))


def document_by_name_or_path(
    name_or_path: str | Path,
    *,
    shipped: Callable[[], dict[str, Document]],
    from_file: Callable[[Path], Document],
    error: type[MagentoIRError],
    what: str,
    listing: str = "",
) -> Document:
    """A shipped document by name, or the file at a path (a `.toml` name or an existing path)."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        return from_file(path)
    documents = shipped()
    if str(name_or_path) not in documents:
        hint = f" ({listing})" if listing else ""
        raise error(
            f"no shipped {what} named {name_or_path!r}: use one of {', '.join(documents)}, or "
            f"the path of a .toml file{hint}"
        )
    return documents[str(name_or_path)]
