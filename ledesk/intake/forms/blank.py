"""Writing the blank bilingual forms with python-docx."""

from __future__ import annotations

import io

from ledesk.intake.forms.fields import REPEATING, SECTIONS, Field

CHECKBOXES = "☐ Yes / 예     ☐ No / 아니오"
TITLES = {
    "preservation": ("Preservation Request", "보전 요청서"),
    "legal_process": ("Legal Process Disclosure Request", "법적 절차에 따른 자료 제공 요청서"),
    "emergency": ("Emergency Disclosure Request", "긴급 자료 제공 요청서"),
}


def blank_form(kind: str, provider: str) -> bytes:
    from docx import Document
    from docx.shared import Mm, Pt

    if kind not in TITLES:
        raise ValueError(f"unknown form kind {kind!r}; one of {', '.join(TITLES)}")
    doc = Document()
    page = doc.sections[0]  # A4, as a Korean authority prints it (python-docx starts on US Letter)
    page.page_width, page.page_height = Mm(210), Mm(297)
    page.left_margin = page.right_margin = Mm(20)
    page.top_margin = page.bottom_margin = Mm(20)
    # Korean text in the font a Korean Word installation has; other readers substitute their own CJK font.
    from docx.oxml.ns import qn

    for style_name in ("Normal", "Title", "Heading 2"):
        fonts = doc.styles[style_name].element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), "Malgun Gothic")
    en, ko = TITLES[kind]
    doc.add_heading(f"{en} / {ko}", level=0)
    doc.add_paragraph(f"{provider}: Law Enforcement Agency Disclosure Request")
    doc.add_paragraph(
        "Fill in the right-hand column and e-mail this form from your authority's own domain with the subject "
        "\"Law Enforcement Agency Disclosure Request\". Incomplete requests are not processed. Dates as "
        "YYYY-MM-DD. Mark yes/no items by replacing ☐ with ☒. / 오른쪽 칸을 작성하여 기관 도메인 이메일로 "
        "제출하십시오. 날짜는 YYYY-MM-DD 형식으로 기재하십시오.")

    def label_cell(cell: object, field: Field) -> None:
        cell.text = field.label  # type: ignore[attr-defined]
        if field.choices and not field.prefilled:
            hint = cell.add_paragraph(", ".join(field.choices))  # type: ignore[attr-defined]
            for run in hint.runs:
                run.font.size = Pt(8)

    for section in SECTIONS:
        if kind not in section.kinds:
            continue
        doc.add_heading(f"{section.en} / {section.ko}", level=2)
        table = doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for field in section.fields:
            left, right = table.add_row().cells
            label_cell(left, field)
            if field.prefilled:
                right.text = kind
            elif field.kind == "bool":
                right.text = CHECKBOXES
        if section.key == "" and section.fields[0].path == "kind":
            for repeating in REPEATING:
                doc.add_heading(f"{repeating.en} / {repeating.ko}", level=2)
                grid = doc.add_table(rows=1 + repeating.rows, cols=len(repeating.columns))
                grid.style = "Table Grid"
                for cell, column in zip(grid.rows[0].cells, repeating.columns, strict=True):
                    label_cell(cell, column)
    doc.add_paragraph()
    doc.add_paragraph("Signature or seal / 서명 또는 날인: ______________________    "
                      "Date / 날짜: ______________")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
