"""The user-notice decision. A notice sent under a gag order or for secret communication data is a
crime, so suppression is decided before anything else and no later step can undo it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ledesk.models.enums import NoticeReason, NoticeStatus
from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.schema import Policy
from ledesk.states import deadlines, process
from ledesk.states.case import CaseRecord
from ledesk.states.scope import releases_communication_confirmation


@dataclass(frozen=True)
class NonDisclosureOrder:
    until: date | None = None
    indefinite: bool = False
    reference: str = ""

    @property
    def active(self) -> bool:
        return self.indefinite or self.until is not None

    @property
    def documented(self) -> bool:
        """An order is documented by its number or an attached order document (the reference names it)."""
        return bool(self.reference.strip())


@dataclass(frozen=True)
class NoticePlan:
    status: NoticeStatus
    reason: NoticeReason
    due_at: datetime | None  # pending: disclosure instant; deferred: when the notice (or its review) is due


def decide(case: CaseRecord, order: NonDisclosureOrder, now: datetime, policy: Policy,
           cal: LegalCalendar) -> NoticePlan:
    if case.regime in policy.notice.suppressed_regimes:  # PCSA arts. 11(2), 13-5: the provider never tells
        return NoticePlan(NoticeStatus.SUPPRESSED, NoticeReason.STATUTORY_SECRECY, None)
    if case.is_emergency and releases_communication_confirmation(case, policy):
        # An emergency that releases communication-confirmation data: the agency notifies the user under
        # PCSA art. 13-5 once the court's permission follows, and the provider never does (art. 11(2)).
        return NoticePlan(NoticeStatus.SUPPRESSED, NoticeReason.AGENCY_NOTIFIES, None)
    if order.indefinite and order.documented:
        return NoticePlan(NoticeStatus.SUPPRESSED, NoticeReason.NONDISCLOSURE_ORDER, None)
    if order.indefinite:  # a wish for silence without an order: deferred for review, never for ever
        return NoticePlan(NoticeStatus.DEFERRED, NoticeReason.UNSUPPORTED_NONDISCLOSURE,
                          deadlines.unsupported_deferral_review(now, policy, cal))
    if order.until is not None and order.until >= cal.local_date(now):
        return NoticePlan(NoticeStatus.DEFERRED, NoticeReason.NONDISCLOSURE_ORDER,
                          deadlines.delayed_notice(order.until, cal))
    if case.is_emergency:  # told later, once the danger is past: reviewed after the policy's deferral
        return NoticePlan(NoticeStatus.DEFERRED, NoticeReason.EMERGENCY,
                          deadlines.emergency_notice_review(now, policy, cal))
    # An order whose end date has passed defers nothing; the instrument, not the submission's kind,
    # decides whether the user is told: a preservation alone discloses nothing, legal process does.
    if not case.has_disclosure_instrument:
        return NoticePlan(NoticeStatus.NOT_REQUIRED, NoticeReason.PRESERVATION_ONLY, None)
    return NoticePlan(NoticeStatus.PENDING, NoticeReason.LEAD_TIME, deadlines.disclosure_after_notice(
        now, process.last_valid_day(case.submission.legal_basis, policy), policy, cal))
