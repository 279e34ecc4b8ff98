"""How long a hold lives once legal process has converted it. Every hold has an end date: a conversion
keeps the preservation period's end (Rules on Criminal Procedure art. 178: process not executed in its
validity lapses, and with it the reason to keep more than the preservation asked). At that end the hold is
destroyed unless process still valid is waiting to be executed (PIPA art. 21(1): personal data no longer
needed is destroyed without delay). A CPA art. 215-2 preservation binds for its whole period: a narrower
warrant executed on part of it leaves the rest preserved until the period ends."""

from __future__ import annotations

from datetime import datetime

from ledesk.models.enums import TERMINAL_STATES, CaseKind, Regime
from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.schema import Policy
from ledesk.states import deadlines, process
from ledesk.states.case import CaseRecord


def began_as_statutory_preservation(case: CaseRecord) -> bool:
    """The case began as a CPA art. 215-2 preservation (its regime changes once process converts it)."""
    p = case.submission.preservation
    return (case.regime == Regime.KR_CPA215_2 or (
        case.kind == CaseKind.PRESERVATION and p is not None and p.statutory and case.country.upper() == "KR"))


def converted_hold_lapses(case: CaseRecord, expires_at: datetime | None, now: datetime, policy: Policy,
                          cal: LegalCalendar) -> str | None:
    """Why a converted hold is destroyed now, or None while it must be kept. `expires_at` is the end of its
    preservation period (a hold converted before every hold had one: from when the process arrived)."""
    if expires_at is None:
        start = case.legal_process_at or case.received_at
        expires_at = deadlines.legal_process_deadline(start, policy, cal)
    if now < expires_at:
        return None  # the preservation period runs: a lapse of the process changes nothing before its end
    ended = cal.last_day(expires_at).isoformat()
    if case.state in TERMINAL_STATES:
        return f"the case is {case.state} and the preservation period ended on {ended}"
    basis = case.submission.legal_basis
    lapsed = process.invalid_now(basis, cal.local_date(now), policy)
    if lapsed is not None:
        return f"the legal process was not executed ({lapsed}) and the preservation period ended on {ended}"
    if process.last_valid_day(basis, policy) is None and case.legal_process_at is not None \
            and now >= deadlines.legal_process_deadline(case.legal_process_at, policy, cal):
        return (f"the legal process names no end and was not executed within {policy.legal_process_wait.days} days; "
                f"the preservation period ended on {ended}")
    return None  # valid process waits to be executed: kept until it is, or until it lapses
