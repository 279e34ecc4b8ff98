"""Named rules. Each one either holds or raises GuardRefused naming itself, so a refused reviewer reads
why. Routes are the silent conditions that choose a destination; they never refuse."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ledesk.models.enums import CaseKind, Instrument, NoticeStatus, Regime
from ledesk.models.submission import Submission
from ledesk.states import process, roles
from ledesk.states.attempt import Attempt
from ledesk.states.case import CaseRecord
from ledesk.states.errors import GuardRefused

if TYPE_CHECKING:
    from ledesk.states.machine import Rule

Guard = Callable[[CaseRecord, Attempt], str | None]  # returns the refusal message, or None when it holds
GUARDS: dict[str, Guard] = {}
# Guards that depend only on the case and policy, not on who acts or what they bring: these decide
# which triggers a case offers at all (allowed_triggers).
STATIC: set[str] = set()


def guard(name: str, *, static: bool = False) -> Callable[[Guard], Guard]:
    def register(fn: Guard) -> Guard:
        GUARDS[name] = fn
        if static:
            STATIC.add(name)
        return fn

    return register


def check(name: str, case: CaseRecord, attempt: Attempt) -> None:
    message = GUARDS[name](case, attempt)
    if message is not None:
        raise GuardRefused(name, message)


def holds(name: str, case: CaseRecord, attempt: Attempt) -> bool:
    return GUARDS[name](case, attempt) is None


def check_role(rule: Rule, attempt: Attempt) -> None:
    roles.require(attempt.actor, attempt.roles, rule.by, rule.trigger)


# -- kind and regime ----------------------------------------------------------------------------------
@guard("not_emergency", static=True)
def _not_emergency(case: CaseRecord, _a: Attempt) -> str | None:
    return "emergencies take the emergency path, never this one" if case.is_emergency else None


@guard("emergency_kind", static=True)
def _emergency_kind(case: CaseRecord, _a: Attempt) -> str | None:
    return None if case.is_emergency else "only an emergency request takes this step"


@guard("not_acknowledged", static=True)
def _not_acknowledged(case: CaseRecord, _a: Attempt) -> str | None:
    if case.acknowledged_at is None:
        return None
    return f"acknowledged already, at {case.acknowledged_at.isoformat(timespec='minutes')}"


@guard("preservation_kind", static=True)
def _preservation_kind(case: CaseRecord, _a: Attempt) -> str | None:
    return None if case.kind == CaseKind.PRESERVATION else "only a preservation request can be preserved"


@guard("regime_allows_preservation", static=True)
def _regime_allows_preservation(case: CaseRecord, a: Attempt) -> str | None:
    if case.regime in a.policy.preservation:
        return None
    return f"regime {case.regime} has no preservation rule in policy"


@guard("not_foreign_direct", static=True)
def _not_foreign_direct(case: CaseRecord, _a: Attempt) -> str | None:
    if case.is_foreign_direct:
        return ("a foreign authority's direct request is never disclosed: it must come through MLAT via the "
                "Korean government")
    return None


# -- what the actor brings ----------------------------------------------------------------------------
@guard("has_reason")
def _has_reason(_c: CaseRecord, a: Attempt) -> str | None:
    return None if a.reason.strip() else f"{a.trigger} needs a reason (--reason)"


@guard("has_deficiency")
def _has_deficiency(_c: CaseRecord, a: Attempt) -> str | None:
    if a.deficiencies or a.reason.strip():
        return None
    return "name at least one deficiency (--reason) so the authority knows what to cure"


@guard("supplement_attached")
def _supplement_attached(_c: CaseRecord, a: Attempt) -> str | None:
    if a.attachment is None or a.attachment.as_json() is None:
        return "attach the supplement as a JSON document (--attach FILE.json)"
    return None


@guard("supplement_resolves_deficiencies")
def _supplement_resolves(case: CaseRecord, a: Attempt) -> str | None:
    from ledesk.states.completeness import deficiencies

    if a.merged is None:
        return f"the supplement is not a valid partial submission: {a.merge_error}"
    remaining = deficiencies(a.merged, a.calendar.local_date(a.now), statutory=case.regime == Regime.KR_CPA215_2)
    if remaining:
        return "still missing: " + "; ".join(f"{d['field']} ({d['message']})" for d in remaining)
    return None


@guard("legal_process_document_attached")
def _legal_process_attached(case: CaseRecord, a: Attempt) -> str | None:
    if a.attachment is None:
        return "attach the legal-process document (--attach FILE)"
    if a.merge_error is not None:
        return f"the legal-process document is not a valid partial submission: {a.merge_error}"
    return None


def _process(case: CaseRecord, a: Attempt) -> Submission:
    """The legal process the attempt brings (the attached supplement merged in), else the case's own."""
    return a.merged if a.merged is not None else case.submission


def _process_regime(case: CaseRecord, a: Attempt) -> str:
    if a.merged is None:
        return case.regime
    from ledesk.states.regime import regime_as_process

    return regime_as_process(a.merged, case.country).value


@guard("legal_process_executable")
def _legal_process_executable(case: CaseRecord, a: Attempt) -> str | None:
    """An instrument the provider can execute: not a preservation request, not a foreign authority's own
    warrant sent directly (MLAT is the channel), and one that policy lets disclose something."""
    return process.not_executable(_process(case, a), _process_regime(case, a), a.policy)


@guard("legal_process_valid_now")
def _legal_process_valid_now(case: CaseRecord, a: Attempt) -> str | None:
    return process.invalid_now(_process(case, a).legal_basis, a.calendar.local_date(a.now), a.policy)


@guard("legal_process_names_case_target")
def _legal_process_names_target(case: CaseRecord, a: Attempt) -> str | None:
    return process.names_no_target(_process(case, a), case.submission)


@guard("court_permission_if_required")
def _court_permission(case: CaseRecord, a: Attempt) -> str | None:
    rule = a.policy.preservation.get(case.regime)
    if rule is None or not rule.extension_needs_court_permission:
        return None
    # CPA art. 215-2(3): the one extension needs the court's permission, not a prosecutor's own renewal.
    needed = f"a {case.regime} extension needs the court-permission document (--attach FILE.json or the form)"
    if a.attachment is None:
        return needed
    if a.merged is None:
        return f"{needed}: the attachment states no legal basis to check"
    basis = a.merged.legal_basis
    if basis.instrument != Instrument.COURT_PERMISSION:
        return f"{needed}; the attachment is a {basis.instrument or 'document without an instrument'}"
    if not process.issued_by_court(basis.issued_by):
        return f"{needed}; it was issued by {basis.issued_by or 'nobody named'}, not by a court"
    return process.invalid_now(basis, a.calendar.local_date(a.now), a.policy)


# -- preservation -------------------------------------------------------------------------------------
@guard("preservation_attested", static=True)
def _preservation_attested(case: CaseRecord, _a: Attempt) -> str | None:
    p = case.submission.preservation
    missing = [label for given, label in ((p and p.on_letterhead, "on letterhead"),
                                          (p and p.signed_or_sealed, "signed or sealed")) if not given]
    # CPA art. 215-2 preserves at once: the steps statement applies only "to the extent permitted".
    statutory = case.regime == Regime.KR_CPA215_2
    if not statutory and (p is None or not p.steps_to_obtain_legal_process.strip()):
        missing.append("a statement of the steps being taken to obtain legal process")
    return f"the preservation request must be {', '.join(missing)}" if missing else None


@guard("no_repeat_statutory_request")
def _no_repeat(case: CaseRecord, a: Attempt) -> str | None:
    rule = a.policy.preservation.get(case.regime)
    if rule is None or rule.repeat_request_allowed:
        return None
    earlier = a.repeat_statutory_preservation()
    if earlier:
        return f"{case.regime} allows no repeat request for the same data; already preserved under {earlier}"
    return None


@guard("extension_available", static=True)
def _extension_available(case: CaseRecord, a: Attempt) -> str | None:
    rule = a.policy.preservation.get(case.regime)
    if rule is None or case.extensions_used >= rule.max_extensions:
        allowed = 0 if rule is None else rule.max_extensions
        return f"{case.regime} allows {allowed} extension(s) and {case.extensions_used} already used"
    return None


@guard("preservation_not_ended")
def _preservation_not_ended(case: CaseRecord, a: Attempt) -> str | None:
    """A period that has ended cannot be extended, whether or not the sweep has expired the case yet."""
    if a.hold_expires_at is not None and a.now >= a.hold_expires_at:
        return (f"the preservation ended at the end of {a.calendar.last_day(a.hold_expires_at).isoformat()}; "
                "an ended period cannot be extended")
    return None


@guard("statutory_regime_in_force", static=True)
def _statutory_in_force(case: CaseRecord, a: Attempt) -> str | None:
    """CPA art. 215-2 binds only from its entry into force (Act No. 21241, in force 2026-06-30)."""
    rule = a.policy.preservation.get(case.regime)
    if rule is None or rule.in_force_from is None:
        return None
    received = a.calendar.local_date(case.received_at)
    if received < rule.in_force_from:
        return (f"{case.regime} is in force only from {rule.in_force_from.isoformat()} and this request arrived "
                f"on {received.isoformat()}: send it as a voluntary preservation request instead")
    return None


# -- disclosure ---------------------------------------------------------------------------------------
@guard("recommended", static=True)
def _recommended(case: CaseRecord, _a: Attempt) -> str | None:
    return None if case.recommended_by else "nobody has recommended disclosure yet"


@guard("recommended_by_other")
def _recommended_by_other(case: CaseRecord, a: Attempt) -> str | None:
    if case.recommended_by == a.actor:
        return f"{a.actor} recommended this disclosure and cannot also approve it: a second person must"
    return None


@guard("tba83_policy_allows", static=True)
def _tba83(case: CaseRecord, a: Attempt) -> str | None:
    if case.regime != Regime.KR_TBA83:
        return None
    if not a.policy.tba83.comply:
        return "policy declines subscriber-data requests without a warrant (TBA art. 83(3) is discretionary)"
    not_listed = _tba83_requester(case, a)
    if not_listed is not None:
        return not_listed
    rank = case.submission.approver.rank.strip().casefold()
    accepted = {r.casefold() for r in a.policy.tba83.approver_ranks}
    if rank not in accepted:
        return (f"the authority's approver rank {rank or '(none)'!r} is below what TBA Decree 53(5) "
                "requires (Superintendent or station head, prosecutor, judge, grade-4 official)")
    return None


def _tba83_requester(case: CaseRecord, a: Attempt) -> str | None:
    """TBA art. 83(3) names who may request subscriber data: a court, a prosecutor, the head of an
    investigative agency, the National Tax Service, the head of an intelligence agency. The allow-list's
    type of the authority decides (None: not read, as when the buttons are drawn; the firing reads it)."""
    rule = a.policy.tba83
    kind = a.authority_type()
    if kind is None or kind in rule.requester_types:
        return None
    domain = case.authority_domain.casefold()
    if any(domain == d or domain.endswith("." + d) for d in rule.requester_domains):
        return None
    return (f"TBA art. 83(3) lets only a court, a prosecutor, the head of an investigative agency, the National "
            f"Tax Service or the head of an intelligence agency request subscriber data; {case.authority_domain} "
            f"is a {kind}")


@guard("instrument_suffices", static=True)
def _instrument_suffices(case: CaseRecord, a: Attempt) -> str | None:
    instrument = case.instrument
    if not case.has_disclosure_instrument or instrument is None:
        return f"the case carries no legal process that permits disclosure (instrument: {instrument or 'none'})"
    allowed = set(a.policy.instruments.get(instrument, []))
    short = sorted({c for c in case.categories if c not in allowed})
    if short:
        return f"a {instrument} does not suffice for {', '.join(short)}"
    if not case.categories:
        return "the request names no data category to disclose"
    return process.not_court_issued(case.submission.legal_basis, a.policy)


@guard("warrant_not_spent")
def _warrant_not_spent(case: CaseRecord, a: Attempt) -> str | None:
    """A warrant is spent once executed (Supreme Court 99모161): a second request under the same warrant
    number for a target it was already executed on is refused, also when the first case is closed."""
    if case.instrument not in a.policy.legal_process.court_issued:
        return None
    earlier = a.warrant_executed_in()
    if earlier is None:
        return None
    return (f"warrant {case.submission.legal_basis.document_reference} was already executed for this target in "
            f"{earlier}; a warrant is spent once executed (Supreme Court 99모161): new process is needed")


@guard("legal_process_valid")
def _legal_process_valid(case: CaseRecord, a: Attempt) -> str | None:
    return process.invalid_now(case.submission.legal_basis, a.calendar.local_date(a.now), a.policy)


@guard("emergency_stated_and_certified", static=True)
def _emergency_stated(case: CaseRecord, _a: Attempt) -> str | None:
    """An emergency discloses only on a stated imminent danger (death, serious physical injury, harm to a
    child) that the officer certifies as true; anything less is a deficiency, however urgent it sounds."""
    e = case.submission.emergency
    missing = [what for given, what in ((e and e.nature, "the nature of the imminent danger (emergency.nature)"),
                                        (e and e.certified, "the officer's certification (emergency.certified)"))
               if not given]
    return f"the emergency request lacks {' and '.join(missing)}" if missing else None


@guard("lead_time_over")
def _lead_time_over(_c: CaseRecord, a: Attempt) -> str | None:
    if a.due_at is not None and a.now >= a.due_at:
        return None
    when = a.due_at.isoformat() if a.due_at else "unknown"
    return f"the user's notice lead time runs until {when}; disclosure must wait"


# -- emergency ----------------------------------------------------------------------------------------
@guard("no_failed_callback", static=True)
def _no_failed_callback(case: CaseRecord, _a: Attempt) -> str | None:
    if case.callback_failed:
        return "a call-back failed to confirm this request: it may come from a hijacked mailbox"
    return None


@guard("callback_verified", static=True)
def _callback_verified(case: CaseRecord, _a: Attempt) -> str | None:
    return None if case.callback_ok_by else "no successful out-of-band call-back is recorded"


@guard("callback_by_other")
def _callback_by_other(case: CaseRecord, a: Attempt) -> str | None:
    if case.callback_ok_by == a.actor:
        return f"{a.actor} made the call-back and cannot also disclose: a second person must"
    return None


# -- lapse --------------------------------------------------------------------------------------------
@guard("deadline_passed")
def _deadline_passed(_c: CaseRecord, a: Attempt) -> str | None:
    if a.due_at is not None and a.now >= a.due_at:
        return None
    return "no deadline of this case has passed"


@guard("no_legal_process_attached", static=True)
def _no_legal_process(case: CaseRecord, _a: Attempt) -> str | None:
    return None if case.legal_process_at is None else "legal process is attached: the case must not lapse"


# -- routes -------------------------------------------------------------------------------------------
ROUTES: dict[str, Callable[[CaseRecord, Attempt], bool]] = {
    "notice_pending": lambda _c, a: a.notice_status == NoticeStatus.PENDING,
    "notice_not_pending": lambda _c, a: a.notice_status != NoticeStatus.PENDING,
    # At the end of the lead time the process is checked again: a lapsed one does not disclose.
    "process_still_valid": lambda c, a: _legal_process_valid(c, a) is None,
    "process_lapsed": lambda c, a: _legal_process_valid(c, a) is not None,
}


def route(name: str, case: CaseRecord, attempt: Attempt) -> bool:
    return ROUTES[name](case, attempt)


def static_holds(rule: Rule, case: CaseRecord, attempt: Any) -> bool:
    return all(holds(name, case, attempt) for name in rule.guards if name in STATIC)
