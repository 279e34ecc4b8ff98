"""What counts as legal process: a document the provider can execute, valid now, naming a target of the
case. The same rules decide whether an attached document converts a preservation (stops its expiry),
whether an approval may proceed, and whether a disclosure at the end of the notice lead time still may."""

from __future__ import annotations

from datetime import date, timedelta

from ledesk.models.enums import Instrument, Regime
from ledesk.models.submission import LegalBasis, Submission
from ledesk.policy.schema import Policy
from ledesk.states.targets import normalise

NOT_PROCESS = frozenset({Instrument.PRESERVATION_REQUEST, Instrument.EMERGENCY})


def is_legal_process(instrument: str | None) -> bool:
    """The one rule for what names legal process: any instrument but none, a preservation request or an
    emergency request (which ask; they do not compel)."""
    return instrument is not None and instrument not in NOT_PROCESS


# How a court names itself: a warrant is issued by a judge (Constitution art. 12(3), CPA art. 215(1)), a
# communication-confirmation permission by a district court (PCSA art. 13(3)).
COURT_WORDS = ("court", "judge", "법원", "판사")


def issued_by_court(issuer: str) -> bool:
    text = issuer.casefold()
    return any(word in text for word in COURT_WORDS)


def not_court_issued(basis: LegalBasis, policy: Policy) -> str | None:
    """Why an instrument only a court may issue is not that instrument (a "warrant" from a police station or a
    prosecutors' office is not a warrant), or None. The one rule for "court-issued": conversion of a
    preservation, disclosure, an emergency's follow-up and a CPA 215-2 extension all ask it."""
    if basis.instrument not in policy.legal_process.court_issued:
        return None
    if issued_by_court(basis.issued_by):
        return None
    return (f"a {basis.instrument} is issued by a court (Constitution art. 12(3), CPA art. 215(1), PCSA art. "
            f"13(3)); this one names {basis.issued_by or 'no issuer'} (legal_basis.issued_by), so it is not "
            "legal process")


def last_valid_day(basis: LegalBasis, policy: Policy) -> date | None:
    """The last Seoul day the process may be executed: its own `valid_until`, else, for a court-issued
    instrument, its issue date plus the default validity (Rules on Criminal Procedure art. 178: a warrant
    is valid seven days unless the judge sets a longer period). None: the process names no end."""
    if basis.valid_until is not None:
        return basis.valid_until
    if basis.instrument in policy.legal_process.court_issued and basis.issued_on is not None:
        return basis.issued_on + timedelta(days=policy.legal_process.default_validity_days)
    return None


def invalid_now(basis: LegalBasis, today: date, policy: Policy) -> str | None:
    """Why the process may not be executed on `today`, or None when it may."""
    if basis.instrument in policy.legal_process.court_issued and basis.valid_until is None \
            and basis.issued_on is None:
        return (f"the {basis.instrument} states neither its issue date nor its last valid day, so its validity "
                "cannot be checked (legal_basis.issued_on or legal_basis.valid_until)")
    last = last_valid_day(basis, policy)
    if last is not None and today > last:
        return f"the legal process was valid until {last.isoformat()} and has lapsed"
    return None


def not_executable(process: Submission, regime: str, policy: Policy) -> str | None:
    """Why the instrument is not one the provider can execute, or None when it is."""
    instrument = process.legal_basis.instrument
    if instrument is None or not is_legal_process(instrument):
        return "the document names no legal process (legal_basis.instrument)"
    not_court = not_court_issued(process.legal_basis, policy)
    if not_court is not None:
        return not_court
    if regime == Regime.FOREIGN_DIRECT:
        return ("a foreign authority's own process is not executable here: it must come through mutual legal "
                "assistance via the Korean government (MLAT)")
    if not policy.instruments.get(instrument):
        return f"a {instrument} permits the disclosure of no data category under policy"
    return None


def target_keys(sub: Submission) -> set[tuple[str, str]]:
    """Each target as (type, normalised identifier): how targets are matched, never by list position."""
    return {(str(t.type), normalise(str(t.type), t.value)) for t in sub.targets}


def names_no_target(process: Submission, case_submission: Submission) -> str | None:
    if target_keys(process) & target_keys(case_submission):
        return None
    return "the legal process names none of the case's targets"
