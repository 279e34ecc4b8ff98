"""What is wrong with each field of the portal's request page, in a sentence an officer reads, in English
and Korean: every field at once, beside the field, before anything is taken. The same checks as intake
(the form's conversions, then the submission's model), so the page refuses nothing intake would take."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from ledesk.intake.forms.fields import REPEATING, SECTIONS, Field
from ledesk.intake.forms.guard import FormError
from ledesk.intake.forms.parse import convert, read_fields
from ledesk.models.submission import Submission

Sentence = tuple[str, str]  # English, Korean

BY_KIND: dict[str, Sentence] = {
    "date": ("Write a date as YYYY-MM-DD (or YYYY. M. D.), and a day that exists.",
             "날짜는 YYYY-MM-DD(또는 YYYY. M. D.) 형식의 실제 날짜로 적어 주십시오."),
    "bool": ("Choose Yes or No.", "예 또는 아니오를 선택하여 주십시오."),
}
BY_ERROR: dict[str, Sentence] = {
    "enum": ("Choose one of the listed values.", "목록의 값 중 하나를 선택하여 주십시오."),
    "literal_error": ("Choose one of the listed values.", "목록의 값 중 하나를 선택하여 주십시오."),
    "string_too_short": ("This is too short to be right.", "값이 너무 짧습니다."),
    "string_too_long": ("This is too long.", "값이 너무 깁니다."),
    "missing": ("This is needed.", "필수 항목입니다."),
    "date_from_datetime_parsing": BY_KIND["date"], "date_parsing": BY_KIND["date"],
    "bool_parsing": BY_KIND["bool"],
}
EMAIL: Sentence = ("Give an e-mail address at your authority's domain.",
                   "귀 기관 도메인의 이메일 주소를 적어 주십시오.")


def _fields() -> dict[str, Field]:
    out = {f.path: f for s in SECTIONS for f in s.fields}
    for r in REPEATING:
        for row in range(r.rows):
            out.update({f"{r.path}.{row}.{c.path}": c for c in r.columns})
    return out


FIELDS = _fields()


def labels(lang: str) -> dict[str, str]:
    """Each field's label as the page shows it; a repeating row's says which row (`Targets 2: Type`)."""
    out = {f.path: (f.ko if lang == "ko" else f.en) for s in SECTIONS for f in s.fields}
    for r in REPEATING:
        for row in range(r.rows):
            for c in r.columns:
                out[f"{r.path}.{row}.{c.path}"] = (f"{r.ko if lang == 'ko' else r.en} {row + 1}: "
                                                   f"{c.ko if lang == 'ko' else c.en}")
    return out


def _said(err: Mapping[str, Any], field: Field | None) -> Sentence:
    kind = str(err["type"])
    if kind == "value_error" and field is not None and field.kind in BY_KIND:
        return BY_KIND[field.kind]
    if kind in BY_ERROR:
        if kind == "string_too_short" and str(err["loc"][-1]) == "email":
            return EMAIL
        return BY_ERROR[kind]
    message = str(err["msg"]).removeprefix("Value error, ")
    message = message[:1].upper() + message[1:]
    return (message if message.endswith(".") else message + ".",) * 2


def field_problems(form: Mapping[str, str]) -> dict[str, Sentence]:
    """Each field's problem by its path (`legal_basis.issued_on`, `targets.0.type`); empty when there is none.
    A field left empty is not a problem here: what is missing is the deficiency letter's business."""
    problems: dict[str, Sentence] = {}
    for path, field in FIELDS.items():
        try:
            convert(field, form.get(path, ""))
        except FormError:
            problems[path] = BY_KIND.get(field.kind, ("This cannot be read.", "읽을 수 없는 값입니다."))
    readable = {k: v for k, v in form.items() if k not in problems}  # the rest is still checked, all at once
    try:
        Submission.model_validate(read_fields(readable))
    except ValidationError as exc:
        for err in exc.errors():
            path = ".".join(str(p) for p in err["loc"])
            problems.setdefault(path, _said(err, FIELDS.get(path)))
    return problems
