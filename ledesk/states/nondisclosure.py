"""Recording a non-disclosure order (new or extended) and re-planning the user notice.

It is not a state change, but it is written like one: audit event, timers and outbox in one transaction."""

from __future__ import annotations

from datetime import date

from ledesk.models.enums import CaseState, NoticeReason, NoticeStatus, Role, TimerKind
from ledesk.states.attempt import Attachment, Attempt
from ledesk.states.case import CaseRecord
from ledesk.states.effects import Effects, NoticeUpdate, Related, TimerPlan
from ledesk.states.notice import NonDisclosureOrder, decide

# Who may record an order (the service layer asks the role guard before recording one).
MAY_RECORD_ORDER = (Role.REVIEWER, Role.APPROVER)


def order_effects(case: CaseRecord, rel: Related, until: date | None, indefinite: bool, attempt: Attempt,
                  attachment: Attachment | None, reference: str, notice_delivered: bool) -> Effects:
    """What recording a new or extended order does to the case. `reference` is the order's number; an
    attached order document documents it too. An indefinite order without either is a wish, not an order
    (notice.decide). `notice_delivered`: a user notice of the case has already left the outbox."""
    if attachment is not None and not reference:
        reference = f"order document {attachment.filename} (SHA-256 {attachment.sha256[:16]})"
    order = NonDisclosureOrder(until=until, indefinite=indefinite, reference=reference or rel.order.reference)
    plan = decide(case, order, attempt.now, attempt.policy, attempt.calendar)
    fx = Effects(cancel={TimerKind.DELAYED_NOTICE, TimerKind.NOTICE_REVIEW},
                 audit={"until": until.isoformat() if until else None, "indefinite": indefinite})
    if attachment is not None:
        fx.documents.append(Attachment(attachment.filename, attachment.content, "nondisclosure_order"))
    if rel.notice_status == NoticeStatus.SENT or notice_delivered:
        # Too late to stop a delivered notice; keep the order on record and say so.
        fx.notice = NoticeUpdate(NoticeStatus.SENT, NoticeReason.NONE, None, order=order)
        fx.audit["warning"] = "the user notice had already been sent"
    elif plan.status in (NoticeStatus.SUPPRESSED, NoticeStatus.DEFERRED):
        # An undelivered notice is stopped in the outbox before it can leave.
        fx.cancel_user_notices = True
        fx.notice = NoticeUpdate(plan.status, plan.reason, plan.due_at, order=order)
        if plan.status == NoticeStatus.DEFERRED and plan.due_at is not None and case.state == CaseState.DISCLOSED:
            kind = TimerKind.DELAYED_NOTICE if plan.reason == NoticeReason.NONDISCLOSURE_ORDER else \
                TimerKind.NOTICE_REVIEW
            fx.timers.append(TimerPlan(kind, plan.due_at))
    else:
        fx.notice = NoticeUpdate(rel.notice_status, NoticeReason.NONE, None, order=order)
    return fx
