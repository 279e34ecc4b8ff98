"""Korean particles chosen by the word before them (`자료를`, `LE Desk Cloud는`, `LE-12AB로`), never the
`을(를)` of a form letter. The rule is the final consonant (받침) of the last syllable as it is read: a
Hangul syllable carries it in its code point; a digit and a Latin word are read the Korean way."""

from __future__ import annotations

import re

# particle pairs: (after a final consonant, after a vowel)
PAIRS = {"을/를": ("을", "를"), "이/가": ("이", "가"), "은/는": ("은", "는"), "과/와": ("과", "와"),
         "아/야": ("아", "야"), "으로/로": ("으로", "로"), "이라/라": ("이라", "라")}
RIEUL = 8  # ㄹ as a final consonant: takes 로, not 으로
# How digits are read: 영 일 이 삼 사 오 육 칠 팔 구 (final consonant index, 0 for none).
DIGIT_FINAL = {"0": 21, "1": RIEUL, "2": 0, "3": 16, "4": 0, "5": 0, "6": 1, "7": RIEUL, "8": RIEUL, "9": 0}
# A Latin letter spelled out at the end of an abbreviation (LE, PCSA, ID): 엘, 엠, 엔 end in a consonant.
LETTER_FINAL = {"l": RIEUL, "m": 16, "n": 4, "r": RIEUL}


def _latin_final(word: str) -> int:
    """The final consonant of a Latin word read in Korean: Cloud 클라우드, Desk 데스크 (none); Google 구글,
    Team 팀, Seoul 서울, Kim 김, Station 스테이션 (one); an all-capital abbreviation by its last letter."""
    if word.isupper() and len(word) <= 5:
        return LETTER_FINAL.get(word[-1].lower(), 0)
    w = word.lower()
    if w.endswith(("ng", "m", "n")):
        return 21 if w.endswith("ng") else (16 if w.endswith("m") else 4)
    if w.endswith(("l", "le")):
        return RIEUL
    return 0


def final_consonant(text: str) -> int:
    """The final consonant index (0: none) of how `text` ends when read aloud in Korean."""
    stripped = re.sub(r"[\s\)\]\"'”’.,!?]+$", "", text)
    if not stripped:
        return 0
    last = stripped[-1]
    if "가" <= last <= "힣":
        return (ord(last) - 0xAC00) % 28
    if last.isdigit():
        return DIGIT_FINAL.get(last, 0)
    word = re.findall(r"[A-Za-z]+$", stripped)
    return _latin_final(word[0]) if word else 0


def particle(word: str, pair: str) -> str:
    """`word` followed by the right one of `pair` ("을/를", "이/가", "은/는", "과/와", "으로/로", ...)."""
    after_consonant, after_vowel = PAIRS[pair]
    final = final_consonant(word)
    if pair == "으로/로":
        return word + (after_vowel if final in (0, RIEUL) else after_consonant)
    return word + (after_consonant if final else after_vowel)
