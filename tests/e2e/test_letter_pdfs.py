"""Every letter kind as the recipient reads it: rendered, turned into a PDF by LibreOffice, read back as
text (pdftotext) and checked for what that recipient must and must not see. The PDFs stay under
tests/artifacts/letters/ to be looked at."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from zoneinfo import ZoneInfo

import pytest

from ledesk.letters.render import render
from ledesk.letters.wording import LETTERS
from ledesk.states.messages import reject_reason
from tests.e2e.conftest import ARTIFACTS

SEOUL = ZoneInfo("Asia/Seoul")
# What render_pending gives every letter (the case's addressee, the letterhead, the signature) and what the
# steps that queue each kind put in. The officer's name is as the authority typed it.
CONTEXT = {
    "provider": "LE Desk Cloud", "case_id": "LE-20261202-7Q4K", "reference": "SMPA-2026-CY-0917",
    "date": "2026-12-02", "officer": "김민준",
    "authority": "Seoul Metropolitan Police Agency, Cyber Investigation Unit",
    "letterhead_address": "12 Teheran-ro, Gangnam-gu, Seoul 06234", "letterhead_contact": "legal@provider.example",
    "signatory": "Park Ji-won (박지원)", "signatory_title": "Senior Counsel / 선임 변호사",
    "seal_line": "LE Desk Cloud Legal Team (seal) / LE Desk Cloud 법무팀 (직인)",
    "items": "the purpose of each data item", "items_ko": "요청 자료별 이용 목적", "deadline": "2026-12-16",
    "expiry": "2027-03-02", "reason": reject_reason("vague_or_overbroad"),
    "reason_ko": reject_reason("vague_or_overbroad", "ko"), "scope": "the data the legal process covers",
    "scope_ko": "법적 절차가 허용하는 자료", "amount": "KRW 50,000", "hold_id": "H-7Q4K",
    "destroyed_at": "2027-03-03T00:05:09+00:00", "parts": 1, "digest": "ab" * 32, "key_id": "H-7Q4K",
    "key_store": "the provider's key store", "key_store_ko": "당사 키 저장소", "method": "erased",
    "account": "hong.gildong@example.com", "provide_on": "2026-12-09", "delayed": False,
    "manifest_sha256": "cd" * 32, "key_fingerprint": "ef" * 16, "download_until": "2027-01-01",
    "portal_path": "/portal/LE-20261202-7Q4K", "portal_link": "https://ledesk.provider.example/portal/LE-20261202-7Q4K",
    "targets_summary": "hong.gildong@example.com: produced IP address logs (1 record)",
    "targets_summary_ko": "hong.gildong@example.com: 제공 IP 접속 기록(1건)",
}
# What the account holder must never read: who asked, from which unit, under which reference.
NEVER_TO_USER = ("김민준", "Seoul Metropolitan Police", "Cyber Investigation", "SMPA-2026-CY-0917")


@pytest.fixture(scope="module")
def pdf_text(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        message = "LibreOffice and pdftotext are needed: `apt-get install libreoffice-writer poppler-utils`"
        if os.environ.get("LEDESK_REQUIRE_OFFICE"):
            pytest.fail(message)
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("letters")
    for kind in LETTERS:
        (folder / f"{kind}.docx").write_bytes(render(kind, CONTEXT, SEOUL)[0])
    out = ARTIFACTS / "letters"
    out.mkdir(parents=True, exist_ok=True)
    profile = folder / "profile"  # its own LibreOffice profile: another soffice running does not block this one
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), *sorted(str(p) for p in folder.glob("*.docx"))],
                   check=True, capture_output=True, timeout=300)
    texts = {}
    for kind in LETTERS:
        pdf = out / f"{kind}.pdf"
        texts[kind] = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                                     text=True).stdout
    return texts


@pytest.mark.parametrize("kind", sorted(LETTERS))
def test_each_letter_as_its_recipient_reads_it_in_the_pdf(pdf_text: dict[str, str], kind: str) -> None:
    text = pdf_text[kind]
    flat = re.sub(r"\s+", " ", text)
    assert LETTERS[kind].subject_en in flat and LETTERS[kind].subject_ko in flat
    assert "2 December 2026 / 2026. 12. 2." in flat  # the letter's date, in each language's way
    assert not re.search(r"\d{4}-\d{2}-\d{2}", flat), re.findall(r".{20}\d{4}-\d{2}-\d{2}", flat)
    assert "+00:00" not in flat and "(s)" not in flat and "{{" not in flat
    assert "Park Ji-won (박지원)" in flat and "LE Desk Cloud 법무팀 (직인)" in flat  # signed by a person
    assert "Page" not in flat or "LE-20261202-7Q4K" in flat
    if LETTERS[kind].to_user:
        for never in NEVER_TO_USER:
            assert never not in flat, (kind, never)
        assert "hong.gildong@example.com" in flat
    else:  # addressed to the officer by the name they typed, with their reference
        assert "To / 수신: 김민준, Seoul Metropolitan Police Agency" in flat and "SMPA-2026-CY-0917" in flat


def test_the_pdfs_say_korean_dates_instants_and_links_as_a_korean_letter_does(pdf_text: dict[str, str]) -> None:
    # pdftotext puts a space where the font changes (Latin to Hangul): compare without any whitespace.
    bare = {kind: re.sub(r"\s+", "", text) for kind, text in pdf_text.items()}

    def says(kind: str, words: str) -> bool:
        return re.sub(r"\s+", "", words) in bare[kind]

    assert says("deficiency", "2026. 12. 16.까지 보완하여 주십시오")
    assert says("destruction_certificate", "3 March 2027, 09:05 (Asia/Seoul)")  # 00:05 UTC, said in Seoul
    assert says("destruction_certificate", "2027. 3. 3. 09:05에 파기")
    assert "1 encrypted part deleted" in re.sub(r"\s+", " ", pdf_text["destruction_certificate"])
    assert says("disclosure_cover", "https://ledesk.provider.example/portal/LE-20261202-7Q4K")
    assert says("acknowledgement", "사건 번호 LE-20261202-7Q4K로 등록")
    assert says("disclosure_cover", "개인정보 보호법 제18조제5항")
    assert says("rejection", "범위가 지나치게 넓습니다")
