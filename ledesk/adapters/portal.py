"""What an authority may see of its own requests (the portal and `/v1/submissions`): where each stands in
the authority's words, what is missing, until when data is preserved, and whether a production waits to be
downloaded. Never another authority's case, never the legal team's internal notes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from ledesk.models.enums import CaseState, HoldStatus
from ledesk.models.tables import cases, holds, productions
from ledesk.policy.schema import Policy

# The authority's view of the eight states.
STANDING = {
    CaseState.RECEIVED: "under_review", CaseState.NOTIFY_USER: "under_review",
    CaseState.INCOMPLETE: "incomplete", CaseState.AWAITING_LEGAL_PROCESS: "waiting_for_legal_process",
    CaseState.PRESERVED: "preserved", CaseState.DISCLOSED: "answered", CaseState.EXPIRED: "closed",
    CaseState.REJECTED: "declined",
}
LIVE_HOLDS = (HoldStatus.ACTIVE, HoldStatus.EXTENDED, HoldStatus.CONVERTED)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def requests(conn: Connection, authority: str, policy: Policy, now: datetime,
             case_id: str | None = None) -> list[dict[str, Any]]:
    """The authority's requests, newest first (or the one `case_id`, as a list of one or none)."""
    query = (select(cases.c.case_id, cases.c.reference, cases.c.kind, cases.c.state, cases.c.received_at,
                    cases.c.updated_at, cases.c.deficiencies)
             .where(cases.c.authority_domain == authority).order_by(cases.c.received_at.desc()).limit(500))
    if case_id is not None:
        query = query.where(cases.c.case_id == case_id)
    rows = conn.execute(query).all()
    ids = [r.case_id for r in rows]
    until = {h.case_id: h.expires_at for h in conn.execute(
        select(holds.c.case_id, holds.c.expires_at).where(holds.c.case_id.in_(ids),
                                                          holds.c.status.in_([s.value for s in LIVE_HOLDS])))}
    made = {p.case_id: p for p in conn.execute(
        select(productions.c.case_id, productions.c.created_at, productions.c.received_at,
               productions.c.destroyed_at, productions.c.key_fingerprint).where(productions.c.case_id.in_(ids)))}
    out = []
    for r in rows:
        doc: dict[str, Any] = {
            "case_id": r.case_id, "reference": r.reference, "kind": r.kind, "state": r.state,
            "standing": STANDING.get(CaseState(r.state), r.state), "received_at": _iso(r.received_at),
            "updated_at": _iso(r.updated_at), "missing": r.deficiencies or [],
            "preserved_until": _iso(until.get(r.case_id)), "production": None}
        p = made.get(r.case_id)
        if p is not None:
            closes = policy.production.download_closes(p.created_at)
            doc["production"] = {"downloadable": p.destroyed_at is None and now <= closes,
                                 "download_until": closes.isoformat(), "received_at": _iso(p.received_at),
                                 "key_fingerprint": p.key_fingerprint}
        out.append(doc)
    return out
