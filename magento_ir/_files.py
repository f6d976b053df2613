"""Files that may hold personal data (journals, evidence logs, checkpoints, exports, reports)
are created private to their owner: 0600, and directories created for them 0700, like the key.

A file written whole is made 0600 even when it existed; a file appended to keeps its mode (the
owner may have shared a journal on purpose); an existing directory (the working directory, say)
is never changed.
"""

from __future__ import annotations

import os
from typing import IO, TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from pathlib import Path

# The name a journal's signing key carries: the CLI's key files, and the key a drill on a real
# test store saves next to its journal so that `magento-ir rollback --key` can resume it.
JOURNAL_KEY_NAME = "magento-ir-journal"

__all__ = ["FILE_MODE", "private_directory", "private_open", "write_private"]

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700

_FLAGS = {
    "ab": os.O_WRONLY | os.O_APPEND | os.O_CREAT,
    "wb": os.O_WRONLY | os.O_TRUNC | os.O_CREAT,
}


def private_directory(path: Path) -> None:
    """Create `path` (and missing parents) 0700; leave an existing directory as it is."""
    missing = []
    while not path.is_dir():
        missing.append(path)
        path = path.parent
    for directory in reversed(missing):
        directory.mkdir(mode=DIRECTORY_MODE, exist_ok=True)
        # mkdir's mode is filtered by the umask, which may only remove bits: make it exact.
        directory.chmod(DIRECTORY_MODE)


def private_open(path: Path, mode: Literal["ab", "wb"], buffering: int = -1) -> IO[bytes]:
    """Open `path` for binary appending or writing; a new file is created 0600."""
    fd = os.open(path, _FLAGS[mode] | os.O_CLOEXEC, FILE_MODE)
    try:
        if mode == "wb":
            os.fchmod(fd, FILE_MODE)
        return os.fdopen(fd, mode, buffering=buffering)
    except BaseException:
        os.close(fd)
        raise


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` (replacing its content), a new file being created 0600."""
    with private_open(path, "wb") as handle:
        handle.write(data)
