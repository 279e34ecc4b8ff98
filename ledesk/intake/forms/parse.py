"""Reading a filled form into a submission: tables read by label (English or Korean, any order), Word
content controls, checkbox glyphs, tracked insertions (read) and deletions (not), Korean and ISO dates.

python-docx's cell.text returns nothing for content controls, so the XML is read directly, and only
after forms.guard has cleared it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from lxml import etree

from ledesk.intake.forms.fields import (
    COLUMN_BY_LABEL,
    FIELD_BY_LABEL,
    REPEATING,
    SECTION_OF,
    SECTIONS,
    Field,
    Repeating,
    normal_label,
)
from ledesk.intake.forms.guard import FormError, open_docx
from ledesk.models.submission import read_date

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
CHECKED, UNCHECKED = "☒", "☐"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_comments=True, remove_pis=True)


def _paragraphs(cell: Any) -> list[Any]:
    """The cell's own paragraphs, including those of a block-level content control (not nested tables)."""
    found = []
    for child in cell:
        if child.tag == W + "p":
            found.append(child)
        elif child.tag == W + "sdt":
            props, content = child.find(W + "sdtPr"), child.find(W + "sdtContent")
            if content is not None and (props is None or props.find(W + "showingPlcHdr") is None):
                found.extend(_paragraphs(content))
    return found


def _cell_text(cell: Any) -> str:
    return "\n".join("".join(_run_text(p)) for p in _paragraphs(cell)).strip()


def _run_text(node: Any) -> list[str]:
    out: list[str] = []
    for child in node:
        tag = child.tag
        if tag == W + "del" or tag == W + "instrText" or tag == W + "delText":
            continue
        if tag == W + "t":
            out.append(child.text or "")
        elif tag in (W + "tab",):
            out.append(" ")
        elif tag in (W + "br", W + "cr"):
            out.append("\n")
        elif tag == W + "sdt":
            out.extend(_sdt_text(child))
        elif tag == W + "p":
            continue  # nested paragraphs are visited on their own
        else:
            out.extend(_run_text(child))
    return out


def _sdt_text(sdt: Any) -> list[str]:
    props = sdt.find(W + "sdtPr")
    content = sdt.find(W + "sdtContent")
    if props is not None:
        box = props.find(W14 + "checkbox")
        if box is not None:
            checked = box.find(W14 + "checked")
            value = checked.get(W14 + "val") if checked is not None else "0"
            return [CHECKED if value in ("1", "true") else UNCHECKED]
        if props.find(W + "showingPlcHdr") is not None:
            return []
        when = props.find(W + "date")
        if when is not None and when.get(W + "fullDate"):
            return [when.get(W + "fullDate", "")[:10]]
    return _run_text(content) if content is not None else []


def _cells(row: Any) -> list[Any]:
    return [c for c in row if c.tag == W + "tc"] + [
        c for sdt in row if sdt.tag == W + "sdt" for content in sdt.findall(W + "sdtContent")
        for c in content if c.tag == W + "tc"]


def _first_paragraph(cell: Any) -> str:
    paragraphs = _paragraphs(cell)
    return "".join(_run_text(paragraphs[0])).strip() if paragraphs else ""


def to_bool(text: str, label: str) -> bool | None:
    t = text.strip()
    if not t:
        return None
    marks = re.findall(r"([☐☒☑✓✔xX])\s*(Yes|No|예|아니오|아니요)", t)
    ticked = [word for mark, word in marks if mark in "☒☑✓✔xX"]
    if ticked:
        if len({w in ("Yes", "예") for w in ticked}) > 1:
            raise FormError(f"{label}: both Yes and No are ticked")
        return ticked[0] in ("Yes", "예")
    if marks:
        return False  # boxes present, none ticked
    word = t.casefold()
    if word in ("yes", "예", "y", "true", CHECKED, "☑"):
        return True
    if word in ("no", "아니오", "아니요", "n", "false", UNCHECKED):
        return False
    raise FormError(f"{label}: {t[:40]!r} is not Yes or No")


def to_date(text: str, label: str) -> str | None:
    if not text.strip():
        return None
    try:
        return read_date(text).isoformat()
    except ValueError as exc:
        raise FormError(f"{label}: {exc}") from None


def convert(field: Field, text: str) -> Any:
    if field.kind == "bool":
        return to_bool(text, field.label)
    if field.kind == "date":
        return to_date(text, field.label)
    if field.kind == "list":
        return [line.strip() for line in text.splitlines() if line.strip()]
    return text.strip()


def _put(target: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = target
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value


def _read_repeating(rows: list[Any], repeating: Repeating, header: list[str]) -> list[dict[str, Any]]:
    columns = [COLUMN_BY_LABEL[repeating.path].get(h) for h in header]
    items = []
    for row in rows[1:]:
        texts = [_cell_text(c) for c in _cells(row)]
        if not any(texts):
            continue
        item: dict[str, Any] = {}
        for column, text in zip(columns, texts, strict=False):
            if column is not None:
                value = convert(column, text)
                if value not in (None, ""):
                    item[column.path] = value
        items.append(item)
    return items


def read_form(data: bytes) -> dict[str, Any]:
    """The submission a filled form carries, as a dict for the same validation as JSON."""
    parts = open_docx(data)
    try:
        root = etree.fromstring(parts["word/document.xml"].encode("utf-8"), _PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise FormError(f"word/document.xml is not well-formed XML: {str(exc)[:200]}") from None
    if root is None or root.tag != W + "document":
        raise FormError("word/document.xml is not a Word document body")
    values: dict[str, Any] = {}
    seen_sections: set[str] = set()
    for table in root.iter(W + "tbl"):
        rows = [r for r in table if r.tag == W + "tr"]
        if not rows:
            continue
        header = [normal_label(_first_paragraph(c)) for c in _cells(rows[0])]
        repeating = next((r for r in REPEATING if header and header[0] in COLUMN_BY_LABEL[r.path]), None)
        if repeating is not None:
            values.setdefault(repeating.path, []).extend(_read_repeating(rows, repeating, header))
            continue
        for row in rows:
            cells = _cells(row)
            if len(cells) < 2:
                continue
            field = FIELD_BY_LABEL.get(normal_label(_first_paragraph(cells[0])))
            if field is None:
                continue
            text = _cell_text(cells[1])
            value = convert(field, text)
            section = SECTION_OF[field.path]
            if value not in (None, "", []):
                seen_sections.add(section.key)
            if value is not None:
                _put(values, field.path, value)
    # An optional section left blank is absent, as in the JSON; one partly filled is present.
    for key in ("preservation", "emergency", "nondisclosure", "mlat"):
        if key in values and key not in seen_sections:
            del values[key]
    return values


def read_fields(form: Mapping[str, str]) -> dict[str, Any]:
    """The same submission from the portal page's fields, each named by its path (`officer.name`,
    `targets.0.value`): the one table of labels drives the page as it drives the forms."""
    values: dict[str, Any] = {}
    for section in SECTIONS:
        for field in section.fields:
            value = convert(field, form.get(field.path, ""))
            if value not in (None, "", []):
                _put(values, field.path, value)
    for repeating in REPEATING:
        items = []
        for row in range(repeating.rows):
            item: dict[str, Any] = {}
            for column in repeating.columns:
                value = convert(column, form.get(f"{repeating.path}.{row}.{column.path}", ""))
                if value not in (None, ""):
                    item[column.path] = value
            if item:
                items.append(item)
        if items:
            values[repeating.path] = items
    return values
