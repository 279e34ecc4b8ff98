"""Korean particles by the final-consonant rule, as a reader of the letters would say them."""

from __future__ import annotations

import pytest

from ledesk.states.korean import particle


@pytest.mark.parametrize(("word", "pair", "expected"), [
    ("자료", "을/를", "자료를"), ("요청", "을/를", "요청을"), ("LE Desk Cloud", "은/는", "LE Desk Cloud는"),
    ("서울중앙지방검찰청", "이/가", "서울중앙지방검찰청이"), ("기업 고객", "이/가", "기업 고객이"),
    ("보전 조치", "이/가", "보전 조치가"), ("LE-12AB3", "으로/로", "LE-12AB3으로"),
    ("LE-12AB7", "으로/로", "LE-12AB7로"),
    ("LE-1F2", "으로/로", "LE-1F2로"), ("사건 번호 LE-9C", "으로/로", "사건 번호 LE-9C로"), ("집", "으로/로", "집으로"),
    ("서울", "으로/로", "서울로"), ("Google", "은/는", "Google은"), ("KRW 50,000", "을/를", "KRW 50,000을"),
    ("10원", "을/를", "10원을"), ("Kim Team", "과/와", "Kim Team과"), ("LE Desk", "과/와", "LE Desk와"),
])
def test_the_particle_follows_the_word(word: str, pair: str, expected: str) -> None:
    assert particle(word, pair) == expected


def test_the_letters_never_say_both_particles() -> None:
    from ledesk.letters.wording import LETTERS

    for kind, wording in LETTERS.items():
        for line in wording.ko:
            for both in ("을(를)", "이(가)", "은(는)", "(으)로", "와(과)"):
                assert both not in line, (kind, line)


def test_a_rendered_letter_reads_right() -> None:
    import io

    from docx import Document

    from ledesk.letters.render import render

    data, _ = render("user_notice", {"provider": "LE Desk Cloud", "date": "2026-12-01", "officer": "-",
                                     "authority": "-", "case_id": "LE-12AB", "reference": "R-1", "text": "-"})
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert "LE Desk Cloud는 수사기관으로부터" in text and "(는)" not in text


def test_a_letter_is_a4_with_the_letterhead_the_signatory_and_page_numbers() -> None:
    import io

    from docx import Document
    from docx.shared import Mm

    from ledesk.letters.render import render

    data, _ = render("acknowledgement", {"provider": "LE Desk Cloud", "date": "2026-12-01", "officer": "Kim",
                                         "authority": "SMPA", "case_id": "LE-12AB", "reference": "R-1",
                                         "letterhead_address": "12 Teheran-ro, Seoul", "letterhead_contact": "legal@x",
                                         "signatory": "bob", "signatory_title": "Approver, Legal"})
    doc = Document(io.BytesIO(data))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (round(Mm(210).mm), round(Mm(297).mm))
    header = "\n".join(p.text for p in section.header.paragraphs)
    assert "LE Desk Cloud" in header and "12 Teheran-ro, Seoul" in header and "legal@x" in header
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "LE-12AB" in body and "R-1" in body and "bob" in body and "Approver, Legal" in body
    assert b"NUMPAGES" in data or "NUMPAGES" in section.footer._element.xml
    assert "LE-12AB로 등록" in body
