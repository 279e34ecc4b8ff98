"""The provision ledgers (PCSA art. 13(8) and Decree 39 for communication-confirmation data; TBA Decree 53
for subscriber data): which regime keeps which ledger, for how long, and the entry a disclosure makes.
adapters.ledger writes it in the disclosing transaction and purges it once its statute's years are over."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ledesk.models.enums import TargetOutcome
from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.schema import Policy
from ledesk.states import deadlines
from ledesk.states.case import CaseRecord
from ledesk.states.scope import communication_confirmation

PCSA, TBA = "pcsa", "tba"
LEDGERS = (PCSA, TBA)


def ledger_for(regime: str, policy: Policy, emergency_released: list[str] | None = None) -> str | None:
    """The ledger a disclosure under `regime` is entered in. An emergency that released communication-
    confirmation data (`emergency_released`: what it released) is provision under PCSA art. 13(3)'s
    proviso, so it is entered in the PCSA ledger and its half-year report (art. 13(7)) like any other."""
    if regime in policy.ledgers.pcsa_regimes:
        return PCSA
    if emergency_released and communication_confirmation(emergency_released, policy):
        return PCSA
    if regime in policy.ledgers.tba_regimes:
        return TBA
    return None


def retention_years(name: str, policy: Policy) -> int:
    return policy.ledgers.pcsa_retention_years if name == PCSA else policy.ledgers.tba_retention_years


def entry(case: CaseRecord, authority_name: str, authority_type: str, categories: list[str],
          outcomes: list[str], now: datetime, policy: Policy, cal: LegalCalendar) -> dict[str, Any] | None:
    """The ledger row a disclosure writes, or None when the case's regime keeps no ledger."""
    name = ledger_for(case.regime, policy, categories if case.is_emergency else None)
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
