"""The audit log read as a feed: events after a named cursor, with the case's kind and regime beside each,
for whoever mirrors them elsewhere (the Prefect publisher). The cursor moves only after the events were
handed on, so a crash hands them on again rather than losing them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from ledesk.models.enums import SYSTEM_ACTOR
from ledesk.models.tables import cases, events, feed_cursors


@dataclass(frozen=True)
class FeedEvent:
    seq: int
    hash: str
    case_id: str
    action: str
    source: str | None
    dest: str | None
    actor: str
    at: datetime
    reason: str
    kind: str
    regime: str
    state: str  # the case's state right after this event
    made_in: dict[str, str] | None = None  # the automated run that made the change (audit.made_in)

    @property
    def by_person(self) -> bool:
        return self.actor != SYSTEM_ACTOR


def claim(conn: Connection, name: str) -> int:
    """The last sequence number read, creating the cursor at the start of the log. Nothing is held:
    two readers may read the same events, and `advance` lets only the first of them move the cursor."""
    row = conn.execute(select(feed_cursors.c.seq).where(feed_cursors.c.name == name)).first()
    if row is None:
        conn.execute(insert(feed_cursors).values(name=name, seq=0))
        return 0
    return int(row.seq)


def read(conn: Connection, after: int, limit: int) -> tuple[list[FeedEvent], int]:
    """Up to `limit` events after `after`, oldest first, and the sequence number the cursor moves to.
    Events that concern no case (actors, authorities) are read past but not returned: they have no
    resource to show them on."""
    # Of an event's data only the run that made it (a production's data carries its whole scope).
    rows = conn.execute(
        select(events.c.seq, events.c.hash, events.c.case_id, events.c.action, events.c.source, events.c.dest,
               events.c.actor, events.c.at, events.c.reason, events.c.data["made_in"].label("made_in"),
               cases.c.kind, cases.c.regime, cases.c.state)
        .join_from(events, cases, cases.c.case_id == events.c.case_id, isouter=True)
        .where(events.c.seq > after).order_by(events.c.seq).limit(limit)).all()
    out = []
    for r in rows:
        if r.case_id is None or r.kind is None:
            continue
        out.append(FeedEvent(r.seq, r.hash, r.case_id, r.action, r.source, r.dest, r.actor, r.at, r.reason or "",
                             r.kind, r.regime, r.dest or r.state, r.made_in if isinstance(r.made_in, dict) else None))
    return out, (int(rows[-1].seq) if rows else after)


def advance(conn: Connection, name: str, read_from: int, seq: int) -> bool:
    """Move the cursor from `read_from` to `seq`, unless another reader moved it first (then the events
    were handed on twice, which the receiver's event ids make harmless, and none are skipped)."""
    moved = conn.execute(update(feed_cursors).where(feed_cursors.c.name == name, feed_cursors.c.seq == read_from)
                         .values(seq=seq))
    return bool(moved.rowcount)
