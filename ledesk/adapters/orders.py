"""The commands that keep a case's state, read and written in the caller's transaction: a non-disclosure
order, the follow-up legal process of a disclosed emergency, a terms-of-service referral. What each does is
decided by the pure rules (states.nondisclosure, states.followup, states.referral)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, select

from ledesk.adapters.store import load_case, record, related
from ledesk.models.enums import OutboxChannel, OutboxStatus
from ledesk.models.tables import outbox, productions
from ledesk.states.attempt import Attachment, Attempt
from ledesk.states.case import CaseRecord
from ledesk.states.followup import followup_effects
from ledesk.states.nondisclosure import order_effects
from ledesk.states.referral import referral_effects, require_reason
from ledesk.states.step import Step


def record_order(conn: Connection, case_id: str, until: date | None, indefinite: bool, attempt: Attempt,
                 attachment: Attachment | None = None, reference: str = "") -> CaseRecord:
    case = load_case(conn, case_id, lock=True)
    rel = related(conn, [case_id])[case_id]
    delivered = conn.execute(select(outbox.c.id).where(
        outbox.c.case_id == case_id, outbox.c.channel == OutboxChannel.USER_NOTICE,
        outbox.c.status == OutboxStatus.SENT).limit(1)).first() is not None
    fx = order_effects(case, rel, until, indefinite, attempt, attachment, reference, delivered)
    record(conn, case, Step("nondisclosure", case.state, case.state, attempt.actor, attempt.now, attempt.reason, fx))
    return load_case(conn, case_id)


def attach_followup(conn: Connection, case_id: str, attempt: Attempt, attachment: Attachment | None) -> CaseRecord:
    case = load_case(conn, case_id, lock=True)
    released = conn.execute(select(productions.c.categories).where(productions.c.case_id == case_id)).scalar()
    fx = followup_effects(case, attempt, attachment, None if released is None else list(released))
    record(conn, case, Step("followup_legal_process", case.state, case.state, attempt.actor, attempt.now,
                            attempt.reason, fx))
    return load_case(conn, case_id)


def refer(conn: Connection, case_id: str, attempt: Attempt) -> CaseRecord:
    require_reason(attempt)  # before the case is read: a referral without a reason is refused for any case
    case = load_case(conn, case_id, lock=True)
    record(conn, case, Step("tos_referral", case.state, case.state, attempt.actor, attempt.now, attempt.reason,
                            referral_effects(case, attempt)))
    return load_case(conn, case_id)
