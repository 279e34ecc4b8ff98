"""What makes a request complete enough to review. Every missing item is named, so one deficiency
letter asks for everything at once."""

from __future__ import annotations

from datetime import date

from ledesk.models.enums import CaseKind, Instrument
from ledesk.models.submission import Submission
from ledesk.states.phrasing import korean_date

Deficiency = dict[str, str]


def _need(found: list[Deficiency], field: str, value: object, message: str, korean: str) -> None:
    if value is None or (isinstance(value, str) and not value.strip()) or value == []:
        found.append({"field": field, "message": message, "message_ko": korean})


def emergency_deficiencies(sub: Submission) -> list[Deficiency]:
    """What an emergency must state before anything is disclosed: the nature of the imminent danger and
    the officer's certification that it is true. They never hold the request back (it is answered at
    once), but the disclosure waits for them (guard emergency_stated_and_certified)."""
    found: list[Deficiency] = []
    e = sub.emergency
    if e is None or e.nature is None:
        found.append({"field": "emergency.nature",
                      "message": "the nature of the imminent danger (death, serious physical injury, harm to a child)",
                      "message_ko": "급박한 위험의 내용(사망, 중대한 신체 상해, 아동 피해)"})
    if e is None or not e.certified:
        found.append({"field": "emergency.certified",
                      "message": "the officer's certification that the facts stated are true",
                      "message_ko": "기재한 사실이 진실하다는 담당 수사관의 확인"})
    return found


def statutory_notes(sub: Submission) -> list[Deficiency]:
    """What a CPA art. 215-2 request lacks of the items that apply to it only "to the extent permitted":
    the data is preserved at once all the same (art. 215-2(1)), so each is a note on the case, never a
    deficiency that holds the preservation back."""
    found: list[Deficiency] = []
    p = sub.preservation
    _need(found, "preservation.steps_to_obtain_legal_process", p and p.steps_to_obtain_legal_process,
          "no statement of the steps being taken to obtain legal process (not required to preserve under "
          "CPA art. 215-2)",
          "영장 등 법적 절차를 밟고 있다는 진술 없음(형사소송법 제215조의2에 따른 보전에는 필요하지 않음)")
    return found


def deficiencies(sub: Submission, today: date | None = None, statutory: bool = False) -> list[Deficiency]:
    """Named deficiencies of a submission; emergencies are never held back for paperwork. With `today`
    (the Seoul day of receipt), a respond-by date already past is one too. `statutory`: a CPA art. 215-2
    preservation, whose "steps to obtain legal process" is a note (statutory_notes), not a deficiency."""
    if sub.kind == CaseKind.EMERGENCY:
        return []
    found: list[Deficiency] = []
    _need(found, "authority.name", sub.authority.name, "the requesting authority's name", "요청 기관명")
    _need(found, "authority.type", sub.authority.type, "the type of authority", "요청 기관의 종류")
    for key, label, korean in (("name", "name", "성명"), ("rank", "rank", "계급"),
                               ("badge_number", "badge or ID number", "공무원증 번호"),
                               ("email", "e-mail address", "전자우편 주소"), ("phone", "phone number", "전화번호"),
                               ("postal_address", "postal address", "우편 주소"),
                               ("id_document", "identification document", "신분증 사본")):
        _need(found, f"officer.{key}", getattr(sub.officer, key), f"the responsible officer's {label}",
              f"담당 수사관의 {korean}")
    _need(found, "reference", sub.reference, "the authority's own case number", "귀 기관의 문서번호")
    _need(found, "respond_by", sub.respond_by, "the date by which a response is requested", "회신 요청 기한")
    if sub.respond_by is not None and today is not None and sub.respond_by < today:
        found.append({"field": "respond_by", "message": f"the response date {sub.respond_by.isoformat()} has "
                                                        "already passed: give a date still to come",
                      "message_ko": f"회신 요청 기한 {korean_date(sub.respond_by)}이 이미 지났습니다. "
                                    "앞으로의 날짜를 기재하여 주십시오"})
    _need(found, "targets", sub.targets, "at least one target (account, e-mail, user name, IP, URL, phone)",
          "대상 1건 이상(계정, 전자우편, 사용자명, IP, URL, 전화번호)")
    for i, target in enumerate(sub.targets):
        _need(found, f"targets[{i}].value", target.value, f"the identifier of target {i + 1}",
              f"대상 {i + 1}의 식별자")
    _need(found, "data_requested", sub.data_requested, "the list and type of data requested",
          "요청하는 자료의 목록과 종류")
    for i, item in enumerate(sub.data_requested):
        _need(found, f"data_requested[{i}].purpose", item.purpose, f"the purpose of requested data item {i + 1}",
              f"요청 자료 {i + 1}의 사용 목적")
        _need(found, f"data_requested[{i}].necessity", item.necessity,
              f"why requested data item {i + 1} is necessary for that purpose",
              f"요청 자료 {i + 1}이(가) 그 목적에 필요한 이유")
        if item.from_ and item.to and item.from_ > item.to:
            found.append({"field": f"data_requested[{i}].to",
                          "message": f"the period of requested data item {i + 1} ends before it starts",
                          "message_ko": f"요청 자료 {i + 1}의 기간 종료일이 시작일보다 앞섭니다"})
    basis = sub.legal_basis
    _need(found, "legal_basis.instrument", basis.instrument, "the legal instrument relied on",
          "근거가 되는 법적 절차의 종류")
    _need(found, "legal_basis.provisions", basis.provisions, "the provisions relied on", "근거 법령 조항")
    _need(found, "legal_basis.investigation", basis.investigation, "the nature of the investigation", "수사의 내용")
    if sub.kind == CaseKind.LEGAL_PROCESS:
        _need(found, "legal_basis.issued_by", basis.issued_by, "who issued the legal process", "발부 기관")
        _need(found, "legal_basis.issued_on", basis.issued_on, "when the legal process was issued", "발부일")
        _need(found, "legal_basis.document_reference", basis.document_reference,
              "the legal process's document number", "영장 등 법적 절차의 문서번호")
        if basis.instrument == Instrument.MLAT:
            _need(found, "mlat.korean_process_reference", sub.mlat and sub.mlat.korean_process_reference,
                  "the Korean process reference of the MLAT request", "형사사법공조 요청에 따른 국내 절차의 번호")
    if sub.kind == CaseKind.PRESERVATION:
        p = sub.preservation
        if p is None or not p.on_letterhead:
            found.append({"field": "preservation.on_letterhead", "message": "the request must be on letterhead",
                          "message_ko": "요청서는 기관 공문 양식이어야 합니다"})
        if p is None or not p.signed_or_sealed:
            found.append({"field": "preservation.signed_or_sealed", "message": "the request must be signed or sealed",
                          "message_ko": "요청서에 서명 또는 날인이 있어야 합니다"})
        if not statutory:
            _need(found, "preservation.steps_to_obtain_legal_process", p and p.steps_to_obtain_legal_process,
                  "a statement of the steps being taken to obtain legal process",
                  "영장 등 법적 절차를 밟고 있다는 진술")
    return found
