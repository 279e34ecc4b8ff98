"""Read models: a case as `show` prints it, and the queue. Nothing here writes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from models.enums import TERMINAL_STATES, TimerStatus
from models.tables import assignments, cases, events, holds, letters, notices, targets, timers
from policy.calendar import LegalCalendar
from policy.schema import Policy
from states.case import CaseRecord
from states.engine import allowed_triggers
from states.store import _CASE_COLUMNS, load_case


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def show(conn: Connection, case_id: str, policy: Policy, cal: LegalCalendar,
         roles: frozenset[str] | None = None) -> dict[str, Any]:
    case = load_case(conn, case_id)
    sub = case.submission
    notice = conn.execute(select(notices).where(notices.c.case_id == case_id)).first()
    return {
        "case_id": case.case_id,
        "kind": case.kind,
        "regime": case.regime,
        "state": case.state,
        "version": case.version,
        "policy_version": case.policy_version,
        "reference": case.reference,
        "received_at": iso(case.received_at),
        "authority": {"domain": case.authority_domain, "country": case.country,
                      **{k: v for k, v in (sub.get("authority") or {}).items() if k != "country"}},
        "officer": sub.get("officer") or {},
        "legal_basis": sub.get("legal_basis") or {},
        "data_requested": sub.get("data_requested") or [],
        "deficiencies": case.deficiencies,
        "linked_to": case.linked_to,
        "recommended_by": case.recommended_by,
        "approved_by": case.approved_by,
        "callback_ok_by": case.callback_ok_by,
        "callback_failed": case.callback_failed,
        "reject_reason": case.reject_reason,
        "targets": [{"type": r.type, "value": r.value, "outcome": r.outcome}
                    for r in conn.execute(select(targets).where(targets.c.case_id == case_id)
                                          .order_by(targets.c.id))],
        "holds": [{"hold_id": r.hold_id, "status": r.status, "expires_at": iso(r.expires_at)}
                  for r in conn.execute(select(holds).where(holds.c.case_id == case_id)
                                        .order_by(holds.c.created_at))],
        "notice": {"status": notice.status if notice else "undecided",
                   "reason": notice.reason if notice else "",
                   "due_at": iso(notice.due_at) if notice else None,
                   "sent_at": iso(notice.sent_at) if notice else None,
                   "nondisclosure": ({"until": notice.nondisclosure_until,
                                      "indefinite": notice.nondisclosure_indefinite,
                                      "reference": notice.nondisclosure_reference} if notice else None)},
        "timers": [{"kind": r.kind, "due_at": iso(r.due_at), "status": r.status}
                   for r in conn.execute(select(timers).where(timers.c.case_id == case_id)
                                         .order_by(timers.c.due_at, timers.c.id))],
        "letters": [{"kind": r.kind, "sha256": r.docx_sha256 or r.sha256, "path": r.path,
                     "template_version": r.template_version}
                    for r in conn.execute(select(letters).where(letters.c.case_id == case_id)
                                          .order_by(letters.c.id))],
        "history": [{"trigger": r.action, "source": r.source, "dest": r.dest, "actor": r.actor,
                     "at": iso(r.at), "reason": r.reason}
                    for r in conn.execute(select(events).where(events.c.case_id == case_id)
                                          .order_by(events.c.seq))],
        "allowed_triggers": allowed_triggers(case, policy, cal, roles),
        "assigned_to": conn.execute(select(assignments.c.reviewer).where(assignments.c.case_id == case_id)).scalar(),
    }


def list_cases(conn: Connection, state: str | None = None, due_before: datetime | None = None,
               limit: int = 1000, open_only: bool = False, kind: str | None = None,
               assigned_to: str | None = None) -> list[dict[str, Any]]:
    next_due = (select(timers.c.case_id, func.min(timers.c.due_at).label("next_due"))
                .where(timers.c.status == TimerStatus.PENDING).group_by(timers.c.case_id).subquery())
    query = (select(*_CASE_COLUMNS, next_due.c.next_due, assignments.c.reviewer)
             .join_from(cases, next_due, next_due.c.case_id == cases.c.case_id, isouter=True)
             .join(assignments, assignments.c.case_id == cases.c.case_id, isouter=True))
    table = cases
    if state:
        query = query.where(table.c.state == state)
    if due_before:
        query = query.where(next_due.c.next_due <= due_before)
    if kind:
        query = query.where(table.c.kind == kind)
    if assigned_to:
        query = query.where(assignments.c.reviewer == assigned_to)
    if open_only:
        query = query.where(table.c.state.not_in([s.value for s in TERMINAL_STATES]))
    query = query.order_by(next_due.c.next_due.is_(None), next_due.c.next_due, table.c.received_at).limit(limit)
    out = []
    for row in conn.execute(query):
        case = CaseRecord.from_row(row)
        out.append({"case_id": case.case_id, "state": case.state, "kind": case.kind, "regime": case.regime,
                    "authority": case.authority_domain, "reference": case.reference,
                    "received_at": iso(case.received_at), "next_deadline": iso(row.next_due),
                    "assigned_to": row.reviewer})
    return out


def received_counts(conn: Connection, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Cases received in [start, end), counted by kind, regime and where they stand now."""
    query = (select(cases.c.kind, cases.c.regime, cases.c.state, func.count().label("cases"))
             .where(cases.c.received_at >= start, cases.c.received_at < end)
             .group_by(cases.c.kind, cases.c.regime, cases.c.state)
             .order_by(cases.c.kind, cases.c.regime, cases.c.state))
    return [dict(r._mapping) for r in conn.execute(query)]
