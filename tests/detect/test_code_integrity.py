"""The signed code baseline: saved and loaded only intact, and the diff of a later manifest."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from magento_ir._exceptions import MagentoIRError
from magento_ir.detect import BaselineIntegrityError, CodeBaseline, CodeChanges
from magento_ir.detect.code_integrity import RESCAN_MARGIN
from magento_ir.evidence.notes import SigningKey
from magento_ir.models.incident_response import CodeFile

if TYPE_CHECKING:
    from pathlib import Path

STORE = "https://shop.example.com"
SHA_A, SHA_B, SHA_C = "a" * 64, "b" * 64, "c" * 64


def _file(path: str, sha: str | None, size: int = 10, mtime: int = 1000) -> CodeFile:
    return CodeFile(path=path, size=size, mtime=mtime, ctime=mtime, sha256=sha)


def _baseline() -> CodeBaseline:
    return CodeBaseline.from_manifest(
        [
            _file("app/code/A/x.php", SHA_A),
            _file("app/code/A-B/y.php", SHA_B),
            _file("pub/index.php", SHA_C),
        ],
        store=STORE,
        taken_at=5000,
    )


def test_a_saved_baseline_loads_back_with_its_key(tmp_path: Path) -> None:
    """Save then load gives the same files, in byte order of path, and the same time."""
    key = SigningKey.generate("ir-test")
    path = _baseline().save(tmp_path / "code.baseline", key=key)
    loaded = CodeBaseline.load(path, verifier=key.verifier())
    assert loaded == _baseline()
    assert list(loaded.files) == ["app/code/A-B/y.php", "app/code/A/x.php", "pub/index.php"]
    assert loaded.changed_since == 5000 - RESCAN_MARGIN


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda p: p.write_bytes(p.read_bytes().replace(b"a" * 64, b"d" * 64)), "altered"),
        (lambda p: p.write_bytes(p.read_bytes()[:-1]), "newline"),
        (lambda p: p.with_name(p.name + ".note").unlink(), "missing"),
        (
            lambda p: p.write_bytes(p.read_bytes().replace(b'"taken_at":5000', b'"taken_at":9999')),
            "altered",
        ),
    ],
)
def test_an_altered_baseline_does_not_load(tmp_path: Path, tamper: object, message: str) -> None:
    """Any edit of the lines (hashes, header) or a missing note is refused."""
    key = SigningKey.generate("ir-test")
    path = _baseline().save(tmp_path / "code.baseline", key=key)
    tamper(path)  # type: ignore[operator]
    with pytest.raises(BaselineIntegrityError, match=message):
        CodeBaseline.load(path, verifier=key.verifier())


def test_a_baseline_signed_by_another_key_does_not_load(tmp_path: Path) -> None:
    """Re-signing an edited baseline needs the key: someone else's signature is refused."""
    path = _baseline().save(tmp_path / "code.baseline", key=SigningKey.generate("ir-test"))
    with pytest.raises(BaselineIntegrityError, match="no valid signature"):
        CodeBaseline.load(path, verifier=SigningKey.generate("ir-test").verifier())


def test_a_baseline_needs_every_hash() -> None:
    """An incremental manifest cannot be a baseline: the error says how to take one."""
    with pytest.raises(MagentoIRError, match="full manifest"):
        CodeBaseline.from_manifest([_file("a.php", None)], store=STORE, taken_at=1)


def test_the_diff_names_added_changed_and_removed_files() -> None:
    """Content changes (hash or size) when re-read; size/mtime otherwise; added; removed."""
    current = [
        _file("app/code/A/x.php", SHA_B),  # rewritten
        _file("app/code/A-B/y.php", None, mtime=1000),  # not re-read, same size and mtime
        _file("app/code/Evil/shell.php", SHA_A),
    ]
    assert _baseline().diff(current) == CodeChanges(
        added=("app/code/Evil/shell.php",),
        changed=("app/code/A/x.php",),
        removed=("pub/index.php",),
    )
    touched_back = [_file("app/code/A/x.php", None, size=11), _file("pub/index.php", SHA_C)]
    assert _baseline().diff(touched_back).changed == ("app/code/A/x.php",)


def test_an_unchanged_tree_is_clean() -> None:
    """Re-reading identical content under a new mtime is a touch, not a change: still clean."""
    same = [
        _file("app/code/A/x.php", SHA_A, mtime=7000),
        _file("app/code/A-B/y.php", SHA_B),
        _file("pub/index.php", SHA_C),
    ]
    changes = _baseline().diff(same)
    assert changes == CodeChanges(touched=("app/code/A/x.php",))
    assert changes.clean
    assert not CodeChanges(removed=("x",)).clean
