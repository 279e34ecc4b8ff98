"""The web UI's words exist in both languages, for every label, trigger and state."""

from __future__ import annotations

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
    assert TRIGGER_WORDS["ko"]["recommend_disclosure"] == "공개 권고"


def test_every_value_a_page_shows_has_korean() -> None:
    from ledesk.api.i18n import VALUE_WORDS_KO
    from ledesk.models.enums import CaseKind, HoldStatus, NoticeReason, NoticeStatus, TargetOutcome, TimerKind

    for enum in (CaseKind, HoldStatus, NoticeStatus, TargetOutcome, TimerKind):
        assert {m.value for m in enum} <= set(VALUE_WORDS_KO), enum
    assert {m.value for m in NoticeReason if m.value} <= set(VALUE_WORDS_KO)
