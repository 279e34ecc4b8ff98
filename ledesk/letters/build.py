"""`python -m ledesk.letters.build`: write ledesk/letters/templates/<kind>.docx from letters/wording.py
(once, or to start over). The templates are then edited in Word; bump the version in versions.toml on every edit."""

from __future__ import annotations

import sys
from pathlib import Path

from ledesk.letters.wording import LETTERS, WAIVER_EN, WAIVER_KO, Wording

TEMPLATES = Path(__file__).with_name("templates")


def template(kind: str, wording: Wording) -> bytes:
    import io

    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    for style_name in ("Normal", "Title"):
        doc.styles[style_name].element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "Malgun Gothic")
    section = doc.sections[0]  # A4, as a Korean legal team's letters are
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin = section.bottom_margin = Mm(22)
    head = section.header.paragraphs[0]
    name = head.add_run("{{ provider }}")
    name.bold, name.font.size = True, Pt(13)
    section.header.add_paragraph("{{ letterhead_address|default('') }}").runs[0].font.size = Pt(8)
    section.header.add_paragraph("{{ letterhead_contact|default('') }}").runs[0].font.size = Pt(8)
    foot = section.footer.paragraphs[0]
    foot.add_run("{{ case_id }} · ")
    for instruction in ("PAGE", None, "NUMPAGES"):  # "3 / 4": Word fills the fields when it opens the letter
        if instruction is None:
            foot.add_run(" / ")
            continue
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), instruction)
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "1"
        run.append(text)
        field.append(run)
        foot._p.append(field)
    doc.add_paragraph("{{ date|endate }} / {{ date|kodate }}")
    if wording.to_user:  # the account holder: never the officer, the unit, nor the authority's reference
        doc.add_paragraph("To / 수신: the holder of the account {{ account|default('') }} / "
                          "계정 {{ account|default('') }} 이용자")
        doc.add_paragraph("Re / 제목: our reference {{ case_id }} / 당사 관리번호 {{ case_id }}")
    else:
        doc.add_paragraph("To / 수신: {{ officer }}, {{ authority }}")
        doc.add_paragraph("Re / 제목: LE Desk case {{ case_id }}, your reference {{ reference }}")
    doc.add_heading(f"{wording.subject_en} / {wording.subject_ko}", level=1)
    for text in wording.en:
        doc.add_paragraph(text)
    if wording.waiver:
        doc.add_paragraph(WAIVER_EN)
    doc.add_paragraph("")
    for text in wording.ko:
        doc.add_paragraph(text)
    if wording.waiver:
        doc.add_paragraph(WAIVER_KO)
    doc.add_paragraph("")
    # The signer by the name and title their actor record gives, then the team's seal line (policy).
    doc.add_paragraph("{{ signatory|default(provider ~ ' Legal Team / ' ~ provider ~ ' 법무팀') }}")
    doc.add_paragraph("{{ signatory_title|default('') }}")
    doc.add_paragraph("{{ seal_line|default(provider) }}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def main() -> None:
    """All templates, or those named (`python -m ledesk.letters.build user_notice`): the others may have
    been edited in Word since."""
    TEMPLATES.mkdir(exist_ok=True)
    named = [a for a in sys.argv[1:] if not a.startswith("--")]
    for kind, wording in LETTERS.items():
        if named and kind not in named:
            continue
        (TEMPLATES / f"{kind}.docx").write_bytes(template(kind, wording))
    versions = TEMPLATES / "versions.toml"
    if not versions.exists() or "--reset-versions" in sys.argv:
        versions.write_text("# Bump a letter's version whenever its template is edited; each letter records it.\n"
                            + "".join(f'{kind} = "1"\n' for kind in LETTERS))
    print(f"wrote {len(named) if named else len(LETTERS)} template(s) to {TEMPLATES}")


if __name__ == "__main__":
    main()
