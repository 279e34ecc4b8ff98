"""The portal's request page is the .docx form's table of fields as HTML: what an officer types there is
read into the same submission as the JSON or the filled form."""

from __future__ import annotations

from typing import Any

import pytest

from ledesk.intake.forms.fields import REPEATING
from ledesk.intake.forms.parse import read_fields
from ledesk.models.submission import parse_submission
from tests.factories import sample


def page_fields(sub: dict[str, Any]) -> dict[str, str]:
    """A submission as the page's fields: dotted paths, lists one per line, booleans Yes/No."""
    out: dict[str, str] = {}

    def put(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                put(f"{prefix}.{k}" if prefix else k, v)
        elif isinstance(value, bool):
            out[prefix] = "Yes" if value else "No"
        elif isinstance(value, list):
            out[prefix] = "\n".join(map(str, value))
        elif value is not None:
            out[prefix] = str(value)

    for key, value in sub.items():
        if key in {r.path for r in REPEATING}:
            for row, item in enumerate(value):
                put(f"{key}.{row}", item)
        else:
            put(key, value)
    return out


@pytest.mark.parametrize("name", ["warrant", "preservation", "emergency", "incomplete"])
def test_the_page_fields_read_into_the_same_submission(name: str) -> None:
    sub = sample(name)
    assert parse_submission(read_fields(page_fields(sub))) == parse_submission(sub)


def test_fields_not_on_the_form_are_ignored_and_a_bad_date_is_named() -> None:
    fields = page_fields(sample("warrant")) | {"evil": "x", "targets.9.value": "beyond the form's rows"}
    assert parse_submission(read_fields(fields)) == parse_submission(sample("warrant"))
    from ledesk.intake.forms.guard import FormError

    with pytest.raises(FormError, match="Valid until"):
        read_fields(page_fields(sample("warrant")) | {"legal_basis.valid_until": "next tuesday"})
