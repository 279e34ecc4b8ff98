"""Charts as PNG bytes, drawn with matplotlib's non-interactive backend (no display on servers)."""

from __future__ import annotations

import contextlib
import glob
import io
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # after use("Agg"): the backend must be chosen before pyplot loads
from matplotlib import font_manager
from matplotlib.ticker import MaxNLocator

log = logging.getLogger(__name__)
CJK = "Noto Sans CJK KR"
CJK_FILES = "/usr/share/fonts/**/NotoSansCJK*.tt[cf]"  # Debian's fonts-noto-cjk


def cjk_font(fonts: Any = None, files: str = CJK_FILES, cache: Path | None = None) -> bool:
    """Korean labels need a CJK font; matplotlib falls back to it per glyph. A font cache written before
    fonts-noto-cjk was installed does not know it, and Korean would show as boxes: then say so, add the
    installed files, and rewrite the cache so the next start knows them too."""
    fonts = fonts or font_manager.fontManager
    if not any(f.name == CJK for f in fonts.ttflist):
        found = sorted(glob.glob(files, recursive=True))
        if not found:
            return False
        cache = cache or Path(matplotlib.get_cachedir()) / f"fontlist-v{font_manager.FontManager.__version__}.json"
        log.warning("matplotlib's font cache %s predates the CJK fonts (%s): adding them and rebuilding it",
                    cache, ", ".join(found))
        for path in found:
            fonts.addfont(path)
        with contextlib.suppress(OSError):
            font_manager.json_dump(fonts, cache)
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", CJK]
    return any(f.name == CJK for f in fonts.ttflist)


cjk_font()

# The operators' picture in the web UI's two languages (the CLI and the Prefect UI draw it in English).
PICTURE_WORDS: dict[str, dict[str, str]] = {
    "en": {"title": "LE Desk operators' picture at {when}", "open": "Open cases by state ({n})", "cases": "cases",
           "none_open": "(none open)", "overdue": "overdue", "due_24h": "due\nin 24 h", "due_7d": "due\nin 7 days",
           "failed": "failed\ntimers", "deadlines": "Deadlines", "median": "Median hours, receipt to decision",
           "none_decided": "(none decided)",
           "ack": "emergencies acknowledged: {n}, median {median} min, slowest {slowest} min;\n"
                  "open and unacknowledged: {open}"},
    "ko": {"title": "LE Desk 운영 현황 ({when})", "open": "상태별 진행 중 사건 ({n}건)", "cases": "사건 수",
           "none_open": "(진행 중 사건 없음)", "overdue": "기한 경과", "due_24h": "24시간 내\n기한",
           "due_7d": "7일 내\n기한",
           "failed": "실패한\n타이머", "deadlines": "기한", "median": "접수부터 결정까지 시간(중앙값)",
           "none_decided": "(결정된 사건 없음)",
           "ack": "긴급 요청 접수 확인: {n}건, 중앙값 {median}분, 최장 {slowest}분;\n미확인 긴급 요청: {open}건"},
}


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def requests_per_month(months: dict[str, dict[str, Any]], title: str) -> bytes:
    """Stacked bars: requests received per month by instrument; a line: the share with data produced."""
    labels = list(months)
    instruments = sorted({i for m in months.values() for i in m["by_instrument"]})
    fig, ax = plt.subplots(figsize=(9, 4.5))
    bottom = [0] * len(labels)
    for instrument in instruments:
        values = [months[m]["by_instrument"].get(instrument, 0) for m in labels]
        ax.bar(labels, values, bottom=bottom, label=instrument.replace("_", " "))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylabel("requests received")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max([1, *bottom]) * 1.25)  # headroom for the legend
    ax.set_title(title)
    ax.tick_params(axis="x", labelrotation=45)
    share = ax.twinx()
    share.plot(labels, [100 * months[m]["produced_share"] for m in labels], color="black", marker="o",
               label="% with data produced")
    share.set_ylim(0, 100)
    share.set_ylabel("% of requests with some data produced")
    handles, names = ax.get_legend_handles_labels()
    more, more_names = share.get_legend_handles_labels()
    ax.legend(handles + more, names + more_names, loc="upper left", fontsize="small", framealpha=0.9)
    if not labels:
        ax.text(0.5, 0.5, "no requests in this period", ha="center", va="center", transform=ax.transAxes)
    return _png(fig)


def operators_picture(picture: dict[str, Any], when: str, lang: str = "en",
                      names: Mapping[str, str] | None = None) -> bytes:
    """Open cases by state; deadlines ahead and overdue; how fast cases are decided and emergencies
    acknowledged. `when` is the picture's time as the reader reads it; `names` are the words for the
    states and kinds (their own names, underscores as spaces, when not given)."""
    w = PICTURE_WORDS.get(lang, PICTURE_WORDS["en"])

    def name(value: str) -> str:
        return (names or {}).get(value) or value.replace("_", " ")

    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(14, 4), gridspec_kw={"width_ratios": [4, 4, 3]})
    states = picture["open_by_state"]
    left.barh([name(s) for s in states] or [w["none_open"]], list(states.values()) or [0], height=0.6,
              color="#4472c4")
    left.set_title(w["open"].format(n=picture["open_total"]))
    left.set_xlabel(w["cases"])
    left.xaxis.set_major_locator(MaxNLocator(integer=True))
    left.set_xlim(0, max([1, *states.values()]) * 1.1)
    bars = [w["overdue"], w["due_24h"], w["due_7d"], w["failed"]]
    values = [picture["overdue_count"], picture["due_next_24h"], picture["due_next_7d"], picture["failed_timers"]]
    middle.bar(bars, values, color=["#c00000", "#ed7d31", "#ffc000", "#7f7f7f"])
    middle.set_title(w["deadlines"])
    middle.yaxis.set_major_locator(MaxNLocator(integer=True))
    middle.set_ylim(0, max([1, *values]) * 1.15)
    for position, value in enumerate(values):
        middle.annotate(str(value), (position, value), ha="center", va="bottom")
    decided = {name(kind): hours for kind, hours in picture["median_hours_to_decision"].items()
               if hours is not None}
    right.bar(list(decided) or [w["none_decided"]], list(decided.values()) or [0], color="#70ad47")
    right.set_title(w["median"])
    right.set_ylim(0, max([1.0, *decided.values()]) * 1.2)
    for position, hours in enumerate(decided.values()):
        right.annotate(f"{hours:g}", (position, hours), ha="center", va="bottom")
    ack = picture["emergency_acknowledgement"]
    right.set_xlabel(w["ack"].format(n=ack["acknowledged"], median=_figure(ack["median_minutes"]),
                                     slowest=_figure(ack["max_minutes"]), open=ack["open_unacknowledged"]),
                     fontsize="small")
    fig.suptitle(w["title"].format(when=when), fontsize="medium")
    fig.tight_layout()
    return _png(fig)


def _figure(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"
