"""The bilingual forms: every field has a place, a filled form reads back as the same submission, in
either language and in any order, with Word content controls, checkboxes and tracked changes."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ledesk.intake.forms.blank import blank_form
from ledesk.intake.forms.fields import REPEATING, SECTIONS
from ledesk.intake.forms.guard import FormError
from ledesk.intake.forms.parse import read_form, to_bool, to_date
from ledesk.models.submission import Submission, parse_submission
from tests.factories import sample
from tests.forms_kit import filled, replace_document

SAMPLES = ["warrant", "warrant_with_gag_order", "preservation", "preservation_statutory", "emergency",
           "court_permission", "incomplete"]


def same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return parse_submission(a).to_json_dict() == parse_submission(b).to_json_dict()


@pytest.mark.parametrize("name", SAMPLES)
def test_a_filled_form_reads_back_as_the_same_submission(name: str) -> None:
    assert same(read_form(filled(name)), sample(name))


def _leaves(model: type, prefix: str = "") -> set[str]:
    found: set[str] = set()
    for name, info in model.model_fields.items():  # type: ignore[attr-defined]
        key = info.alias or name
        annotation = info.annotation
        inner = [a for a in getattr(annotation, "__args__", (annotation,)) if isinstance(a, type)]
        nested = next((a for a in inner if hasattr(a, "model_fields")), None)
        if nested is not None and key not in ("targets", "data_requested"):
            found |= _leaves(nested, f"{prefix}{key}.")
        else:
            found.add(prefix + key)
    return found


def test_every_submission_field_has_a_place_on_a_form() -> None:
    placed = {f.path for s in SECTIONS for f in s.fields} | {r.path for r in REPEATING}
    assert _leaves(Submission) == placed
    from ledesk.models.submission import DataRequest, Target

    for repeating, model in (("targets", Target), ("data_requested", DataRequest)):
        columns = {c.path for r in REPEATING if r.path == repeating for c in r.columns}
        assert _leaves(model) == columns


@pytest.mark.parametrize("kind", ["preservation", "legal_process", "emergency"])
def test_blank_forms_open_in_python_docx_with_bilingual_two_column_tables(kind: str) -> None:
    from docx import Document

    doc = Document(io.BytesIO(blank_form(kind, "LE Desk Cloud")))
    page = doc.sections[0]
    assert (round(page.page_width.mm), round(page.page_height.mm)) == (210, 297)  # A4
    assert doc.paragraphs[0].text.startswith(("Preservation", "Legal Process", "Emergency"))
    two_column = [t for t in doc.tables if len(t.columns) == 2]
    assert two_column and all(" / " in row.cells[0].paragraphs[0].text for t in two_column for row in t.rows)
    assert any("계급" in row.cells[0].text for t in two_column for row in t.rows)
    text = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert ("I certify that the information is true and correct" in text) == (kind == "emergency")
    assert ("Steps being taken to obtain legal process" in text) == (kind == "preservation")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_a_blank_form_to_pdf(tmp_path: Path) -> None:
    form = tmp_path / "emergency.docx"
    form.write_bytes(blank_form("emergency", "LE Desk Cloud"))
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(form)],
                   check=True, capture_output=True, timeout=180)
    pdf = (tmp_path / "emergency.pdf").read_bytes()
    assert len(pdf) > 1000
    import re

    # A4 is 595 x 842 points; US Letter, python-docx's default, would be 612 x 792.
    boxes = {tuple(round(float(n)) for n in box.split()[2:]) for box in
             re.findall(rb"/MediaBox\s*\[\s*([\d.\s]+)\]", pdf)}
    assert boxes == {(595, 842)}, boxes


def test_korean_labels_in_any_order_read_the_same() -> None:
    def korean_and_reversed(xml: str) -> str:
        xml = re.sub(r"<w:t>([^<☐☒]*?) / ([^<☐☒]*?)</w:t>", r"<w:t>\2</w:t>", xml)  # labels, not checkboxes

        def reverse_rows(table: re.Match[str]) -> str:
            body = table.group(0)
            rows = re.findall(r"<w:tr\b.*?</w:tr>", body, re.S)
            if len(rows) < 2 or "유형" in rows[0] or "자료 유형" in rows[0]:
                return body  # repeating tables keep their header first
            head = body[:body.index(rows[0])]
            tail = body[body.rindex(rows[-1]) + len(rows[-1]):]
            return head + "".join(reversed(rows)) + tail

        return re.sub(r"<w:tbl>.*?</w:tbl>", reverse_rows, xml, flags=re.S)

    edited = replace_document(filled("preservation"), korean_and_reversed)
    assert "Officer rank" not in edited.decode("latin-1")
    assert same(read_form(edited), sample("preservation"))


def _value_cell(xml: str, label: str, content: str) -> str:
    """Replace the value cell next to `label` with raw WordprocessingML."""
    at = xml.index(label)
    cell_start = xml.index("<w:tc>", at)
    cell_end = xml.index("</w:tc>", cell_start) + len("</w:tc>")
    return xml[:cell_start] + f"<w:tc><w:tcPr/>{content}</w:tc>" + xml[cell_end:]


SDT_TEXT = ('<w:sdt><w:sdtPr><w:alias w:val="rank"/></w:sdtPr><w:sdtContent><w:p><w:r><w:t>Superintendent'
            '</w:t></w:r></w:p></w:sdtContent></w:sdt>')
SDT_DATE = ('<w:p><w:sdt><w:sdtPr><w:date w:fullDate="2026-12-20T00:00:00Z"><w:dateFormat w:val="yyyy. M. d."/>'
            '</w:date></w:sdtPr><w:sdtContent><w:r><w:t>2026. 12. 20.</w:t></w:r></w:sdtContent></w:sdt></w:p>')
SDT_DROPDOWN = ('<w:p><w:sdt><w:sdtPr><w:dropDownList><w:listItem w:displayText="court" w:value="court"/>'
                '</w:dropDownList></w:sdtPr><w:sdtContent><w:r><w:t>court</w:t></w:r></w:sdtContent></w:sdt></w:p>')
SDT_PLACEHOLDER = ('<w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent><w:p><w:r><w:t>Click here to '
                   'enter text.</w:t></w:r></w:p></w:sdtContent></w:sdt>')
W14 = 'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"'


def _checkbox(checked: bool) -> str:
    return (f'<w:sdt><w:sdtPr><w14:checkbox {W14}><w14:checked {W14} w14:val="{int(checked)}"/></w14:checkbox>'
            f'</w:sdtPr><w:sdtContent><w:r><w:t>{"☒" if checked else "☐"}</w:t></w:r></w:sdtContent></w:sdt>')


def test_word_content_controls_are_read_from_the_xml() -> None:
    def controls(xml: str) -> str:
        xml = _value_cell(xml, "Officer rank", SDT_TEXT)
        xml = _value_cell(xml, "Response requested by", SDT_DATE)
        xml = _value_cell(xml, "Authority type", SDT_DROPDOWN)
        xml = _value_cell(xml, "Order reference", SDT_PLACEHOLDER)
        box = f"<w:p>{_checkbox(True)}<w:r><w:t> Yes / 예 </w:t></w:r>{_checkbox(False)}<w:r><w:t> No</w:t></w:r></w:p>"
        return _value_cell(xml, "Sent on official letterhead", box)

    got = read_form(replace_document(filled("preservation"), controls))
    assert got["officer"]["rank"] == "Superintendent"
    assert got["respond_by"] == "2026-12-20"
    assert got["authority"]["type"] == "court"
    assert got["preservation"]["on_letterhead"] is True
    assert "nondisclosure" not in got  # a placeholder is not a value


def test_tracked_insertions_are_read_and_deletions_are_not() -> None:
    tracked = ('<w:p><w:del w:id="1" w:author="a"><w:r><w:delText>Inspector</w:delText></w:r></w:del>'
               '<w:ins w:id="2" w:author="b"><w:r><w:t>Chief Inspector</w:t></w:r></w:ins></w:p>')
    got = read_form(replace_document(filled(), lambda xml: _value_cell(xml, "Officer rank", tracked)))
    assert got["officer"]["rank"] == "Chief Inspector"


@pytest.mark.parametrize(("text", "expected"), [
    ("☒ Yes / 예     ☐ No / 아니오", True), ("☐ Yes / 예     ☑ No / 아니오", False), ("☐ Yes ☐ No", False),
    ("Yes", True), ("예", True), ("아니오", False), ("No", False), ("☒", True), ("", None)])
def test_yes_no_in_every_spelling(text: str, expected: bool | None) -> None:
    assert to_bool(text, "x") is expected


def test_both_boxes_ticked_is_an_error() -> None:
    with pytest.raises(FormError, match="both"):
        to_bool("☒ Yes ☒ No", "Signed or sealed")


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-04-08", "2026-04-08"), ("2026. 4. 8.", "2026-04-08"), ("2026.04.08", "2026-04-08"), ("", None)])
def test_dates_iso_and_korean(text: str, expected: str | None) -> None:
    assert to_date(text, "x") == expected


def test_an_impossible_date_is_a_clean_error() -> None:
    with pytest.raises(FormError, match="not a real date"):
        to_date("2026. 2. 30.", "Valid until")
