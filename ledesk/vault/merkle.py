"""The audit log as a Merkle tree, as RFC 9162 (Certificate Transparency 2.0) defines one: leaf i is
SHA-256(0x00 || event i's hash), an inner node SHA-256(0x01 || left || right), and the tree over n leaves
splits at the largest power of two below n. A signed checkpoint names the root over its first n events;
an inclusion proof shows one event is among them, a consistency proof that a later checkpoint's tree
extends an earlier one's, each with log2(n) hashes anyone can check without the database.

The tree's right edge (the roots of its perfect subtrees, `Frontier`) is kept with the chain's head, so
appending an event and computing the root cost log2(n), not n."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field


def leaf_hash(event_hash: str) -> bytes:
    return hashlib.sha256(b"\x00" + bytes.fromhex(event_hash)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


EMPTY = hashlib.sha256(b"").digest()  # RFC 9162 2.1.1: the hash of an empty tree


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes (RFC 9162 2.1.1)."""
    if not leaves:
        return EMPTY
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(root(leaves[:k]), root(leaves[k:]))


@dataclass
class Frontier:
    """The roots of the perfect subtrees along the tree's right edge, largest first, as (size, hash)."""

    nodes: list[tuple[int, bytes]] = field(default_factory=list)

    @classmethod
    def over(cls, leaves: Sequence[bytes]) -> Frontier:
        frontier = cls()
        for leaf in leaves:
            frontier.push(leaf)
        return frontier

    @property
    def size(self) -> int:
        return sum(size for size, _ in self.nodes)

    def push(self, leaf: bytes) -> None:
        self.nodes.append((1, leaf))
        while len(self.nodes) >= 2 and self.nodes[-1][0] == self.nodes[-2][0]:
            (size, right), (_, left) = self.nodes.pop(), self.nodes.pop()
            self.nodes.append((size * 2, node_hash(left, right)))

    def root(self) -> bytes:
        if not self.nodes:
            return EMPTY
        acc = self.nodes[-1][1]
        for _, left in reversed(self.nodes[:-1]):
            acc = node_hash(left, acc)
        return acc

    def as_json(self) -> list[list[int | str]]:
        return [[size, digest.hex()] for size, digest in self.nodes]

    @classmethod
    def from_json(cls, value: list[list[int | str]]) -> Frontier:
        return cls([(int(size), bytes.fromhex(str(digest))) for size, digest in value])


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(m, D[n]) for leaf `index` (0-based) in the tree over `leaves` (RFC 9162 2.1.3.1)."""
    n = len(leaves)
    if not 0 <= index < n:
        raise ValueError(f"leaf {index} is not in a tree of {n}")
    if n == 1:
        return []
    k = _split(n)
    if index < k:
        return [*inclusion_proof(leaves[:k], index), root(leaves[k:])]
    return [*inclusion_proof(leaves[k:], index - k), root(leaves[:k])]


def verify_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes], expected_root: bytes) -> bool:
    """RFC 9162 2.1.3.2."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == expected_root


def consistency_proof(leaves: Sequence[bytes], m: int) -> list[bytes]:
    """PROOF(m, D[n]): the tree over the first m leaves is a prefix of the tree over all (RFC 9162 2.1.4.1)."""
    n = len(leaves)
    if not 0 < m <= n:
        raise ValueError(f"no consistency proof from {m} to {n} leaves")
    return _subproof(leaves, m, True)


def _subproof(leaves: Sequence[bytes], m: int, whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [root(leaves)]
    k = _split(n)
    if m <= k:
        return [*_subproof(leaves[:k], m, whole), root(leaves[k:])]
    return [*_subproof(leaves[k:], m - k, False), root(leaves[:k])]


def verify_consistency(m: int, n: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 2.1.4.2."""
    if not 0 < m <= n:
        return False
    if m == n:
        return not proof and old_root == new_root
    path = list(proof)
    if m & (m - 1) == 0:  # m a power of two: the old root is itself a node of the new tree
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root
