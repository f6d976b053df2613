"""Code integrity on both backends: a signed baseline of the module's code manifest, then a file
changed and a file added in app/code are reported, and nothing once both are put back.

On a real store the files are changed on its disk (MAGENTO_IR_TEST_MAGENTO_ROOT), byte for byte
and mtime restored afterwards; on the sandbox in its synthetic code tree.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

import pytest

from magento_ir.detect import CodeBaseline
from magento_ir.evidence.notes import SigningKey

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.testing import MagentoStore

pytestmark = pytest.mark.magento_sandbox(with_module=True)
ADDED = "app/code/magento-ir-integrity-test.txt"
MARK = b"\n// magento-ir code-integrity test\n"


class _Disk:
    """Writes into the store's code: its files on a real store, the sandbox's tree otherwise."""

    def __init__(self, store: MagentoStore) -> None:
        self.store = store
        self.root = store.magento_root
        if store.is_real and self.root is None:
            pytest.skip("needs MAGENTO_IR_TEST_MAGENTO_ROOT to change a file of the real store")

    def read(self, path: str) -> tuple[bytes, int]:
        if self.root is not None:
            target = self.root / path
            return target.read_bytes(), target.stat().st_mtime_ns
        sandbox = self.store.sandbox
        assert sandbox is not None
        file = sandbox.state.incident_response.code_files[path]
        return f"<?php /* {path} */\n".encode(), file.mtime

    def write(self, path: str, content: bytes, mtime: int | None = None) -> None:
        if self.root is not None:
            target = self.root / path
            target.write_bytes(content)
            if mtime is not None:
                os.utime(target, ns=(mtime, mtime))
            return
        sandbox = self.store.sandbox
        assert sandbox is not None
        module = sandbox.state.incident_response
        module.write_code_file(path, content, time.time())
        if mtime is not None:
            # Put back as it was: the same content and mtime (the ctime stays new).
            file = module.code_files[path]
            module.code_files[path] = type(file)(file.size, mtime, file.ctime, file.sha256)

    def remove(self, path: str) -> None:
        if self.root is not None:
            (self.root / path).unlink(missing_ok=True)
            return
        sandbox = self.store.sandbox
        assert sandbox is not None
        sandbox.state.incident_response.remove_code_file(path)


def test_a_changed_and_an_added_file_are_reported_until_put_back(
    magento_store: MagentoStore, tmp_path: Path
) -> None:
    """Baseline, sign, reload; change and add an app/code file: both reported; put back: clean."""
    api = magento_store.client().incident_response
    key = SigningKey.generate("ir-contract")
    taken = CodeBaseline.from_manifest(
        api.iterate_code_manifest(page_size=10_000),
        store=magento_store.base_url,
        taken_at=int(time.time()),
    )
    baseline = CodeBaseline.load(
        taken.save(tmp_path / "code.baseline", key=key), verifier=key.verifier()
    )
    assert "app/etc/env.php" not in baseline.files
    assert any(path.startswith("vendor/magento/") for path in baseline.files)
    target = next(path for path in baseline.files if path.startswith("app/code/"))
    disk = _Disk(magento_store)
    original, mtime = disk.read(target)
    try:
        disk.write(target, original + MARK)
        disk.write(ADDED, b"not code\n")
        changes = baseline.diff(
            api.iterate_code_manifest(page_size=10_000, changed_since=baseline.changed_since)
        )
        assert (changes.added, changes.changed, changes.removed) == ((ADDED,), (target,), ())
    finally:
        disk.write(target, original, mtime)
        disk.remove(ADDED)
    changes = baseline.diff(
        api.iterate_code_manifest(page_size=10_000, changed_since=baseline.changed_since)
    )
    assert changes.clean, changes
