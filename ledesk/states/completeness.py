"""What makes a request complete enough to review. Every missing item is named, so one deficiency
letter asks for everything at once."""

from __future__ import annotations

from datetime import date

from ledesk.models.enums import CaseKind, Instrument
from ledesk.models.submission import Submission

Deficiency = dict[str, str]


def _need(found: list[Deficiency], field: str, value: object, message: str) -> None:
    if value is None or (isinstance(value, str) and not value.strip()) or value == []:
        found.append({"field": field, "message": message})


def emergency_deficiencies(sub: Submission) -> list[Deficiency]:
    """What an emergency must state before anything is disclosed: the nature of the imminent danger and
    the officer's certification that it is true. They never hold the request back (it is answered at
    once), but the disclosure waits for them (guard emergency_stated_and_certified)."""
    found: list[Deficiency] = []
    e = sub.emergency
    if e is None or e.nature is None:
        found.append({"field": "emergency.nature",
                      "message": "the nature of the imminent danger (death, serious physical injury, harm to a child)"})
    if e is None or not e.certified:
        found.append({"field": "emergency.certified",
                      "message": "the officer's certification that the facts stated are true"})
    return found


def statutory_notes(sub: Submission) -> list[Deficiency]:
    """What a CPA art. 215-2 request lacks of the items that apply to it only "to the extent permitted":
    the data is preserved at once all the same (art. 215-2(1)), so each is a note on the case, never a
    deficiency that holds the preservation back."""
    found: list[Deficiency] = []
    p = sub.preservation
    _need(found, "preservation.steps_to_obtain_legal_process", p and p.steps_to_obtain_legal_process,
          "no statement of the steps being taken to obtain legal process (not required to preserve under "
          "CPA art. 215-2)")
    return found


def deficiencies(sub: Submission, today: date | None = None, statutory: bool = False) -> list[Deficiency]:
    """Named deficiencies of a submission; emergencies are never held back for paperwork. With `today`
    (the Seoul day of receipt), a respond-by date already past is one too. `statutory`: a CPA art. 215-2
    preservation, whose "steps to obtain legal process" is a note (statutory_notes), not a deficiency."""
    if sub.kind == CaseKind.EMERGENCY:
        return []
    found: list[Deficiency] = []
    _need(found, "authority.name", sub.authority.name, "the requesting authority's name")
    _need(found, "authority.type", sub.authority.type, "the type of authority")
    for key, label in (("name", "name"), ("rank", "rank"), ("badge_number", "badge or ID number"),
                       ("email", "e-mail address"), ("phone", "phone number"),
                       ("postal_address", "postal address"), ("id_document", "identification document")):
        _need(found, f"officer.{key}", getattr(sub.officer, key), f"the responsible officer's {label}")
    _need(found, "reference", sub.reference, "the authority's own case number")
    _need(found, "respond_by", sub.respond_by, "the date by which a response is requested")
    if sub.respond_by is not None and today is not None and sub.respond_by < today:
        found.append({"field": "respond_by", "message": f"the response date {sub.respond_by.isoformat()} has "
                                                        "already passed: give a date still to come"})
    _need(found, "targets", sub.targets, "at least one target (account, e-mail, user name, IP, URL, phone)")
    for i, target in enumerate(sub.targets):
        _need(found, f"targets[{i}].value", target.value, "the identifier of this target")
    _need(found, "data_requested", sub.data_requested, "the list and type of data requested")
    for i, item in enumerate(sub.data_requested):
        _need(found, f"data_requested[{i}].purpose", item.purpose, "the purpose of this data")
        _need(found, f"data_requested[{i}].necessity", item.necessity,
              "why this data is necessary for that purpose")
        if item.from_ and item.to and item.from_ > item.to:
            found.append({"field": f"data_requested[{i}].to", "message": "the period ends before it starts"})
    basis = sub.legal_basis
    _need(found, "legal_basis.instrument", basis.instrument, "the legal instrument relied on")
    _need(found, "legal_basis.provisions", basis.provisions, "the provisions relied on")
    _need(found, "legal_basis.investigation", basis.investigation, "the nature of the investigation")
    if sub.kind == CaseKind.LEGAL_PROCESS:
        _need(found, "legal_basis.issued_by", basis.issued_by, "who issued the legal process")
        _need(found, "legal_basis.issued_on", basis.issued_on, "when the legal process was issued")
        _need(found, "legal_basis.document_reference", basis.document_reference,
              "the legal process's document number")
        if basis.instrument == Instrument.MLAT:
            _need(found, "mlat.korean_process_reference", sub.mlat and sub.mlat.korean_process_reference,
                  "the Korean process reference of the MLAT request")
    if sub.kind == CaseKind.PRESERVATION:
        p = sub.preservation
        if p is None or not p.on_letterhead:
            found.append({"field": "preservation.on_letterhead", "message": "the request must be on letterhead"})
        if p is None or not p.signed_or_sealed:
            found.append({"field": "preservation.signed_or_sealed", "message": "the request must be signed or sealed"})
        if not statutory:
            _need(found, "preservation.steps_to_obtain_legal_process", p and p.steps_to_obtain_legal_process,
                  "a statement of the steps being taken to obtain legal process")
    return found
