"""Filling a blank form from a submission, as an authority would in Word. Used by the tests, the demo
and the benchmarks to make realistic filled forms."""

from __future__ import annotations

import io
from typing import Any

from ledesk.intake.forms.fields import COLUMN_BY_LABEL, FIELD_BY_LABEL, REPEATING, Field, normal_label


def _get(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for key in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _text(field: Field, value: Any) -> str:
    if value is None:
        return "" if field.kind != "bool" else "☐ Yes / 예     ☒ No / 아니오"
    if field.kind == "bool":
        return "☒ Yes / 예     ☐ No / 아니오" if value else "☐ Yes / 예     ☒ No / 아니오"
    if field.kind == "list":
        return "\n".join(str(v) for v in value)
    return str(value)


def fill_form(blank: bytes, submission: dict[str, Any]) -> bytes:
    from docx import Document

    doc = Document(io.BytesIO(blank))
    for table in doc.tables:
        header = [normal_label(c.paragraphs[0].text) for c in table.rows[0].cells]
        repeating = next((r for r in REPEATING if header and header[0] in COLUMN_BY_LABEL[r.path]), None)
        if repeating is not None:
            items = submission.get(repeating.path) or []
            columns = [COLUMN_BY_LABEL[repeating.path][h] for h in header]
            while len(table.rows) - 1 < len(items):
                table.add_row()  # type: ignore[no-untyped-call]
            for row, item in zip(table.rows[1:], items, strict=False):
                for cell, column in zip(row.cells, columns, strict=True):
                    cell.text = _text(column, item.get(column.path)) if item.get(column.path) is not None else ""
            continue
        for row in table.rows:
            label, value = row.cells[0], row.cells[1]
            field = FIELD_BY_LABEL.get(normal_label(label.paragraphs[0].text))
            if field is None:
                continue
            section_value = _get(submission, field.path.split(".")[0]) if "." in field.path else True
            if section_value is None and field.kind == "bool":
                value.text = ""
                continue
            value.text = _text(field, _get(submission, field.path))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
