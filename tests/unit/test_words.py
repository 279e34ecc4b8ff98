"""The web UI's words exist in both languages, for every label, trigger and state."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledesk.api.i18n import STATE_WORDS, TRIGGER_WORDS, WORDS
from ledesk.models.enums import CaseState
from ledesk.states.machine import TRIGGERS


def test_every_label_trigger_and_state_has_english_and_korean() -> None:
    assert set(WORDS["en"]) == set(WORDS["ko"])
    for lang in ("en", "ko"):
        assert set(TRIGGER_WORDS[lang]) == {str(t) for t in TRIGGERS}, lang
        assert set(STATE_WORDS[lang]) == {s.value for s in CaseState}, lang
    # A button says what the legal team does, never the trigger's name.
    assert all(TRIGGER_WORDS["en"][t] != t for t in TRIGGER_WORDS["en"])
    assert TRIGGER_WORDS["ko"]["recommend_disclosure"] == "제공 권고"


def test_every_value_a_page_shows_has_korean() -> None:
    from ledesk.api.i18n import VALUE_WORDS_KO
    from ledesk.models.enums import CaseKind, HoldStatus, NoticeReason, NoticeStatus, Role, TargetOutcome, TimerKind

    for enum in (CaseKind, HoldStatus, NoticeStatus, Role, TargetOutcome, TimerKind):
        assert {m.value for m in enum} <= set(VALUE_WORDS_KO), enum
    assert {m.value for m in NoticeReason if m.value} <= set(VALUE_WORDS_KO)


def test_the_operators_chart_has_every_word_in_both_languages_and_draws_korean_glyphs() -> None:
    import warnings

    import pytest

    from ledesk.reports import chart

    assert set(chart.PICTURE_WORDS["en"]) == set(chart.PICTURE_WORDS["ko"])
    if not any(f.name == "Noto Sans CJK KR" for f in chart.font_manager.fontManager.ttflist):
        pytest.skip("no CJK font (apt-get install fonts-noto-cjk): Korean would draw as boxes")
    doc = {"open_by_state": {"received": 2}, "open_total": 2, "overdue_count": 0, "due_next_24h": 1,
           "due_next_7d": 1, "failed_timers": 0, "median_hours_to_decision": {"emergency": 1.5},
           "emergency_acknowledgement": {"acknowledged": 1, "median_minutes": 3, "max_minutes": 3,
                                         "open_unacknowledged": 0}}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font" for every box it draws
        png = chart.operators_picture(doc, "2026-12-01 09:00", "ko", {"received": "접수", "emergency": "긴급 요청"})
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_font_cache_older_than_the_cjk_fonts_is_said_and_rebuilt(tmp_path: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    import copy
    import glob

    from ledesk.reports import chart

    if not glob.glob(chart.CJK_FILES, recursive=True):
        pytest.skip("no CJK font files (apt-get install fonts-noto-cjk)")
    stale = copy.deepcopy(chart.font_manager.fontManager)  # a cache written before fonts-noto-cjk
    stale.ttflist = [f for f in stale.ttflist if "CJK" not in f.name]
    cache = tmp_path / "fontlist.json"
    with caplog.at_level("WARNING"):
        assert chart.cjk_font(stale, cache=cache)
    assert "predates the CJK fonts" in caplog.text and chart.CJK in cache.read_text()
    assert any(f.name == chart.CJK for f in stale.ttflist)


def test_every_step_a_timeline_shows_has_words_and_system_reasons_are_said_in_words() -> None:
    import re

    from ledesk.api.i18n import EVENT_WORDS, timeline_reason, timeline_step

    assert set(EVENT_WORDS["en"]) == set(EVENT_WORDS["ko"])
    source = "\n".join(p.read_text() for p in (Path(__file__).parents[2] / "ledesk").rglob("*.py"))
    case_steps = set(re.findall(r'Step\("([a-z_]+)"', source))
    case_events = set(re.findall(r'EventDraft\(case[._a-z]*, "([a-z_]+)"', source))
    assert case_steps and case_events
    for action in case_steps | case_events:
        for lang in ("en", "ko"):
            assert timeline_step(action, lang) != action.replace("_", " "), (action, lang)
    assert timeline_step("timer:cure_deadline", "ko") == "기한 도래: 보완 기한"
    assert timeline_reason("notice_lead_time passed", "en") == "notice lead time: passed"
    assert timeline_reason("notice_lead_time passed", "ko") == "통지 후 대기 기간 경과"
    assert timeline_reason("legal_process request from police.go.kr by portal", "ko") == \
        "police.go.kr의 법적 절차, 포털(으)로 접수"
    assert timeline_reason("insufficient_instrument: policy declines it", "en") == \
        "the legal instrument does not authorise the disclosure asked for: policy declines it"
    assert timeline_reason("covers it: see the warrant", "en") == "covers it: see the warrant"  # a person's words


def test_every_rule_that_can_refuse_a_step_is_said_in_korean() -> None:
    from ledesk.api.i18n import REFUSAL_WORDS_KO, refusal
    from ledesk.states import roles
    from ledesk.states.guards import GUARDS

    assert set(GUARDS) <= set(REFUSAL_WORDS_KO), set(GUARDS) - set(REFUSAL_WORDS_KO)
    assert {"actor_role", "known_actor"} <= set(REFUSAL_WORDS_KO) and roles
    assert refusal("nobody has recommended disclosure yet (rule: recommended)", "recommended", "ko") == \
        "아직 제공 권고가 없습니다. (nobody has recommended disclosure yet (rule: recommended))"
    assert refusal("x (rule: recommended)", "recommended", "en") == "x (rule: recommended)"
    assert refusal("a.txt: intake takes .json, .docx or .eml", None, "ko", "bad_input") == \
        "입력 내용을 처리할 수 없습니다. (a.txt: intake takes .json, .docx or .eml)"
    from ledesk.api.i18n import REFUSAL_CODES_KO
    from ledesk.states import errors

    codes = {c.code for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.LedeskError)}
    assert codes - {"error", "guard_refused"} <= set(REFUSAL_CODES_KO), codes - set(REFUSAL_CODES_KO)


def test_why_a_category_is_withheld_is_said_in_korean() -> None:
    from ledesk.api.i18n import withheld_words
    from ledesk.states.phrasing import instrument

    assert withheld_words(f"the {instrument('preservation_request')} does not permit it", "ko") == \
        "보전 요청(으)로는 제공할 수 없습니다"
    assert withheld_words("the search warrant does not permit it", "en") == "the search warrant does not permit it"
