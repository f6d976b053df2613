"""RFC 6962 (and RFC 9162 section 2.1) Merkle tree hashing, proofs and their verification.

Leaves are the 32-byte record hashes of the evidence log. `leaf_hash(d) = SHA-256(0x00 || d)`,
`node_hash(l, r) = SHA-256(0x01 || l || r)`, the empty tree hashes to `SHA-256("")`, and a tree of
n > 1 leaves splits at the largest power of two smaller than n.

Nothing here keeps all leaves in memory: `Frontier` is the compact range (one hash per set bit of
the size), and proofs are built by naming the subtree ranges they need (`inclusion_ranges`,
`consistency_ranges`), then hashing each range in a single pass over the leaves (`range_roots`).
"""

from __future__ import annotations

import hashlib
from itertools import repeat
from operator import add
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "EMPTY_ROOT",
    "Frontier",
    "consistency_proof",
    "consistency_ranges",
    "inclusion_proof",
    "inclusion_ranges",
    "leaf_hash",
    "node_hash",
    "range_roots",
    "root_from_inclusion_proof",
    "tree_root",
    "verify_consistency",
    "verify_inclusion",
]

_sha256 = hashlib.sha256
_digest = type(_sha256()).digest
EMPTY_ROOT = _sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """RFC 6962 leaf hash: SHA-256(0x00 || data)."""
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 6962 interior node hash: SHA-256(0x01 || left || right)."""
    return _sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """Largest power of two strictly smaller than `size` (size > 1)."""
    return 1 << ((size - 1).bit_length() - 1)


class Frontier:
    """The compact range of a growing tree: the roots of its perfect subtrees, left to right."""

    __slots__ = ("_hashes", "_size")

    def __init__(self) -> None:
        self._hashes: list[bytes] = []
        self._size = 0

    @property
    def size(self) -> int:
        return self._size

    def append_leaf_hash(self, leaf: bytes) -> None:
        """Add a leaf given its leaf hash (already prefixed with 0x00)."""
        hashes = self._hashes
        hashes.append(leaf)
        size = self._size
        # Each trailing 1 bit of the old size is a perfect subtree the new leaf completes.
        while size & 1:
            right = hashes.pop()
            hashes[-1] = _sha256(b"\x01" + hashes[-1] + right).digest()
            size >>= 1
        self._size += 1

    def extend_leaf_hashes(self, leaves: Sequence[bytes]) -> None:
        """Add many leaves given their leaf hashes: the same tree as `append_leaf_hash` on each.

        The leaves go in as perfect subtrees aligned on the current size, each hashed level by
        level in C loops (`map`), which costs about half as much per node as one leaf at a time.
        """
        start, count = 0, len(leaves)
        hashes = self._hashes
        while start < count:
            size = self._size
            block = 1 << ((count - start).bit_length() - 1)
            if size:
                block = min(block, size & -size)  # a subtree must start at a multiple of its size
            level = leaves[start : start + block]
            while len(level) > 1:
                lefts = map(add, repeat(b"\x01"), level[0::2])
                level = list(map(_digest, map(_sha256, map(add, lefts, level[1::2]))))
            hashes.append(level[0])
            units = size // block
            while units & 1:
                right = hashes.pop()
                hashes[-1] = _sha256(b"\x01" + hashes[-1] + right).digest()
                units >>= 1
            self._size = size + block
            start += block

    def copy(self) -> Frontier:
        """An independent copy (hashes are immutable bytes, so a shallow copy of the list)."""
        other = Frontier()
        other._hashes = self._hashes.copy()
        other._size = self._size
        return other

    def append(self, data: bytes) -> None:
        """Add a leaf given its data."""
        self.append_leaf_hash(_sha256(b"\x00" + data).digest())

    def root(self) -> bytes:
        """The Merkle tree hash of every leaf appended so far."""
        if not self._hashes:
            return EMPTY_ROOT
        hashes = self._hashes
        root = hashes[-1]
        for left in reversed(hashes[:-1]):
            root = _sha256(b"\x01" + left + root).digest()
        return root


def tree_root(leaves: Iterable[bytes]) -> bytes:
    """The Merkle tree hash of a sequence of leaf data."""
    frontier = Frontier()
    for data in leaves:
        frontier.append(data)
    return frontier.root()


def _check_size(name: str, value: int, upper: int, upper_name: str) -> None:
    if not 0 <= value < upper:
        raise ValueError(
            f"{name}={value} is out of range: it must be >= 0 and < {upper_name}={upper}"
        )


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """Leaf ranges [start, end) whose roots form the RFC 6962 audit path of leaf `index`."""
    _check_size("index", index, size, "tree size")
    ranges: list[tuple[int, int]] = []
    start, end = 0, size
    # Walk down from the root; the proof lists siblings bottom-up, so prepend.
    while end - start > 1:
        k = _split(end - start)
        if index - start < k:
            ranges.insert(0, (start + k, end))
            end = start + k
        else:
            ranges.insert(0, (start, start + k))
            start += k
    return ranges


def consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """Leaf ranges whose roots form the RFC 6962 consistency proof from old_size to new_size."""
    if not 0 < old_size <= new_size:
        raise ValueError(
            f"a consistency proof needs 0 < old_size <= new_size, got {old_size} and {new_size}"
        )
    ranges: list[tuple[int, int]] = []
    start, end, complete = 0, new_size, True
    m = old_size
    while True:
        n = end - start
        if m == n:
            if not complete:
                ranges.insert(0, (start, end))
            return ranges
        k = _split(n)
        if m <= k:
            ranges.insert(0, (start + k, end))
            end = start + k
        else:
            ranges.insert(0, (start, start + k))
            start += k
            m -= k
            complete = False


def range_roots(leaf_hashes: Iterable[bytes], ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    """Roots of the given disjoint leaf ranges, computed in one pass over the leaf hashes."""
    order = sorted(range(len(ranges)), key=lambda i: ranges[i][0])
    roots: list[bytes] = [b""] * len(ranges)
    position = 0
    leaf_iter = iter(leaf_hashes)
    for i in order:
        start, end = ranges[i]
        for _ in range(start - position):
            next(leaf_iter)
        frontier = Frontier()
        for _ in range(end - start):
            frontier.append_leaf_hash(next(leaf_iter))
        roots[i] = frontier.root()
        position = end
    return roots


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """RFC 6962 audit path for leaf `index` in the tree of all `leaves`."""
    return range_roots(map(leaf_hash, leaves), inclusion_ranges(index, len(leaves)))


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """RFC 6962 consistency proof from the first `old_size` leaves to all `leaves`."""
    return range_roots(map(leaf_hash, leaves), consistency_ranges(old_size, len(leaves)))


def root_from_inclusion_proof(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes]
) -> bytes | None:
    """RFC 9162 2.1.3.2: the root implied by an audit path, or None when the path is malformed."""
    if not 0 <= index < size:
        return None
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        return None
    return r


def verify_inclusion(
    index: int, size: int, leaf_data: bytes, proof: Sequence[bytes], root: bytes
) -> bool:
    """True when `proof` shows leaf `index` with data `leaf_data` is in the tree with `root`."""
    computed = root_from_inclusion_proof(index, size, leaf_hash(leaf_data), proof)
    return computed is not None and computed == root


def verify_consistency(  # noqa: C901 - RFC 9162 2.1.4.2 step by step
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 2.1.4.2: True when `proof` shows the old tree is a prefix of the new one."""
    if not 0 < old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    path = list(proof)
    # When old_size is a power of two the old root is itself the first node of the path.
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
