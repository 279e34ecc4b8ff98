"""The submission JSON of CONTRACT.md, exactly: what an authority sends, by portal, e-mail or form.

Missing values are allowed here (they become named deficiencies, not validation errors), but unknown
fields, wrong types and malformed dates are refused outright.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from ledesk.models.enums import AuthorityType, CaseKind, DataCategory, Instrument, TargetType


def _blank_is_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


# Dates as Korean authorities write them, besides ISO: 2026. 11. 3. / 2026.11.03 / 2026년 11월 3일.
DATE_FORMS = (re.compile(r"^(\d{4})\s*[.\-/]\s*(\d{1,2})\s*[.\-/]\s*(\d{1,2})\s*\.?$"),
              re.compile(r"^(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일$"))


def read_date(text: str) -> date:
    """A date written the ISO or the Korean way; ValueError naming what is wrong otherwise."""
    t = text.strip()
    for form in DATE_FORMS:
        found = form.match(t)
        if found:
            try:
                return date(int(found[1]), int(found[2]), int(found[3]))
            except ValueError:
                raise ValueError(f"{t[:40]!r} is not a real date") from None
    raise ValueError(f"{t[:40]!r} is not a date (YYYY-MM-DD, YYYY. M. D. or YYYY년 M월 D일)")


def _a_date(value: Any) -> Any:
    value = _blank_is_none(value)
    return read_date(value) if isinstance(value, str) else value


OptionalDate = Annotated[date | None, BeforeValidator(_a_date)]


def _no_nul(value: str) -> str:
    # PostgreSQL's text cannot hold a NUL: refused here, naming the field, not by a failed write.
    if "\x00" in value:
        raise ValueError("must not contain a NUL character")
    return value


# Each limit is the column's that keeps the value (models.tables), so what validates can be written.
Text = Annotated[str, Field(max_length=20_000), AfterValidator(_no_nul)]
Reference = Annotated[str, Field(max_length=200), AfterValidator(_no_nul)]     # cases.reference
TargetValue = Annotated[str, Field(max_length=500), AfterValidator(_no_nul)]   # targets.value, raw_value
CaseId = Annotated[str, Field(max_length=32, pattern=r"^[A-Za-z0-9-]+$")]     # cases.case_id


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Authority(_Part):
    name: Text = ""
    country: Annotated[str, Field(max_length=2)] = ""
    type: Annotated[AuthorityType | None, BeforeValidator(_blank_is_none)] = None


class Officer(_Part):
    name: Text = ""
    rank: Text = ""
    badge_number: Text = ""
    email: Annotated[str, Field(max_length=320), AfterValidator(_no_nul)] = ""  # letters go to it (outbox.to)
    phone: Text = ""
    postal_address: Text = ""
    id_document: Text = ""


class Approver(_Part):
    name: Text = ""
    rank: Text = ""


class Target(_Part):
    type: TargetType
    value: TargetValue = ""
    known_info: Text = ""


class DataRequest(_Part):
    category: DataCategory
    description: Text = ""
    from_: OptionalDate = Field(default=None, alias="from")
    to: OptionalDate = None
    purpose: Text = ""
    necessity: Text = ""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)


class LegalBasis(_Part):
    instrument: Annotated[Instrument | None, BeforeValidator(_blank_is_none)] = None
    provisions: list[Text] = []
    issued_by: Text = ""
    issued_on: OptionalDate = None
    valid_until: OptionalDate = None
    document_reference: Reference = ""  # ledger.document_reference
    investigation: Text = ""


class Preservation(_Part):
    on_letterhead: bool = False
    signed_or_sealed: bool = False
    steps_to_obtain_legal_process: Text = ""
    statutory: bool = False


class Emergency(_Part):
    nature: Annotated[Literal["death", "serious_injury", "child_harm"] | None,
                      BeforeValidator(_blank_is_none)] = None
    facts: Text = ""
    certified: bool = False


class NonDisclosure(_Part):
    until: OptionalDate = None
    indefinite: bool = False
    reference: Reference = ""  # notices.nondisclosure_reference


class Mlat(_Part):
    origin_country: Text = ""
    korean_process_reference: Text = ""


class Sender(_Part):
    email: Annotated[str, Field(min_length=3, max_length=320), AfterValidator(_no_nul)]


class Submission(_Part):
    kind: CaseKind
    related_case: Annotated[CaseId | None, BeforeValidator(_blank_is_none)] = None
    authority: Authority = Authority()
    officer: Officer = Officer()
    approver: Approver = Approver()
    authorisation_documents: list[Text] = []
    reference: Reference = ""
    respond_by: OptionalDate = None
    targets: Annotated[list[Target], Field(max_length=500)] = []
    data_requested: Annotated[list[DataRequest], Field(max_length=100)] = []
    legal_basis: LegalBasis = LegalBasis()
    preservation: Preservation | None = None
    emergency: Emergency | None = None
    nondisclosure: NonDisclosure | None = None
    mlat: Mlat | None = None
    sender: Sender

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


class SubmissionError(ValueError):
    """A submission that cannot be read at all: bad JSON, a wrong type, an unknown field."""

    code = "invalid_submission"


def explain(exc: ValidationError) -> str:
    """One readable line per problem, naming the field as the authority wrote it."""
    lines = []
    for err in exc.errors()[:20]:
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        if err["type"] == "extra_forbidden":
            lines.append(f"{where}: unknown field (not part of the submission format)")
        else:
            lines.append(f"{where}: {err['msg']}")
    return "; ".join(lines)


def parse_submission(data: Any) -> Submission:
    if not isinstance(data, dict):
        raise SubmissionError("a submission must be a JSON object")
    try:
        return Submission.model_validate(data)
    except ValidationError as exc:
        raise SubmissionError(explain(exc)) from None


def merge_supplement(base: Submission, supplement: dict[str, Any]) -> Submission:
    """A supplement's top-level fields replace the case's; the result must still be a valid submission."""
    if not isinstance(supplement, dict):
        raise SubmissionError("a supplement must be a JSON object")
    unknown = set(supplement) - set(Submission.model_fields) - {"from"}
    if unknown:
        raise SubmissionError(f"{', '.join(sorted(unknown))}: unknown field (not part of the submission format)")
    merged = {**base.to_json_dict(), **{k: v for k, v in supplement.items() if k not in {"kind", "sender"}}}
    return parse_submission(merged)
