"""The statutory half-year reports in the case database: planned ahead, reminded once (a compare-and-set
claims each reminder), and recorded when produced. The calendar of halves and due dates is
states.statutory."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ledesk.adapters import audit
from ledesk.models.enums import SYSTEM_ACTOR, OutboxChannel, OutboxStatus
from ledesk.models.tables import outbox, statutory_reports
from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.schema import Policy
from ledesk.states.statutory import TITLES, due_on, label, remind_at, schedule


def _insert_missing(conn: Connection, rows: list[dict[str, Any]]) -> None:
    # Two sweeps may plan at once: the second one's rows are already there and are left alone.
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(statutory_reports).on_conflict_do_nothing(), rows)


def remind(conn: Connection, now: datetime, policy: Policy, cal: LegalCalendar) -> list[dict[str, Any]]:
    """Plan the coming reports, and remind the compliance lead of each one whose reminder time has come
    and that has not been produced. Each reminder is claimed by a compare-and-set, so it goes out once."""
    planned = schedule(cal.local_date(now), policy, cal)
    if planned:
        _insert_missing(conn, planned)
    r = statutory_reports.c
    due = conn.execute(select(r.ledger, r.half, r.due_on).where(
        r.remind_at <= now, r.reminded_at.is_(None), r.produced_at.is_(None)).order_by(r.due_on, r.ledger)).all()
    sent = []
    for row in due:
        claimed = conn.execute(update(statutory_reports).where(
            r.ledger == row.ledger, r.half == row.half, r.reminded_at.is_(None)).values(reminded_at=now))
        if claimed.rowcount != 1:
            continue
        subject = f"Due {row.due_on}: {row.ledger.upper()} half-year report for {row.half}"
        body = (f"The {TITLES[row.ledger]} for {row.half} is due on {row.due_on}.\n"
                f"Produce it from the provision ledger with:\n\n"
                f"    ledesk report {row.ledger} --half {row.half} --format docx -o {row.ledger}-{row.half}.docx\n")
        conn.execute(insert(outbox).values(case_id=None, kind="statutory_report_reminder",
                                           channel=OutboxChannel.INTERNAL,
                                           to=policy.compliance_lead_address, subject=subject, body=body,
                                           status=OutboxStatus.PENDING, attempts=0, created_at=now))
        audit.append(conn, [audit.EventDraft(None, "statutory_report_reminder", SYSTEM_ACTOR, now,
                                             reason=subject, data={"ledger": row.ledger, "half": row.half,
                                                                   "due_on": row.due_on})])
        sent.append({"case_id": None, "timer": "statutory_report_reminder", "action": "remind",
                     "ledger": row.ledger, "half": row.half, "due_on": row.due_on})
    return sent


def produced(conn: Connection, name: str, half: str, sha256: str, now: datetime, policy: Policy,
             cal: LegalCalendar) -> None:
    """Record that a report was produced (a produced report needs no reminder)."""
    half = label(half)
    r = statutory_reports.c
    _insert_missing(conn, [{"ledger": name, "half": half, "due_on": due_on(half, policy, cal).isoformat(),
                            "remind_at": remind_at(half, policy, cal)}])
    conn.execute(update(statutory_reports).where(r.ledger == name, r.half == half)
                 .values(produced_at=now, sha256=sha256))
