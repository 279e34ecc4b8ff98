"""The follow-up legal process of a disclosed emergency (the guidelines: supporting documents may be
required, without delaying the answer). It is stored with the case and checked like any legal process;
it stops the follow-up alert and the transparency report counts it. The case stays disclosed: an
obligation after disclosure is a timer and a document, not a state."""

from __future__ import annotations

from ledesk.models.enums import CaseKind, CaseState, TimerKind
from ledesk.models.submission import SubmissionError, merge_supplement
from ledesk.policy.schema import Policy
from ledesk.states import messages, process, scope
from ledesk.states.attempt import Attachment, Attempt
from ledesk.states.case import CaseRecord
from ledesk.states.effects import Effects
from ledesk.states.errors import GuardRefused
from ledesk.states.regime import regime_as_process

MAY_ATTACH_FOLLOWUP = ("reviewer", "approver")


def not_covering(process_instrument: str | None, released: list[str], policy: Policy) -> str | None:
    """Why a follow-up instrument does not cover what the emergency released, or None. It must be the
    instrument the release needed: a district court's permission (or a warrant) for communication-confirmation
    data (PCSA art. 13(3) proviso: permission "without delay" after an urgent request), and for the rest an
    instrument that permits each category released."""
    instrument = process_instrument or ""
    named = instrument or "document without an instrument"
    covers = set(policy.instruments.get(instrument, []))
    cc = scope.communication_confirmation(released, policy)
    if cc and instrument not in policy.communication_confirmation.followup_instruments:
        return (f"the emergency released communication-confirmation data ({', '.join(cc)}): its follow-up must be "
                f"a district court's permission (PCSA art. 13(3) proviso), not a {named}; the follow-up alert "
                "continues")
    short = sorted(c for c in released if c not in covers)
    if short:
        return (f"a {named} does not cover what the emergency released "
                f"({', '.join(short)}); the follow-up alert continues")
    return None


def checked(case: CaseRecord, attempt: Attempt, attachment: Attachment | None,
            released: list[str] | None = None) -> None:
    """Refuse, naming the rule, unless this is legal process that follows up this disclosed emergency and
    covers what it released (`released`: the production's categories; None: what the rules release)."""
    if case.kind != CaseKind.EMERGENCY:
        raise GuardRefused("emergency_kind", "follow-up documents belong to an emergency request")
    if case.state != CaseState.DISCLOSED:
        raise GuardRefused("emergency_disclosed", "follow-up legal process comes after the emergency disclosure; "
                                                  f"this emergency is {case.state}")
    if attachment is None or attachment.as_json() is None:
        raise GuardRefused("legal_process_document_attached", "attach the follow-up legal process with its legal "
                                                              "basis (--attach FILE.json)")
    try:
        merged = merge_supplement(case.submission, attachment.as_json() or {})
    except SubmissionError as exc:
        raise GuardRefused("legal_process_document_attached", f"not a valid partial submission: {exc}") from None
    for rule, refusal in (
            ("legal_process_executable", process.not_executable(merged, regime_as_process(merged, case.country),
                                                                attempt.policy)),
            ("legal_process_valid_now", process.invalid_now(merged.legal_basis,
                                                            attempt.calendar.local_date(attempt.now), attempt.policy)),
            ("legal_process_names_case_target", process.names_no_target(merged, case.submission)),
            ("followup_covers_release", not_covering(
                merged.legal_basis.instrument,
                scope.released(case, attempt.policy) if released is None else released, attempt.policy))):
        if refusal is not None:
            raise GuardRefused(rule, refusal)


def followup_effects(case: CaseRecord, attempt: Attempt, attachment: Attachment | None,
                     released: list[str] | None = None) -> Effects:
    """What attaching the follow-up legal process does: checked, stored, the follow-up alert stopped."""
    checked(case, attempt, attachment, released)
    assert attachment is not None
    basis = (attachment.as_json() or {}).get("legal_basis") or {}
    fx = Effects(changes={"legal_process_at": attempt.now}, cancel={TimerKind.EMERGENCY_FOLLOWUP},
                 documents=[Attachment(attachment.filename, attachment.content, "legal_process")],
                 audit={"instrument": basis.get("instrument"), "document_reference": basis.get("document_reference")})
    fx.messages.append(messages.simple("legal_process_received", case, "Follow-up legal process received",
                                       f"Your follow-up legal process was received.\n{messages.WAIVER}"))
    return fx
