"""What each trigger does besides moving the state: timers set and cancelled, letters and pages queued,
holds and notices changed. Pure: computed from the case, the attempt and what the case already has;
the engine writes all of it in the same transaction as the state change."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ledesk.models.enums import (
    CaseState,
    NoticeReason,
    NoticeStatus,
    RejectReason,
    TargetOutcome,
    TimerKind,
    Trigger,
)
from ledesk.models.submission import Submission
from ledesk.states import deadlines, messages
from ledesk.states.attempt import Attachment, Attempt
from ledesk.states.case import CaseRecord
from ledesk.states.messages import Message
from ledesk.states.notice import NonDisclosureOrder, NoticePlan
from ledesk.states.phrasing import english_date
from ledesk.states.regime import regime_as_process

ALL = "*"  # cancel every pending timer of the case


@dataclass(frozen=True)
class TimerPlan:
    kind: str
    due_at: datetime
    data: dict[str, Any] | None = None


@dataclass(frozen=True)
class HoldPlan:
    op: str  # create, extend, convert, release
    expires_at: datetime | None = None
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class NoticeUpdate:
    status: str
    reason: str
    due_at: datetime | None
    sent_at: datetime | None = None
    order: NonDisclosureOrder | None = None


@dataclass
class Related:
    """What the case already has in other tables, loaded by the engine when a trigger needs it."""

    hold_expires_at: datetime | None = None
    has_active_hold: bool = False   # active or extended: it can be extended or converted
    has_hold: bool = False          # any hold not yet released, converted ones included
    notice_status: str = NoticeStatus.UNDECIDED
    notice_due_at: datetime | None = None
    order: NonDisclosureOrder = field(default_factory=NonDisclosureOrder)


@dataclass
class Effects:
    changes: dict[str, Any] = field(default_factory=dict)
    timers: list[TimerPlan] = field(default_factory=list)
    cancel: set[str] = field(default_factory=set)
    messages: list[Message] = field(default_factory=list)
    hold: HoldPlan | None = None
    notice: NoticeUpdate | None = None
    callback: dict[str, Any] | None = None
    documents: list[Attachment] = field(default_factory=list)
    targets: list[tuple[str, str, str]] | None = None  # (type, normalised, raw) when they change
    target_outcome: str | None = None
    cancel_user_notices: bool = False
    audit: dict[str, Any] = field(default_factory=dict)


def _last_day(attempt: Attempt, deadline: datetime) -> str:
    """A deadline instant is the midnight that ends its last day; letters name that day."""
    return attempt.calendar.last_day(deadline).isoformat()


def _said_day(attempt: Attempt, deadline: datetime) -> str:
    """That day as an e-mail's text says it (`16 December 2026`); the letter's context keeps the ISO day."""
    return english_date(attempt.calendar.last_day(deadline))


def _closing(case: CaseRecord, attempt: Attempt, fx: Effects) -> Effects:
    fx.changes["closed_at"] = attempt.now
    fx.cancel.add(ALL)
    return fx


def _notice_followups(case: CaseRecord, plan: NoticePlan, attempt: Attempt, fx: Effects) -> None:
    """After disclosure: a deferred notice gets its timer; a suppressed one gets nothing, ever."""
    if plan.status == NoticeStatus.DEFERRED and plan.due_at is not None:
        kind = TimerKind.DELAYED_NOTICE if plan.reason == NoticeReason.NONDISCLOSURE_ORDER else TimerKind.NOTICE_REVIEW
        fx.timers.append(TimerPlan(kind, plan.due_at))


def _disclosure_letter(case: CaseRecord, attempt: Attempt, minimal: bool = False) -> Message:
    scope = "the minimum data needed to address the emergency" if minimal else "the data the legal process covers"
    scope_ko = "긴급 상황 대응에 필요한 최소한의 자료" if minimal else "법적 절차가 허용하는 범위의 자료"
    return messages.simple(
        "disclosure_cover", case, "Disclosure",
        f"Enclosed is {scope}. Under PIPA art. 18(5) we ask that you limit its use to the stated purpose "
        f"and method, and safeguard it. A SHA-256 manifest of every file accompanies the production.\n"
        f"{messages.WAIVER}", scope=scope, scope_ko=scope_ko)


# -- one function per trigger -------------------------------------------------------------------------
def flag_incomplete(case: CaseRecord, a: Attempt, rel: Related) -> Effects:
    items = a.deficiencies or [{"field": "reviewer", "message": a.reason.strip()}]
    deadline = deadlines.cure_deadline(a.now, a.policy, a.calendar)
    fx = Effects(changes={"deficiencies": items})
    fx.timers += [TimerPlan(TimerKind.CURE_DEADLINE, deadline),
                  TimerPlan(TimerKind.CURE_REMINDER, deadlines.cure_reminder(deadline, a.policy))]
    fx.messages.append(messages.deficiency(case, items, _last_day(a, deadline)))
    fx.audit = {"deficiencies": items, "cure_deadline": deadline.isoformat()}
    return fx


def cure(case: CaseRecord, a: Attempt, rel: Related) -> Effects:
    merged = a.merged
    assert merged is not None  # supplement_resolves_deficiencies holds
    fx = Effects(changes={"submission": merged, "deficiencies": []},
                 cancel={TimerKind.CURE_DEADLINE, TimerKind.CURE_REMINDER})
    if case.recommended_by and scope_of(merged) != scope_of(case.submission):
        # A recommendation covered the targets, categories and periods it read: new ones need four eyes again.
        fx.changes.update(VOID_RECOMMENDATION)
        fx.audit = {"recommendation_void": "the supplement changed the targets, categories or periods"}
    fx.targets = target_rows(merged)
    assert a.attachment is not None
    fx.documents.append(Attachment(a.attachment.filename, a.attachment.content, "supplement"))
    fx.messages.append(messages.simple("supplement_received", case, "Supplement received",
                                       f"Your supplement completes the request.\n{messages.WAIVER}"))
    if merged.respond_by:
        fx.cancel.add(TimerKind.RESPONSE_DUE)
        fx.timers.append(TimerPlan(TimerKind.RESPONSE_DUE, deadlines.response_due(merged.respond_by, a.calendar)))
    return fx


def preserve(case: CaseRecord, a: Attempt, rel: Related) -> Effects:
    rule = a.policy.preservation_rule(case.regime)
    expiry = deadlines.preservation_expiry(a.now, rule, a.calendar)
    # The confirmation answers the authority, so its response-due reminder is done.
    fx = Effects(hold=HoldPlan("create", expiry, tuple(case.categories)), cancel={TimerKind.RESPONSE_DUE})
    fx.timers += [TimerPlan(TimerKind.PRESERVATION_EXPIRY, expiry),
                  TimerPlan(TimerKind.EXPIRY_WARNING, deadlines.expiry_warning(expiry, a.policy))]
    fx.messages.append(messages.simple(
        "preservation_confirmation", case, "Preservation confirmed",
        f"The records named in your request are preserved until the end of {_said_day(a, expiry)} "
        f"(Asia/Seoul). If no legal process arrives by then, the preserved data is deleted.\n{messages.WAIVER}",
        expiry=_last_day(a, expiry)))
    fx.audit = {"expires_at": expiry.isoformat(), "days": rule.days}
    return fx


def extend(case: CaseRecord, a: Attempt, rel: Related) -> Effects:
    rule = a.policy.preservation_rule(case.regime)
    current = rel.hold_expires_at or deadlines.preservation_expiry(case.received_at, rule, a.calendar)
    expiry = deadlines.extended_expiry(current, rule, a.calendar)
    fx = Effects(changes={"extensions_used": case.extensions_used + 1}, hold=HoldPlan("extend", expiry),
                 cancel={TimerKind.PRESERVATION_EXPIRY, TimerKind.EXPIRY_WARNING})
    fx.timers += [TimerPlan(TimerKind.PRESERVATION_EXPIRY, expiry),
                  TimerPlan(TimerKind.EXPIRY_WARNING, deadlines.expiry_warning(expiry, a.policy))]
    if a.attachment is not None:
        fx.documents.append(Attachment(a.attachment.filename, a.attachment.content, "court_permission"))
    fx.messages.append(messages.simple("extension_confirmation", case, "Preservation extended",
                                       f"The preservation now runs until the end of {_said_day(a, expiry)}.",
                                       expiry=_last_day(a, expiry)))
    fx.audit = {"expires_at": expiry.isoformat(), "previous_expiry": current.isoformat()}
    return fx


def require_legal_process(case: CaseRecord, a: Attempt, rel: Related) -> Effects:
    deadline = deadlines.legal_process_deadline(a.now, a.policy, a.calendar)
    fx = Effects(changes={"internal_note": a.reason}, timers=[TimerPlan(TimerKind.LEGAL_PROCESS_DEADLINE, deadline)],
                 cancel={TimerKind.RESPONSE_DUE})
    if case.is_foreign_direct:
        fx.messages.append(messages.simple(
            "mlat_redirect", case, "Request must come through MLAT",
            "A foreign authority's request must reach us through mutual legal assistance via the Korean "
            f"government. Please use that channel.\n{messages.WAIVER}"))
    else:
        fx.messages.append(messages.simple(
            "legal_process_required", case, "Legal process required",
            f"We need sufficient legal process before we can answer; we will wait until the end of "
            f"{_said_day(a, deadline)}.\n{messages.WAIVER}", deadline=_last_day(a, deadline)))
    return fx


# New legal process needs its own recommendation and approval by two people.
VOID_RECOMMENDATION = {"recommended_by": None, "recommendation_reason": None, "recommended_at": None,
                       "approved_by": None}


def attach_legal_process(case: CaseRecord, a: Attempt, rel: Related) -> Effects:
    # With legal process the user's notice is a live question again, decided at approval.
    fx = Effects(changes={"legal_process_at": a.now, **VOID_RECOMMENDATION},
                 cancel={TimerKind.PRESERVATION_EXPIRY, TimerKind.EXPIRY_WARNING, TimerKind.LEGAL_PROCESS_DEADLINE},
                 notice=NoticeUpdate(NoticeStatus.UNDECIDED, NoticeReason.NONE, None))
    merged = a.merged
    if merged is not None:
        fx.changes["submission"] = merged
        fx.changes["regime"] = regime_as_process(merged, case.country).value
        fx.targets = target_rows(merged)
    if rel.has_active_hold:
        fx.hold = HoldPlan("convert")
    assert a.attachment is not None
    fx.documents.append(Attachment(a.attachment.filename, a.attachment.content, "legal_process"))
    fx.messages.append(messages.simple("legal_process_received", case, "Legal process received",
                                       f"Your legal process was received and is under review.\n{messages.WAIVER}"))
    return fx


def recommend_disclosure(case: CaseRecord, a: Attempt, rel: Related) -> Effects:
    return Effects(changes={"recommended_by": a.actor, "recommendation_reason": a.reason, "recommended_at": a.now})


def send_back(case: CaseRecord, a: Attempt, rel: Related) -> Effects:
    """The approver returns the recommendation: void, with the why told to the legal team, not the authority."""
    fx = Effects(changes=dict(VOID_RECOMMENDATION))
    fx.messages.append(messages.internal("sent_back", case, a.policy,
                                         f"Recommendation sent back by {a.actor}: {a.reason}"))
    fx.audit = {"recommended_by": case.recommended_by}
    return fx


def acknowledge(case: CaseRecord, a: Attempt, rel: Related) -> Effects:
    return Effects()  # the engine records acknowledged_at for the first human step, this one included


def approve_disclosure(case: CaseRecord, a: Attempt, rel: Related) -> Effects:
    plan = a.notice_plan
    assert plan is not None  # engine.prepare decides it for every approval
    fx = Effects(changes={"approved_by": a.actor})
    if plan.status == NoticeStatus.PENDING:
        assert plan.due_at is not None
        fx.notice = NoticeUpdate(plan.status, plan.reason, plan.due_at, sent_at=a.now)
        # The day named is the day the lead time ends and the disclosure happens, never a day before it:
        # the user reads exactly from when the data may be provided.
        fx.messages += messages.user_notices(case, a.policy, provide_on=a.calendar.local_date(plan.due_at))
        fx.timers.append(TimerPlan(TimerKind.NOTICE_LEAD_TIME, plan.due_at))
        fx.audit = {"notice": plan.status.value, "disclose_at": plan.due_at.isoformat()}
        return fx
    fx.notice = NoticeUpdate(plan.status, plan.reason, plan.due_at)
    fx.messages.append(_disclosure_letter(case, a))
    fx.target_outcome = TargetOutcome.PRODUCE
    _closing(case, a, fx)
    _notice_followups(case, plan, a, fx)
    fx.audit = {"notice": plan.status.value, "notice_reason": plan.reason.value}
    return fx


def disclose(case: CaseRecord, a: Attempt, rel: Related) -> Effects:
    if case.state == CaseState.AWAITING_LEGAL_PROCESS:  # routed here: the process lapsed in the lead time
        return _process_lapsed(case, a)
    fx = Effects(target_outcome=TargetOutcome.PRODUCE)
    fx.messages.append(_disclosure_letter(case, a))
    _closing(case, a, fx)
    if rel.notice_status == NoticeStatus.PENDING:
        fx.notice = NoticeUpdate(NoticeStatus.SENT, NoticeReason.LEAD_TIME, None)
    elif rel.notice_status == NoticeStatus.DEFERRED and rel.notice_due_at is not None:
        # An order arrived during the lead time: the notice waits for it to end.
        fx.timers.append(TimerPlan(TimerKind.DELAYED_NOTICE, rel.notice_due_at))
    return fx


def _process_lapsed(case: CaseRecord, a: Attempt) -> Effects:
    deadline = deadlines.legal_process_deadline(a.now, a.policy, a.calendar)
    fx = Effects(changes={"legal_process_at": None, **VOID_RECOMMENDATION},
                 timers=[TimerPlan(TimerKind.LEGAL_PROCESS_DEADLINE, deadline)])
    fx.messages.append(messages.simple(
        "legal_process_required", case, "Legal process lapsed",
        "The legal process lapsed before the data could be provided, so nothing was provided. Send valid legal "
        f"process by the end of {_said_day(a, deadline)}; the request lapses otherwise.\n{messages.WAIVER}",
        deadline=_last_day(a, deadline)))
    fx.audit = {"lapsed": True}
    return fx


def verify_callback(case: CaseRecord, a: Attempt, rel: Related) -> Effects:
    ok = not a.failed
    fx = Effects(callback={"actor": a.actor, "ok": ok, "details": a.reason, "at": a.now})
    if ok:
        fx.changes["callback_ok_by"] = a.actor
    else:
        fx.changes["callback_failed"] = True
        text = "SECURITY ALERT: emergency call-back failed; the request may come from a hijacked mailbox"
        fx.messages.append(messages.page("security_alert", case, a.policy.escalation_addresses[0], text))
        fx.messages.append(messages.internal("security_alert", case, a.policy, text))
    fx.audit = {"callback_ok": ok}
    return fx


def emergency_disclose(case: CaseRecord, a: Attempt, rel: Related) -> Effects:
    plan = a.notice_plan
    assert plan is not None  # engine.prepare decides it for every approval
    fx = Effects(changes={"approved_by": a.actor}, target_outcome=TargetOutcome.PRODUCE,
                 notice=NoticeUpdate(plan.status, plan.reason, plan.due_at))
    fx.messages.append(_disclosure_letter(case, a, minimal=True))
    followup = deadlines.emergency_followup(a.now, a.policy, a.calendar)
    fx.messages.append(messages.simple(
        "followup_documents_request", case, "Follow-up documents requested",
        f"Please send the supporting legal documents by the end of {_said_day(a, followup)}.",
        deadline=_last_day(a, followup)))
    _closing(case, a, fx)
    fx.timers.append(TimerPlan(TimerKind.EMERGENCY_FOLLOWUP, followup))
    _notice_followups(case, plan, a, fx)
    return fx


def reject_reason_code(reason: str) -> str:
    head = reason.split(":", 1)[0].strip()
    return head if head in {r.value for r in RejectReason} else RejectReason.OTHER.value


def reject(case: CaseRecord, a: Attempt, rel: Related) -> Effects:
    code = reject_reason_code(a.reason)
    # The requester sees the reason code only; the reviewer's words stay internal.
    fx = Effects(changes={"reject_reason": code, "internal_note": a.reason}, target_outcome=TargetOutcome.REJECTED,
                 notice=NoticeUpdate(NoticeStatus.NOT_REQUIRED, NoticeReason.NONE, None),
                 cancel_user_notices=True)
    if rel.has_hold:
        fx.hold = HoldPlan("release")
    fx.messages.append(messages.simple("rejection", case, "Request declined",
                                       f"The request is declined: {messages.reject_reason(code)}.\n"
                                       f"다음 사유로 요청을 거절합니다: {messages.reject_reason(code, 'ko')}.\n"
                                       f"{messages.WAIVER}",
                                       reason=messages.reject_reason(code),
                                       reason_ko=messages.reject_reason(code, "ko"), reason_code=code))
    fx.audit = {"reason_code": code}
    return _closing(case, a, fx)


def expire(case: CaseRecord, a: Attempt, rel: Related) -> Effects:
    fx = Effects()
    if rel.notice_status != NoticeStatus.NOT_REQUIRED:
        fx.notice = NoticeUpdate(NoticeStatus.NOT_REQUIRED, NoticeReason.NONE, None)
    if rel.has_hold:
        fx.hold = HoldPlan("release")
        fx.messages.append(messages.simple("release", case, "Preservation ended",
                                           "No legal process arrived before the preservation period ended; "
                                           "the preserved data will be deleted."))
    else:
        fx.messages.append(messages.simple("lapsed", case, "Request lapsed",
                                           "The request lapsed: what was needed did not arrive in time."))
    return _closing(case, a, fx)


EFFECTS: dict[str, Callable[[CaseRecord, Attempt, Related], Effects]] = {
    Trigger.FLAG_INCOMPLETE: flag_incomplete, Trigger.CURE: cure, Trigger.PRESERVE: preserve,
    Trigger.EXTEND: extend, Trigger.REQUIRE_LEGAL_PROCESS: require_legal_process,
    Trigger.ATTACH_LEGAL_PROCESS: attach_legal_process, Trigger.RECOMMEND_DISCLOSURE: recommend_disclosure,
    Trigger.APPROVE_DISCLOSURE: approve_disclosure, Trigger.SEND_BACK: send_back, Trigger.DISCLOSE: disclose,
    Trigger.ACKNOWLEDGE: acknowledge, Trigger.VERIFY_CALLBACK: verify_callback,
    Trigger.EMERGENCY_DISCLOSE: emergency_disclose,
    Trigger.REJECT: reject, Trigger.EXPIRE: expire,
}


def scope_of(submission: Submission) -> tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str, str]]]:
    """What a recommendation covers: the targets (normalised) and each category with its period."""
    from ledesk.states.targets import normalise

    return (frozenset((str(t.type), normalise(str(t.type), t.value)) for t in submission.targets),
            frozenset((str(d.category), str(d.from_ or ""), str(d.to or "")) for d in submission.data_requested))


def target_rows(submission: Submission) -> list[tuple[str, str, str]]:
    """(type, normalised value, value as given) of each target."""
    from ledesk.states.targets import normalise

    return [(str(t.type), normalise(str(t.type), t.value), t.value) for t in submission.targets]
