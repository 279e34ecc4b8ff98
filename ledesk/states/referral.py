"""Terms-of-service referrals: a request that shows an ongoing violation of the provider's terms is
referred to the abuse team. The referral is an outbox message that the dispatcher holds back while the
user's notice is undecided, deferred or suppressed, so that enforcement cannot tip the user off."""

from __future__ import annotations

from ledesk.models.enums import OutboxChannel, Role
from ledesk.states.attempt import Attempt
from ledesk.states.case import CaseRecord
from ledesk.states.effects import Effects
from ledesk.states.errors import GuardRefused
from ledesk.states.messages import Message

MAY_REFER = (Role.REVIEWER,)  # asked by the service layer's role guard
HOLDS_REFERRAL = frozenset({"undecided", "deferred", "suppressed"})


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
