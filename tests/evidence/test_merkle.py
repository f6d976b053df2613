"""RFC 6962 Merkle tree hashing and proofs, checked against an independent reference."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from magento_ir.evidence import merkle

# The leaves of the RFC 6962 test tree used by the Certificate Transparency implementations.
CT_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)),
    bytes(range(0x60, 0x70)),
]


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _mth(leaves: list[bytes]) -> bytes:
    """MTH from RFC 6962 section 2.1, written directly from the text."""
    n = len(leaves)
    if n == 0:
        return _h(b"")
    if n == 1:
        return _h(b"\x00" + leaves[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return _h(b"\x01" + _mth(leaves[:k]) + _mth(leaves[k:]))


def _path(m: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) from RFC 6962 section 2.1.1."""
    n = len(leaves)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*_path(m, leaves[:k]), _mth(leaves[k:])]
    return [*_path(m - k, leaves[k:]), _mth(leaves[:k])]


def _subproof(m: int, leaves: list[bytes], *, complete: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b) from RFC 6962 section 2.1.2."""
    n = len(leaves)
    if m == n:
        return [] if complete else [_mth(leaves)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*_subproof(m, leaves[:k], complete=complete), _mth(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], complete=False), _mth(leaves[:k])]


def _leaves(count: int) -> list[bytes]:
    return [f"leaf-{i}".encode() for i in range(count)]


def test_known_answer_roots_of_the_ct_test_tree() -> None:
    """Roots of the 8-leaf CT test tree match the published RFC 6962 values."""
    assert merkle.tree_root([]).hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert merkle.tree_root(CT_LEAVES[:1]).hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    assert merkle.tree_root(CT_LEAVES).hex() == (
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    )


@pytest.mark.parametrize("count", [*range(1, 34), 100, 127, 128, 129])
def test_frontier_root_matches_the_rfc_definition(count: int) -> None:
    """The compact-range root equals MTH computed recursively from the RFC text."""
    assert merkle.tree_root(_leaves(count)) == _mth(_leaves(count))


def test_inclusion_proofs_match_the_rfc_and_verify() -> None:
    """Every audit path for trees of 1..20 leaves equals PATH() and verifies against the root."""
    for size in range(1, 21):
        leaves = _leaves(size)
        root = _mth(leaves)
        for index in range(size):
            proof = merkle.inclusion_proof(leaves, index)
            assert proof == _path(index, leaves)
            assert merkle.verify_inclusion(index, size, leaves[index], proof, root)


def test_consistency_proofs_match_the_rfc_and_verify() -> None:
    """Every consistency proof for trees up to 20 leaves equals PROOF() and verifies."""
    for new_size in range(1, 21):
        leaves = _leaves(new_size)
        for old_size in range(1, new_size + 1):
            proof = merkle.consistency_proof(leaves, old_size)
            assert proof == _subproof(old_size, leaves, complete=True)
            assert merkle.verify_consistency(
                old_size, new_size, _mth(leaves[:old_size]), _mth(leaves), proof
            )


def test_tampered_inclusion_proofs_are_rejected() -> None:
    """A wrong leaf, index, size, sibling or path length fails inclusion verification."""
    leaves = _leaves(13)
    root = _mth(leaves)
    proof = merkle.inclusion_proof(leaves, 6)
    assert not merkle.verify_inclusion(6, 13, b"other", proof, root)
    assert not merkle.verify_inclusion(7, 13, leaves[6], proof, root)
    assert not merkle.verify_inclusion(6, 8, leaves[6], proof, root)
    assert not merkle.verify_inclusion(6, 13, leaves[6], [_h(b"x"), *proof[1:]], root)
    assert not merkle.verify_inclusion(6, 13, leaves[6], proof[:-1], root)
    assert not merkle.verify_inclusion(6, 13, leaves[6], [*proof, _h(b"x")], root)
    assert not merkle.verify_inclusion(13, 13, leaves[6], proof, root)


def test_tampered_consistency_proofs_are_rejected() -> None:
    """A changed old tree, a wrong node or a cut proof fails consistency verification."""
    leaves = _leaves(11)
    proof = merkle.consistency_proof(leaves, 6)
    old_root, new_root = _mth(leaves[:6]), _mth(leaves)
    assert merkle.verify_consistency(6, 11, old_root, new_root, proof)
    forked = _mth([b"forged", *leaves[1:6]])
    assert not merkle.verify_consistency(6, 11, forked, new_root, proof)
    assert not merkle.verify_consistency(6, 11, old_root, new_root, [_h(b"x"), *proof[1:]])
    assert not merkle.verify_consistency(6, 11, old_root, new_root, proof[:-1])
    assert not merkle.verify_consistency(6, 11, old_root, new_root, [])
    assert not merkle.verify_consistency(0, 11, old_root, new_root, proof)
    assert not merkle.verify_consistency(11, 6, new_root, old_root, proof)
    assert merkle.verify_consistency(11, 11, new_root, new_root, [])
    assert not merkle.verify_consistency(11, 11, new_root, new_root, proof)


def test_proof_requests_out_of_range_are_refused() -> None:
    """Asking for a leaf past the tree or a shrinking consistency proof raises ValueError."""
    with pytest.raises(ValueError, match="index=5"):
        merkle.inclusion_ranges(5, 5)
    with pytest.raises(ValueError, match="old_size <= new_size"):
        merkle.consistency_ranges(6, 5)


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_any_proof_verifies_and_any_altered_node_fails(data: st.DataObject) -> None:
    """For random trees, proofs verify, and changing any one proof node makes them fail."""
    size = data.draw(st.integers(2, 300), label="size")
    leaves = _leaves(size)
    root = merkle.tree_root(leaves)
    index = data.draw(st.integers(0, size - 1), label="index")
    path = merkle.inclusion_proof(leaves, index)
    assert merkle.verify_inclusion(index, size, leaves[index], path, root)
    if path:
        position = data.draw(st.integers(0, len(path) - 1), label="path node")
        altered = [*path[:position], _h(path[position]), *path[position + 1 :]]
        assert not merkle.verify_inclusion(index, size, leaves[index], altered, root)
    old_size = data.draw(st.integers(1, size - 1), label="old size")
    proof = merkle.consistency_proof(leaves, old_size)
    old_root = merkle.tree_root(leaves[:old_size])
    assert merkle.verify_consistency(old_size, size, old_root, root, proof)
    position = data.draw(st.integers(0, len(proof) - 1), label="proof node")
    altered = [*proof[:position], _h(proof[position]), *proof[position + 1 :]]
    assert not merkle.verify_consistency(old_size, size, old_root, root, altered)


@given(before=st.integers(0, 70), added=st.integers(0, 140))
@settings(max_examples=60, deadline=None)
def test_leaves_added_in_bulk_give_the_same_tree(before: int, added: int) -> None:
    """`extend_leaf_hashes` builds the same tree as one `append_leaf_hash` per leaf, at any size."""
    leaves = [_h(number.to_bytes(4, "big")) for number in range(before + added)]
    one_by_one, bulk = merkle.Frontier(), merkle.Frontier()
    for leaf in leaves:
        one_by_one.append_leaf_hash(leaf)
    for leaf in leaves[:before]:
        bulk.append_leaf_hash(leaf)
    root_before = bulk.root()
    copy = bulk.copy()
    copy.extend_leaf_hashes(leaves[before:])
    assert (copy.size, copy.root()) == (one_by_one.size, one_by_one.root())
    assert (bulk.size, bulk.root()) == (before, root_before)  # the copy is independent
