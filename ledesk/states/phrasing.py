"""How a letter writes a day, an instant and a count: `2 December 2026` and `2026. 12. 2.`, an instant in
the legal team's zone (never a UTC ISO stamp), `1 record` and `2 records`. Pure: the zone is an argument."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def _local(value: date | datetime | str, zone: tzinfo | None) -> date | datetime:
    """A day stays a day; an instant is read in `zone` (a letter never shows UTC)."""
    if isinstance(value, str):
        value = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    if isinstance(value, datetime) and zone is not None and value.tzinfo is not None:
        value = value.astimezone(zone)
    return value


def english_date(value: date | datetime | str, zone: tzinfo | None = None) -> str:
    """`2 December 2026`; an instant also has its time: `3 March 2027, 09:05`."""
    when = _local(value, zone)
    day = f"{when.day} {MONTHS[when.month - 1]} {when.year}"
    return f"{day}, {when:%H:%M}" if isinstance(when, datetime) else day


def korean_date(value: date | datetime | str, zone: tzinfo | None = None) -> str:
    """`2026. 12. 2.`, as Korean letters write a day; an instant also has its time: `2027. 3. 3. 09:05`."""
    when = _local(value, zone)
    day = f"{when.year}. {when.month}. {when.day}."
    return f"{day} {when:%H:%M}" if isinstance(when, datetime) else day


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """`1 record`, `2 records`, `0 records`."""
    return f"{number} {noun if number == 1 else (plural or noun + 's')}"


# Data categories as a letter names them (the code stays in the data and the API).
CATEGORY_WORDS: dict[str, tuple[str, str]] = {
    "subscriber_info": ("subscriber information", "가입자 정보"), "access_logs": ("access logs", "접속 기록"),
    "ip_logs": ("IP address logs", "IP 접속 기록"), "traffic_data": ("traffic data", "통신사실확인자료"),
    "content": ("content", "통신 내용"), "other": ("other data", "기타 자료"),
}


def category(code: str, lang: str = "en") -> str:
    en, ko = CATEGORY_WORDS.get(code, (code.replace("_", " "), code.replace("_", " ")))
    return ko if lang == "ko" else en


# Instruments and regimes as the legal team says them (letters, pages, the CLI's words), English and Korean.
INSTRUMENT_WORDS: dict[str, tuple[str, str]] = {
    "search_warrant": ("search warrant", "압수·수색영장"), "court_permission": ("court permission", "법원의 허가서"),
    "subpoena": ("subpoena", "소환장"), "statutory_request": ("statutory request", "법령에 따른 요청"),
    "preservation_request": ("preservation request", "보전 요청"), "emergency": ("emergency request", "긴급 요청"),
    "mlat": ("mutual legal assistance request", "국제형사사법공조 요청"),
}
REGIME_WORDS: dict[str, tuple[str, str]] = {
    "KR_WARRANT": ("warrant (Criminal Procedure Act)", "영장(형사소송법)"),
    "KR_PCSA13": ("communication confirmation (PCSA art. 13)", "통신사실확인자료 제공 요청(통신비밀보호법 제13조)"),
    "KR_TBA83": ("subscriber data (TBA art. 83(3))", "통신이용자정보 제공 요청(전기통신사업법 제83조제3항)"),
    "KR_CPA215_2": ("statutory preservation (CPA art. 215-2)", "보전 요청(형사소송법 제215조의2)"),
    "KR_OTHER": ("other Korean request", "기타 국내 요청"),
    "POLICY_PRESERVATION": ("voluntary preservation", "임의 보전 요청"),
    "FOREIGN_DIRECT": ("foreign authority's direct request", "외국 수사기관의 직접 요청"),
    "MLAT_VIA_MOJ": ("mutual legal assistance via the Ministry of Justice", "법무부를 통한 국제형사사법공조"),
    "EMERGENCY": ("emergency", "긴급 요청"),
}


def instrument(code: str | None, lang: str = "en") -> str:
    en, ko = INSTRUMENT_WORDS.get(code or "", ((code or "instrument").replace("_", " "),) * 2)
    return ko if lang == "ko" else en


def regime(code: str | None, lang: str = "en") -> str:
    en, ko = REGIME_WORDS.get(code or "", (code or "-",) * 2)
    return ko if lang == "ko" else en
