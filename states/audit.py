"""The audit log: every event hash-chained to the one before, so an edited, inserted or deleted event is
found. Events are appended under a lock on the chain's head row, which keeps the chain linear when
several workers write at once (on SQLite the database's single writer does the same)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from ledesk.models.tables import audit_head, events

GENESIS = "0" * 64


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


def _head(conn: Connection) -> tuple[int, str]:
    row = conn.execute(select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)
                       .with_for_update()).first()
    if row is None:
        conn.execute(insert(audit_head).values(id=1, seq=0, hash=GENESIS))
        return 0, GENESIS
    return int(row.seq), str(row.hash)


def append(conn: Connection, drafts: list[EventDraft]) -> list[int]:
    """Append events in order inside the caller's transaction; returns their sequence numbers."""
    if not drafts:
        return []
    seq, prev = _head(conn)
    rows = []
    for d in drafts:
        seq += 1
        h = digest(seq, d, prev)
        rows.append({"seq": seq, "case_id": d.case_id, "action": d.action, "source": d.source, "dest": d.dest,
                     "actor": d.actor, "at": d.at, "reason": d.reason or "", "data": d.data or {},
                     "prev_hash": prev, "hash": h})
        prev = h
    conn.execute(insert(events), rows)
    conn.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=seq, hash=prev))
    return list(range(seq - len(rows) + 1, seq + 1))


@dataclass(frozen=True)
class Verdict:
    ok: bool
    events: int
    first_bad: int | None
    problem: str | None = None


def verify(conn: Connection, chunk: int = 10_000) -> Verdict:
    prev, expected, count = GENESIS, 1, 0
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
    head = conn.execute(select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)).first()
    head_seq, head_hash = (0, GENESIS) if head is None else (int(head.seq), str(head.hash))
    if head_seq != count or head_hash != prev:
        return Verdict(False, count, count + 1 if head_seq > count else count,
                       f"the chain ends at event {count} but its head says {head_seq}: events were removed")
    return Verdict(True, count, None)
