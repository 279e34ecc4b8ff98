"""Terms-of-service referrals: a request that shows an ongoing violation of the provider's terms is
referred to the abuse team. The referral is an outbox message that the dispatcher holds back while any
notice is held or not allowed (`referral_held`), so that enforcement cannot tip the user off."""

from __future__ import annotations

from datetime import date

from ledesk.models.enums import OutboxChannel, Role
from ledesk.states.attempt import Attempt
from ledesk.states.case import CaseRecord
from ledesk.states.effects import Effects
from ledesk.states.errors import GuardRefused
from ledesk.states.messages import Message

MAY_REFER = (Role.REVIEWER,)  # asked by the service layer's role guard
HOLDS_REFERRAL = frozenset({"undecided", "deferred", "suppressed"})


def referral_held(notice_status: str | None, order_until: date | None, order_indefinite: bool, secret: bool,
                  today: date) -> str | None:
    """Why a referral must wait, or None when it may go. Enforcement on the account tells the user as
    surely as a notice would, so it waits while the user may not be told for any reason: a request secret
    by statute (CPA art. 215-2 staff confidentiality, PCSA arts. 11(2), 13-5: `secret`, for ever), a
    non-disclosure order still in force (whatever the notice's status says), a notice undecided, deferred
    or suppressed. `today` is the Seoul day an order's end date is read against."""
    if secret:
        return "the request is secret by statute (CPA art. 215-2, PCSA arts. 11(2), 13-5): never tip the user off"
    if order_indefinite:
        return "a non-disclosure order without an end is on record"
    if order_until is not None and order_until >= today:
        return f"a non-disclosure order is in force until {order_until.isoformat()}"
    if notice_status is None or notice_status in HOLDS_REFERRAL:
        return f"the user's notice is {notice_status or 'not decided'}"
    return None


def require_reason(attempt: Attempt) -> None:
    if not attempt.reason.strip():
        raise GuardRefused("has_reason", "say which terms the request shows being violated (--reason)")


def referral_effects(case: CaseRecord, attempt: Attempt) -> Effects:
    """The referral message to the abuse team (the outbox holds it while the user's notice is held)."""
    require_reason(attempt)
    message = Message("tos_referral", OutboxChannel.REFERRAL, attempt.policy.abuse_team_address,
                      f"[LE Desk] Terms-of-service referral ({case.case_id})",
                      f"Case {case.case_id} shows an ongoing violation of the terms of service:\n{attempt.reason}\n"
                      "Do not act on the account before this message reaches you: it is held back while the "
                      "user must not learn of the request.\n", letter=False)
    return Effects(messages=[message])
