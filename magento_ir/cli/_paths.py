"""Paths the user gave, checked before anything is staged, asked or written.

A bad `--journal`, `--report-dir`, `--out` or log path (missing, a directory, unwritable, on a
filesystem such as /proc that takes no files) is a usage error (exit 2) with one line naming the
option, found before a drill stages its breach or a containment reads its plan. Writability is
probed the only way that holds for root too: by creating (and at once removing) a file there.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from magento_ir._exceptions import ConfigurationError

__all__ = ["readable_file", "writable_dir", "writable_file"]


def readable_file(path: Path, option: str) -> None:
    """An existing regular file this process can read."""
    if path.is_dir():
        raise ConfigurationError(f"{option} {path} is a directory: give the file")
    if not path.is_file():
        raise ConfigurationError(f"{option} {path}: no such file")
    try:
        with path.open("rb"):
            pass
    except OSError as error:
        raise ConfigurationError(f"{option} {path} cannot be read: {error.strerror}") from None


def writable_file(path: Path, option: str) -> None:
    """A file that exists and can be appended to, or that can be created in an existing folder."""
    if path.is_dir():
        raise ConfigurationError(f"{option} {path} is a directory: give a file name in it")
    if path.exists():
        try:
            # Append mode changes nothing in the file, not even its modification time.
            with path.open("ab"):
                pass
        except OSError as error:
            raise ConfigurationError(
                f"{option} {path} cannot be written: {error.strerror}"
            ) from None
        return
    parent = path.parent
    if not parent.is_dir():
        raise ConfigurationError(
            f"{option} {path}: the folder {parent} does not exist; create it first"
        )
    _probe(parent, f"{option} {path}")


def writable_dir(path: Path, option: str) -> None:
    """A folder files can be created in, or one that can be created in an existing folder."""
    if path.exists() and not path.is_dir():
        raise ConfigurationError(f"{option} {path} is not a folder")
    if path.is_dir():
        _probe(path, f"{option} {path}")
        return
    if not path.parent.is_dir():
        raise ConfigurationError(
            f"{option} {path}: the folder {path.parent} does not exist; create it first"
        )
    _probe(path.parent, f"{option} {path}")


def _probe(folder: Path, what: str) -> None:
    try:
        descriptor, name = tempfile.mkstemp(prefix=".magento-ir-probe-", dir=folder)
    except OSError as error:
        raise ConfigurationError(f"{what} cannot be written: {error.strerror}") from None
    os.close(descriptor)
    Path(name).unlink()
