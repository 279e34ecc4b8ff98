"""The provision ledgers in the case database: an entry written in the disclosing transaction of every case
whose regime keeps a ledger (states.ledger says which, and what the entry holds), purged once its
statute's years are over."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from ledesk.adapters import audit
from ledesk.models.enums import SYSTEM_ACTOR
from ledesk.models.tables import authorities, ledger
from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.schema import Policy
from ledesk.states.case import CaseRecord
from ledesk.states.ledger import entry


def record(conn: Connection, case: CaseRecord, production: dict[str, Any], now: datetime, policy: Policy,
           cal: LegalCalendar) -> dict[str, Any] | None:
    """Write the ledger entry of a disclosure whose production was just built (in the same transaction)."""
    authority = conn.execute(select(authorities.c.name, authorities.c.type)
                             .where(authorities.c.domain == case.authority_domain)).one()
    row = entry(case, authority.name, authority.type, list(production["categories"]),
                list(production["outcomes"]), now, policy, cal)
    if row is not None:
        conn.execute(insert(ledger).values(**row))
    return row


def purge(conn: Connection, today: date, now: datetime) -> dict[str, int]:
    """Delete every entry whose retention is over; the audit log keeps how many went, per ledger."""
    due = ledger.c.purge_on <= today.isoformat()
    counts: dict[str, int] = {name: int(n) for name, n in conn.execute(
        select(ledger.c.ledger, func.count()).where(due).group_by(ledger.c.ledger))}
    if counts:
        conn.execute(delete(ledger).where(due))
        audit.append(conn, [audit.EventDraft(None, "ledger_purged", SYSTEM_ACTOR, now,
                                             reason=f"retention over on or before {today.isoformat()}",
                                             data={"purged": counts})])
    return counts
