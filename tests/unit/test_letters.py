"""Every letter kind renders from its template in English and Korean, and nothing a form carries can
inject Word markup."""

from __future__ import annotations

import io
import zipfile

import pytest

from ledesk.letters.render import render, versions
from ledesk.letters.wording import LETTERS

COMMON = {"provider": "LE Desk Cloud", "case_id": "LE-0123456789", "reference": "SMPA-1", "date": "2026-12-01",
          "officer": "Kim Min-jun", "authority": "Seoul Metropolitan Police Agency"}
EXTRA = {"items": "officer.phone (the officer's phone)", "deadline": "2026-12-15", "expiry": "2027-03-02",
         "reason": "insufficient instrument", "entity": "Example Corp", "scope": "the data", "scope_ko": "자료",
         "text": "The data will be provided after 2026-12-08.", "amount": "KRW 50,000", "hold_id": "H-1",
         "destroyed_at": "2027-03-03T00:05:09.123456+00:00", "parts": 1, "digest": "ab" * 32}


def document_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        return zf.read("word/document.xml").decode("utf-8")


@pytest.mark.parametrize("kind", sorted(LETTERS))
def test_every_letter_renders_in_both_languages(kind: str) -> None:
    content, version = render(kind, {**COMMON, **EXTRA})
    text = document_text(content)
    assert version == versions()[kind]
    assert LETTERS[kind].subject_en in text and LETTERS[kind].subject_ko in text
    assert "{{" not in text and "LE-0123456789" in text
    if LETTERS[kind].waiver:
        assert "waives no right or objection" in text and "포기하는 것이 아닙니다" in text


def test_a_missing_value_is_an_error_not_a_blank() -> None:
    import jinja2

    with pytest.raises(jinja2.UndefinedError):
        render("deficiency", COMMON)


def test_form_values_cannot_inject_word_markup() -> None:
    hostile = '</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>APPROVED'
    content, _ = render("acknowledgement", {**COMMON, "officer": hostile})
    text = document_text(content)
    assert "<w:b/></w:rPr><w:t>APPROVED" not in text
    assert "&lt;/w:t&gt;" in text


def test_the_disclosure_letter_says_per_target_what_was_produced_and_withheld() -> None:
    from ledesk.policy.schema import LogRetentionRule
    from ledesk.vault.production import OUTCOME_LETTER, per_target

    kept = LogRetentionRule(internet_logs_months=3, ip_access_months=3, call_detail_months=12)
    scope = [
        {"value": "+821012345678", "outcome": "produce", "produced": [{"category": "ip_logs", "records": 1}],
         "withheld": [{"category": "content", "why": "the search warrant does not permit it"}]},
        {"value": "other@example.com", "outcome": "no_data", "produced": [],
         "withheld": [{"category": "ip_logs", "why": "no such account"}]},
        {"value": "old@example.com", "outcome": "out_of_retention", "produced": [{"category": "ip_logs", "records": 0}],
         "withheld": []}]
    assert per_target(scope, kept).splitlines() == [
        "+821012345678: produced IP address logs (1 record); withheld content: the search warrant does not permit it",
        "other@example.com: no records",
        "old@example.com: no records: the records asked for are older than we keep them (internet and IP access "
        "logs 3 months, call detail 12 months)"]
    assert per_target(scope, kept, "ko").splitlines()[:2] == ["+821012345678: 제공 IP 접속 기록(1건); 미제공 통신 내용",
                                                              "other@example.com: 자료 없음"]
    # A target that is produced gets no outcome letter; every other outcome gets exactly one kind.
    assert "produce" not in OUTCOME_LETTER and OUTCOME_LETTER["redirected"] == OUTCOME_LETTER["not_held"] == "redirect"


# What each recipient must not read: the account holder never learns who asked, from which unit, under
# which reference (the notice tells them a request exists and when data may go, nothing of the file).
MUST_NOT_SEE = {"user": ("Kim Min-jun", "Seoul Metropolitan Police Agency", "SMPA-1", "Cyber Investigation")}


@pytest.mark.parametrize("kind", sorted(LETTERS))
def test_every_letter_shows_its_recipient_only_what_they_may_see(kind: str) -> None:
    recipient = "user" if LETTERS[kind].to_user else "authority"
    context = {**COMMON, **EXTRA, "authority": "Seoul Metropolitan Police Agency, Cyber Investigation Unit",
               "account": "hong.gildong@example.com", "provide_on": "2026-12-08", "delayed": False}
    text = document_text(render(kind, context)[0])
    for field in MUST_NOT_SEE.get(recipient, ()):
        assert field not in text, (kind, recipient, field)
    if recipient == "authority":
        assert "Kim Min-jun" in text and "SMPA-1" in text  # the authority's letters are addressed to it


def test_the_user_notice_is_addressed_to_the_user_and_says_the_same_in_both_languages() -> None:
    text = document_text(render("user_notice", {**COMMON, "account": "hong.gildong@example.com",
                                                "provide_on": "2026-12-08", "delayed": False})[0])
    assert "holder of the account hong.gildong@example.com" in text and "hong.gildong@example.com 이용자" in text
    assert "on or after 8 December 2026 (Asia/Seoul), not before" in text
    assert "2026. 12. 8.(한국 시간) 이후에 제공되며 그 전에는 제공되지 않습니다" in text
    delayed = document_text(render("user_notice", {**COMMON, "account": "a", "delayed": True})[0])
    assert "delayed this notice" in delayed and "늦게 발송되었습니다" in delayed and "on or after" not in delayed


def plain_text(content: bytes) -> str:
    import re

    return re.sub(r"<[^>]+>", "", document_text(content))


@pytest.mark.parametrize("kind", sorted(LETTERS))
def test_no_letter_shows_an_iso_date_a_utc_stamp_or_a_plural_left_to_the_reader(kind: str) -> None:
    import re
    from zoneinfo import ZoneInfo

    context = {**COMMON, **EXTRA, "account": "a@example.com", "provide_on": "2026-12-08", "delayed": False,
               "download_until": "2027-01-01", "manifest_sha256": "cd" * 32, "key_fingerprint": "ef" * 8,
               "portal_path": "/portal/LE-0123456789", "portal_link": "https://ledesk.provider.example/portal/LE-1",
               "key_store": "the provider's key store", "key_id": "H-1", "method": "erased"}
    text = plain_text(render(kind, context, ZoneInfo("Asia/Seoul"))[0])
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text), (kind, re.findall(r".{30}\d{4}-\d{2}-\d{2}.{10}", text))
    assert "+00:00" not in text and "(s)" not in text and "1 encrypted parts" not in text
    assert "1 December 2026 / 2026. 12. 1." in text  # the letter's date, in both languages' ways
    if kind == "destruction_certificate":  # the instant is the team's: 09:05 in Seoul, not 00:05 UTC
        assert "3 March 2027, 09:05 (Asia/Seoul)" in text and "2027. 3. 3. 09:05에 파기" in text
        assert "1 encrypted part deleted" in text
    if kind == "disclosure_cover":
        assert "https://ledesk.provider.example/portal/LE-1" in text and "2027. 1. 1.까지" in text


def test_a_letter_is_signed_by_the_name_and_title_on_record_and_the_seal_line_never_a_login_id() -> None:
    signed = {**COMMON, "signatory": "Park Ji-won (박지원)", "signatory_title": "Senior Counsel / 선임 변호사",
              "seal_line": "LE Desk Cloud Legal Team (seal) / LE Desk Cloud 법무팀 (직인)"}
    text = plain_text(render("acknowledgement", signed)[0])
    assert "Park Ji-won (박지원)Senior Counsel / 선임 변호사LE Desk Cloud Legal Team (seal)" in text
    unsigned = plain_text(render("acknowledgement", COMMON)[0])
    assert "LE Desk Cloud Legal Team / LE Desk Cloud 법무팀" in unsigned


def test_a_rejection_says_its_reason_in_words_in_both_languages() -> None:
    from ledesk.states.messages import reject_reason

    text = plain_text(render("rejection", {**COMMON, "reason": reject_reason("vague_or_overbroad"),
                                           "reason_ko": reject_reason("vague_or_overbroad", "ko")})[0])
    assert "declined: the request is too vague or too broad" in text
    assert "다음 사유로 요청을 거절합니다: 요청 대상 자료를 특정할 수 없을" in text
    assert "vague_or_overbroad" not in text and reject_reason("no_such_code") == reject_reason("other")
