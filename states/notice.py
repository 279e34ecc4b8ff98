"""The user-notice decision. A notice sent under a gag order or for secret communication data is a
crime, so suppression is decided before anything else and no later step can undo it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ledesk.models.enums import CaseKind, NoticeReason, NoticeStatus
from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.schema import Policy
from ledesk.states import deadlines
from ledesk.states.case import CaseRecord


@dataclass(frozen=True)
class NonDisclosureOrder:
    until: date | None = None
    indefinite: bool = False
    reference: str = ""

    @property
    def active(self) -> bool:
        return self.indefinite or self.until is not None


@dataclass(frozen=True)
class NoticePlan:
    status: NoticeStatus
    reason: NoticeReason
    due_at: datetime | None  # pending: disclosure instant; deferred: when the notice (or its review) is due


def decide(case: CaseRecord, order: NonDisclosureOrder, now: datetime, policy: Policy,
           cal: LegalCalendar) -> NoticePlan:
    if case.regime in policy.notice.suppressed_regimes:
        return NoticePlan(NoticeStatus.SUPPRESSED, NoticeReason.STATUTORY_SECRECY, None)
    if order.indefinite:
        return NoticePlan(NoticeStatus.SUPPRESSED, NoticeReason.NONDISCLOSURE_ORDER, None)
    if order.until is not None:
        return NoticePlan(NoticeStatus.DEFERRED, NoticeReason.NONDISCLOSURE_ORDER,
                          deadlines.delayed_notice(order.until, cal))
    if case.kind == CaseKind.PRESERVATION and case.legal_process_at is None:
        return NoticePlan(NoticeStatus.NOT_REQUIRED, NoticeReason.PRESERVATION_ONLY, None)
    if case.is_emergency:
        return NoticePlan(NoticeStatus.DEFERRED, NoticeReason.EMERGENCY,
                          deadlines.emergency_notice_review(now, policy, cal))
    return NoticePlan(NoticeStatus.PENDING, NoticeReason.LEAD_TIME, deadlines.disclosure_after_notice(
        now, case.submission.legal_basis.valid_until, policy, cal))
