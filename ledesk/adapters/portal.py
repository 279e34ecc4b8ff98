"""What an authority may see of its own requests (the portal and `/v1/submissions`): where each stands in
the authority's words, what is missing, until when data is preserved, and whether a production waits to be
downloaded. Never another authority's case, never the legal team's internal notes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from ledesk.models.enums import CaseState, HoldStatus, OutboxChannel, TimerKind, TimerStatus
from ledesk.models.tables import cases, holds, letters, outbox, productions, targets, timers
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


# The date the authority waits on, by where its request stands: what it must send by, or when we answer.
ANSWER_BY = {
    CaseState.INCOMPLETE: TimerKind.CURE_DEADLINE, CaseState.PRESERVED: TimerKind.LEGAL_PROCESS_DEADLINE,
    CaseState.AWAITING_LEGAL_PROCESS: TimerKind.LEGAL_PROCESS_DEADLINE, CaseState.RECEIVED: TimerKind.RESPONSE_DUE,
    CaseState.NOTIFY_USER: TimerKind.RESPONSE_DUE,
}


def request_detail(conn: Connection, found: dict[str, Any]) -> dict[str, Any]:
    """One of the authority's requests as its portal page shows it: `found` (from `requests`) with what was
    asked (targets with their outcome, data, instrument), the letters sent to the authority (never the
    user's notice, the team's internal messages or pages), and the date it waits on."""
    case_id = found["case_id"]
    row = conn.execute(select(cases.c.submission).where(cases.c.case_id == case_id)).one()
    sub = row.submission or {}
    asked = [{"type": t.type, "value": t.raw_value, "outcome": t.outcome} for t in conn.execute(
        select(targets.c.type, targets.c.raw_value, targets.c.outcome).where(targets.c.case_id == case_id)
        .order_by(targets.c.id))]
    sent = {m.letter_sha256: m.status for m in conn.execute(
        select(outbox.c.letter_sha256, outbox.c.status).where(
            outbox.c.case_id == case_id, outbox.c.channel == OutboxChannel.EMAIL.value,
            outbox.c.letter_sha256.is_not(None)))}
    theirs = [{"index": n, "kind": r.kind, "at": _iso(r.created_at), "status": sent[r.sha256]}
              for n, r in enumerate(conn.execute(select(letters.c.kind, letters.c.sha256, letters.c.created_at)
                                                 .where(letters.c.case_id == case_id).order_by(letters.c.id)))
              if r.sha256 in sent]
    waits_on = ANSWER_BY.get(CaseState(found["state"]))
    due = None
    if waits_on is not None:
        due = conn.execute(select(timers.c.due_at).where(
            timers.c.case_id == case_id, timers.c.kind == waits_on.value,
            timers.c.status == TimerStatus.PENDING.value).order_by(timers.c.due_at)).scalar()
    basis = sub.get("legal_basis") or {}
    return {**found, "targets": asked, "data_requested": sub.get("data_requested") or [],
            "instrument": basis.get("instrument"), "document_reference": basis.get("document_reference"),
            "letters": theirs,
            "answer_by": {"kind": waits_on.value, "due_at": _iso(due)} if waits_on and due else None}
