"""The operators' picture: what is open, what falls due soon, what is late, how fast cases are decided and
how fast emergencies are acknowledged. Read-only; the clock is an argument."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from ledesk.models.enums import TERMINAL_STATES, TimerStatus, Trigger
from ledesk.models.tables import cases, events, timers

# The first of these on a case is its decision: disclosure approved, rejected, or preserved or sent back
# for legal process (each answers the request as it stands).
DECISIONS = (Trigger.APPROVE_DISCLOSURE, Trigger.EMERGENCY_DISCLOSE, Trigger.REJECT, Trigger.PRESERVE,
             Trigger.REQUIRE_LEGAL_PROCESS)


def _hours(values: list[timedelta]) -> float | None:
    return round(statistics.median(v.total_seconds() for v in values) / 3600, 2) if values else None


def picture(conn: Connection, now: datetime) -> dict[str, Any]:
    by_state: dict[str, int] = dict(conn.execute(select(cases.c.state, func.count()).where(
        cases.c.state.not_in([s.value for s in TERMINAL_STATES])).group_by(cases.c.state)).all())
    pending = timers.c.status == TimerStatus.PENDING

    def due_between(start: datetime, end: datetime) -> int:
        return int(conn.execute(select(func.count()).select_from(timers).where(
            pending, timers.c.due_at > start, timers.c.due_at <= end)).scalar_one())

    overdue = [{"case_id": r.case_id, "timer": r.kind, "due_at": r.due_at.isoformat()} for r in conn.execute(
        select(timers.c.case_id, timers.c.kind, timers.c.due_at).where(pending, timers.c.due_at <= now)
        .order_by(timers.c.due_at).limit(100))]
    failed = int(conn.execute(select(func.count()).select_from(timers).where(
        timers.c.status == TimerStatus.FAILED)).scalar_one())

    first_decision = (select(events.c.case_id, func.min(events.c.at).label("decided_at"))
                      .where(events.c.action.in_(DECISIONS)).group_by(events.c.case_id).subquery())
    waits: dict[str, list[timedelta]] = {}
    for r in conn.execute(select(cases.c.kind, cases.c.received_at, first_decision.c.decided_at)
                          .join(first_decision, first_decision.c.case_id == cases.c.case_id)):
        waits.setdefault(r.kind, []).append(r.decided_at - r.received_at)

    acks = [r.acknowledged_at - r.received_at for r in conn.execute(
        select(cases.c.received_at, cases.c.acknowledged_at).where(cases.c.kind == "emergency",
                                                                   cases.c.acknowledged_at.is_not(None)))]
    unacknowledged = int(conn.execute(select(func.count()).select_from(cases).where(
        cases.c.kind == "emergency", cases.c.acknowledged_at.is_(None),
        cases.c.state.not_in([s.value for s in TERMINAL_STATES]))).scalar_one())
    ack_minutes = sorted(a.total_seconds() / 60 for a in acks)
    return {
        "at": now.isoformat(),
        "open_by_state": by_state,
        "open_total": sum(by_state.values()),
        "due_next_24h": due_between(now, now + timedelta(hours=24)),
        "due_next_7d": due_between(now, now + timedelta(days=7)),
        "overdue": overdue,
        "overdue_count": int(conn.execute(select(func.count()).select_from(timers).where(
            pending, timers.c.due_at <= now)).scalar_one()),
        "failed_timers": failed,
        "median_hours_to_decision": {kind: _hours(v) for kind, v in sorted(waits.items())},
        "emergency_acknowledgement": {
            "acknowledged": len(ack_minutes),
            "median_minutes": round(statistics.median(ack_minutes), 1) if ack_minutes else None,
            "max_minutes": round(ack_minutes[-1], 1) if ack_minutes else None,
            "open_unacknowledged": unacknowledged,
        },
    }
