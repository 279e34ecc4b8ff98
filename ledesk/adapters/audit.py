"""The audit log: every event hash-chained to the one before, so an edited, inserted or deleted event is
found. Events are appended under a lock on the chain's head row, which keeps the chain linear when
several workers write at once (on SQLite the database's single writer does the same)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from ledesk.models.tables import audit_head, events
from ledesk.vault.merkle import Frontier, leaf_hash

GENESIS = "0" * 64
# Decisions: a transaction that writes one of these is anchored by a signed checkpoint of its own
# (services.unit), so nothing decided can be rewritten after it unseen; the hourly one covers the rest.
ANCHORED = frozenset({"approve_disclosure", "disclose", "emergency_disclose", "reject", "expire", "verify_callback",
                      "production_built", "purge", "hold_released", "production_destroyed", "followup_legal_process",
                      "nondisclosure"})
ANCHOR_DUE = "ledesk.anchor_due"  # conn.info: this transaction wrote a decision

# Which automated run made a change (a Prefect flow run, named by the flows package that registers the
# answer): the operator reading an event asks "who did this", and for a change no person made the honest
# answer is the run. The domain only calls the function; it never learns what a flow is.
Origin = Callable[[], dict[str, str] | None]
_origin: Origin | None = None


def register_origin(origin: Origin | None) -> None:
    global _origin
    _origin = origin


def made_in() -> dict[str, str] | None:
    return _origin() if _origin else None


@dataclass(frozen=True)
class EventDraft:
    case_id: str | None
    action: str
    actor: str
    at: datetime
    source: str | None = None
    dest: str | None = None
    reason: str = ""
    data: dict[str, Any] | None = None


def canonical(seq: int, d: EventDraft | dict[str, Any], prev_hash: str) -> bytes:
    get = (lambda k: getattr(d, k)) if isinstance(d, EventDraft) else d.__getitem__
    at: datetime = get("at")
    body = {
        "seq": seq, "case_id": get("case_id"), "action": get("action"), "source": get("source"),
        "dest": get("dest"), "actor": get("actor"), "at": at.isoformat(timespec="microseconds"),
        "reason": get("reason") or "", "data": get("data") or {}, "prev_hash": prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def digest(seq: int, d: EventDraft | dict[str, Any], prev_hash: str) -> str:
    return hashlib.sha256(canonical(seq, d, prev_hash)).hexdigest()


def _head(conn: Connection) -> tuple[int, str, Frontier]:
    row = conn.execute(select(audit_head.c.seq, audit_head.c.hash, audit_head.c.frontier)
                       .where(audit_head.c.id == 1).with_for_update()).first()
    if row is None:
        conn.execute(insert(audit_head).values(id=1, seq=0, hash=GENESIS, frontier=[]))
        return 0, GENESIS, Frontier()
    return int(row.seq), str(row.hash), _frontier(conn, int(row.seq), row.frontier)


def _frontier(conn: Connection, seq: int, stored: Any) -> Frontier:
    """The Merkle tree's right edge as kept with the head; built from the events when a database from
    before the tree has none (or one that does not cover the chain)."""
    if stored is not None:
        frontier = Frontier.from_json(stored)
        if frontier.size == seq:
            return frontier
    return Frontier.over(leaf_hashes(conn, seq))


def leaf_hashes(conn: Connection, size: int) -> list[bytes]:
    """The Merkle leaves of the first `size` events, in order."""
    return [leaf_hash(h) for h in conn.execute(select(events.c.hash).where(events.c.seq <= size)
                                               .order_by(events.c.seq)).scalars()]


def event_hash(conn: Connection, seq: int) -> str | None:
    found = conn.execute(select(events.c.hash).where(events.c.seq == seq)).scalar()
    return str(found) if found is not None else None


def tree_head(conn: Connection) -> tuple[int, str, str]:
    """(events, head hash, Merkle root hex) as a checkpoint signs them; read under the head's lock."""
    seq, head_hash, frontier = _head(conn)
    return seq, head_hash, frontier.root().hex()


def append(conn: Connection, drafts: list[EventDraft]) -> list[int]:
    """Append events in order inside the caller's transaction; returns their sequence numbers."""
    if not drafts:
        return []
    seq, prev, frontier = _head(conn)
    origin = made_in()
    rows = []
    for d in drafts:
        seq += 1
        if origin:
            d = replace(d, data={**(d.data or {}), "made_in": origin})
        h = digest(seq, d, prev)
        rows.append({"seq": seq, "case_id": d.case_id, "action": d.action, "source": d.source, "dest": d.dest,
                     "actor": d.actor, "at": d.at, "reason": d.reason or "", "data": d.data or {},
                     "prev_hash": prev, "hash": h})
        prev = h
        frontier.push(leaf_hash(h))
    conn.execute(insert(events), rows)
    conn.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=seq, hash=prev,
                                                                      frontier=frontier.as_json()))
    if any(d.action in ANCHORED for d in drafts):  # a decision: the unit of work signs a checkpoint
        conn.info[ANCHOR_DUE] = True
    return list(range(seq - len(rows) + 1, seq + 1))


@dataclass(frozen=True)
class Verdict:
    ok: bool
    events: int
    first_bad: int | None
    problem: str | None = None
    anchored: int = 0  # the events under the last signed checkpoint the chain matches

    @property
    def unanchored(self) -> int:
        """Events no signed checkpoint covers yet: they could still be rewritten unseen."""
        return max(self.events - self.anchored, 0)


@dataclass(frozen=True)
class Checkpoint:
    """A signed (count, head hash) kept outside the database; its signature is checked by whoever read it."""

    events: int
    head: str
    at: str = ""
    root: str = ""  # the Merkle root over its events (vault.merkle); empty in checkpoints from before


def head(conn: Connection) -> tuple[int, str]:
    """The chain's current length and head hash, as a checkpoint would record them."""
    row = conn.execute(select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)).first()
    return (0, GENESIS) if row is None else (int(row.seq), str(row.hash))


def verify(conn: Connection, chunk: int = 10_000, checkpoints: list[Checkpoint] | None = None) -> Verdict:
    """The chain checked event by event, and against the signed checkpoints: an insider who drops the
    last events and moves the head back, or edits one and re-hashes all after it, leaves a chain that
    agrees with itself but not with a checkpoint signed before. The first bad position reported is the
    first event after the last checkpoint that still matches."""
    marks = sorted(checkpoints or [], key=lambda c: c.events)
    at_seq = {c.events: c for c in marks}
    good_until = 0
    prev, expected, count = GENESIS, 1, 0
    tree = Frontier()
    result = conn.execution_options(yield_per=chunk).execute(select(events).order_by(events.c.seq))
    for row in result:
        m = row._mapping
        if m["seq"] != expected:
            return Verdict(False, count, expected, f"event {expected} is missing (next is {m['seq']})")
        if m["prev_hash"] != prev:
            return Verdict(False, count, m["seq"], f"event {m['seq']} does not follow the event before it")
        if digest(m["seq"], dict(m), prev) != m["hash"]:
            return Verdict(False, count, m["seq"], f"event {m['seq']} was changed after it was written")
        prev, expected, count = m["hash"], expected + 1, count + 1
        tree.push(leaf_hash(prev))
        mark = at_seq.get(count)
        if mark is not None:
            if mark.head != prev or (mark.root and mark.root != tree.root().hex()):
                return Verdict(False, count, good_until + 1,
                               f"event {count} does not match the checkpoint signed at {mark.at or 'its time'}: "
                               f"the chain was rewritten after event {good_until}")
            good_until = count
    head_seq, head_hash = head(conn)
    if head_seq != count or head_hash != prev:
        return Verdict(False, count, count + 1 if head_seq > count else count,
                       f"the chain ends at event {count} but its head says {head_seq}: events were removed")
    if marks and marks[-1].events > count:
        return Verdict(False, count, count + 1, f"the chain ends at event {count} but a checkpoint signed at "
                                                f"{marks[-1].at or 'its time'} counted {marks[-1].events}: "
                                                "events were removed")
    return Verdict(True, count, None, anchored=good_until)
