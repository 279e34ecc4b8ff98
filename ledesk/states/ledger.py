"""The provision ledgers (PCSA art. 13(8) and Decree 39 for communication-confirmation data; TBA Decree 53
for subscriber data): an entry is written in the disclosing transaction of every case whose regime keeps
a ledger, and purged once its statute's years are over."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from ledesk.models.enums import SYSTEM_ACTOR, TargetOutcome
from ledesk.models.tables import authorities, ledger
from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.schema import Policy
from ledesk.states import audit, deadlines
from ledesk.states.case import CaseRecord

PCSA, TBA = "pcsa", "tba"
LEDGERS = (PCSA, TBA)


def ledger_for(regime: str, policy: Policy) -> str | None:
    if regime in policy.ledgers.pcsa_regimes:
        return PCSA
    if regime in policy.ledgers.tba_regimes:
        return TBA
    return None


def retention_years(name: str, policy: Policy) -> int:
    return policy.ledgers.pcsa_retention_years if name == PCSA else policy.ledgers.tba_retention_years


def entry(case: CaseRecord, authority_name: str, authority_type: str, categories: list[str],
          outcomes: list[str], now: datetime, policy: Policy, cal: LegalCalendar) -> dict[str, Any] | None:
    """The ledger row a disclosure writes, or None when the case's regime keeps no ledger."""
    name = ledger_for(case.regime, policy)
    if name is None:
        return None
    provided_on = cal.local_date(now)
    return {
        "ledger": name, "case_id": case.case_id, "provided_at": now, "provided_on": provided_on.isoformat(),
        "authority_name": authority_name, "authority_type": authority_type, "reference": case.reference,
        "document_reference": case.submission.legal_basis.document_reference, "categories": sorted(categories),
        "accounts_requested": len(outcomes),
        "accounts_provided": sum(1 for o in outcomes if o == TargetOutcome.PRODUCE),
        "purge_on": deadlines.ledger_purge_date(provided_on, retention_years(name, policy)).isoformat(),
    }


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
