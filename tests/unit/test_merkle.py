"""The audit log's Merkle tree (RFC 9162): proofs for every leaf and every pair of sizes up to 40 verify,
the incremental right edge gives the same root as the definition, and a changed hash fails every proof."""

from __future__ import annotations

import hashlib

from ledesk.vault import merkle


def _leaves(n: int) -> list[bytes]:
    return [merkle.leaf_hash(hashlib.sha256(str(i).encode()).hexdigest()) for i in range(n)]


def test_the_right_edge_gives_the_roots_of_the_definition() -> None:
    frontier = merkle.Frontier()
    assert frontier.root() == merkle.EMPTY == hashlib.sha256(b"").digest()
    leaves = _leaves(70)
    for n, leaf in enumerate(leaves, 1):
        frontier.push(leaf)
        assert frontier.size == n and frontier.root() == merkle.root(leaves[:n])
    assert merkle.Frontier.from_json(frontier.as_json()) == frontier


def test_rfc_9162_known_shape() -> None:
    a, b, c = _leaves(3)
    assert merkle.root([a, b, c]) == merkle.node_hash(merkle.node_hash(a, b), c)
    assert merkle.leaf_hash("00" * 32) == hashlib.sha256(b"\x00" + b"\x00" * 32).digest()


def test_every_inclusion_and_consistency_proof_verifies_and_a_wrong_one_does_not() -> None:
    leaves = _leaves(40)
    for n in range(1, 41):
        tree = leaves[:n]
        top = merkle.root(tree)
        for i in range(n):
            path = merkle.inclusion_proof(tree, i)
            assert merkle.verify_inclusion(tree[i], i, n, path, top)
            assert not merkle.verify_inclusion(leaves[(i + 1) % 40] if n > 1 else b"x" * 32, i, n, path, top)
        for m in range(1, n + 1):
            proof = merkle.consistency_proof(tree, m)
            old = merkle.root(tree[:m])
            assert merkle.verify_consistency(m, n, old, top, proof), (m, n)
            if m < n:
                assert not merkle.verify_consistency(m, n, merkle.root(leaves[1:m + 1]), top, proof), (m, n)
                assert not merkle.verify_consistency(m, n, old, merkle.root(leaves[1:n + 1]), proof), (m, n)
