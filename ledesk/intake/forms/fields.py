"""Where every submission field sits on the forms: one table of labels drives both the blank forms and
the reader of filled ones, so they cannot drift apart."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ledesk.models.enums import AuthorityType, CaseKind, DataCategory, Instrument, TargetType


@dataclass(frozen=True)
class Field:
    path: str                 # dotted path in the submission, relative to a repeating item for columns
    en: str
    ko: str
    kind: str = "text"        # text, date, bool, list (one item per line), choice
    choices: tuple[str, ...] = ()
    prefilled: bool = False   # the blank form carries the value (the request kind)

    @property
    def label(self) -> str:
        return f"{self.en} / {self.ko}"


@dataclass(frozen=True)
class Section:
    key: str                  # the optional submission object it fills ("" for top-level fields)
    en: str
    ko: str
    fields: tuple[Field, ...]
    kinds: frozenset[str]


@dataclass(frozen=True)
class Repeating:
    path: str
    en: str
    ko: str
    columns: tuple[Field, ...]
    rows: int


ALL = frozenset(k.value for k in CaseKind)
YES_NO = ("Yes", "No")


def _choices(enum: type) -> tuple[str, ...]:
    return tuple(m.value for m in enum)  # type: ignore[attr-defined]


SECTIONS: tuple[Section, ...] = (
    Section("", "Request", "요청", (
        Field("kind", "Request type", "요청 유형", "choice", _choices(CaseKind), prefilled=True),
        Field("related_case", "Related LE Desk case number", "관련 사건 번호"),
        Field("reference", "Your case number", "귀 기관 사건 번호"),
        Field("respond_by", "Response requested by (YYYY-MM-DD)", "회신 요청일", "date"),
        Field("sender.email", "Submitted by (e-mail)", "제출자 이메일"),
    ), ALL),
    Section("authority", "Requesting authority", "요청 기관", (
        Field("authority.name", "Requesting authority", "요청 기관"),
        Field("authority.country", "Country (ISO code, e.g. KR)", "국가"),
        Field("authority.type", "Authority type", "기관 유형", "choice", _choices(AuthorityType)),
    ), ALL),
    Section("officer", "Responsible officer", "담당 수사관", (
        Field("officer.name", "Officer name", "성명"),
        Field("officer.rank", "Officer rank", "계급"),
        Field("officer.badge_number", "Badge or ID number", "공무원증 번호"),
        Field("officer.email", "Officer e-mail (authority domain)", "이메일 (기관 도메인)"),
        Field("officer.phone", "Officer phone", "전화번호"),
        Field("officer.postal_address", "Postal address", "우편 주소"),
        Field("officer.id_document", "Identification document", "신분 증명 서류"),
    ), ALL),
    Section("approver", "Approving official", "승인권자", (
        Field("approver.name", "Approver name", "승인권자 성명"),
        Field("approver.rank", "Approver rank", "승인권자 직급"),
    ), ALL),
    Section("", "Authorisation", "권한 증빙", (
        Field("authorisation_documents", "Authorisation documents (one per line)", "권한 증빙 서류 (한 줄에 하나)",
              "list"),
    ), ALL),
    Section("legal_basis", "Legal basis", "법적 근거", (
        Field("legal_basis.instrument", "Legal instrument", "법적 수단", "choice", _choices(Instrument)),
        Field("legal_basis.provisions", "Provisions relied on (one per line)", "근거 조항 (한 줄에 하나)", "list"),
        Field("legal_basis.issued_by", "Issued by", "발부 기관"),
        Field("legal_basis.issued_on", "Issued on (YYYY-MM-DD)", "발부일", "date"),
        Field("legal_basis.valid_until", "Valid until (YYYY-MM-DD)", "유효기간", "date"),
        Field("legal_basis.document_reference", "Document number", "문서 번호"),
        Field("legal_basis.investigation", "Nature of the investigation", "수사 내용"),
    ), ALL),
    Section("preservation", "Preservation", "보전", (
        Field("preservation.on_letterhead", "Sent on official letterhead", "공문 양식 사용", "bool"),
        Field("preservation.signed_or_sealed", "Signed or sealed", "서명 또는 날인", "bool"),
        Field("preservation.steps_to_obtain_legal_process", "Steps being taken to obtain legal process",
              "영장 등 법적 절차 진행 상황"),
        Field("preservation.statutory", "Statutory request under CPA art. 215-2", "형사소송법 제215조의2에 따른 요청",
              "bool"),
    ), frozenset({CaseKind.PRESERVATION.value})),
    Section("emergency", "Emergency", "긴급", (
        Field("emergency.nature", "Nature of the emergency", "긴급 사유", "choice",
              ("death", "serious_injury", "child_harm")),
        Field("emergency.facts", "Facts showing imminent danger", "급박한 위험을 보여주는 사실"),
        Field("emergency.certified", "I certify that the information is true and correct",
              "위 내용이 사실임을 확인합니다", "bool"),
    ), frozenset({CaseKind.EMERGENCY.value})),
    Section("nondisclosure", "Non-disclosure order", "비공개 명령", (
        Field("nondisclosure.until", "Order in force until (YYYY-MM-DD)", "명령 만료일", "date"),
        Field("nondisclosure.indefinite", "Order without end date", "기한 없는 명령", "bool"),
        Field("nondisclosure.reference", "Order reference", "명령 번호"),
    ), ALL),
    Section("mlat", "Mutual legal assistance", "국제형사사법공조", (
        Field("mlat.origin_country", "Requesting state", "요청 국가"),
        Field("mlat.korean_process_reference", "Korean process reference", "국내 절차 번호"),
    ), frozenset({CaseKind.LEGAL_PROCESS.value})),
)

REPEATING: tuple[Repeating, ...] = (
    Repeating("targets", "Targets", "대상", (
        Field("type", "Type", "유형", "choice", _choices(TargetType)),
        Field("value", "Identifier", "식별자"),
        Field("known_info", "Known information", "알려진 정보"),
    ), 3),
    Repeating("data_requested", "Data requested", "요청 자료", (
        Field("category", "Category", "자료 유형", "choice", _choices(DataCategory)),
        Field("description", "Description", "설명"),
        Field("from", "From", "시작일", "date"),
        Field("to", "To", "종료일", "date"),
        Field("purpose", "Purpose", "목적"),
        Field("necessity", "Why necessary", "필요성"),
    ), 4),
)


def normal_label(text: str) -> str:
    """Labels compared without case, punctuation or spacing, so a re-typed label still matches."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"\(.*?\)", " ", text)
    return re.sub(r"[^\w가-힣]+", " ", text).strip()


def _index(fields: tuple[Field, ...]) -> dict[str, Field]:
    found: dict[str, Field] = {}
    for f in fields:
        for variant in (f.label, f.en, f.ko):
            found.setdefault(normal_label(variant), f)
    return found


FIELD_BY_LABEL: dict[str, Field] = _index(tuple(f for s in SECTIONS for f in s.fields))
COLUMN_BY_LABEL: dict[str, dict[str, Field]] = {r.path: _index(r.columns) for r in REPEATING}
SECTION_OF: dict[str, Section] = {f.path: s for s in SECTIONS for f in s.fields}
