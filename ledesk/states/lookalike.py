"""Sender domains that imitate an allow-listed authority: one or two letters off, or the same once
confusable characters are folded (police-go.kr, po1ice.go.kr, pоlice.go.kr with a Cyrillic о)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

_CONFUSABLE = str.maketrans({
    "0": "o", "1": "l", "i": "l", "|": "l", "5": "s", "$": "s", "3": "e", "4": "a", "@": "a", "7": "t",
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "l", "ј": "j", "ԁ": "d",
    "ɡ": "g", "ո": "n", "ս": "u", "ν": "v", "ο": "o", "κ": "k", "-": "", "_": "", ".": "",
})


def skeleton(domain: str) -> str:
    text = unicodedata.normalize("NFKC", domain).casefold().translate(_CONFUSABLE)
    return text.replace("rn", "m").replace("vv", "w")


def distance(a: str, b: str, cap: int = 3) -> int:
    """Levenshtein distance, stopping early once it exceeds `cap`."""
    if abs(len(a) - len(b)) > cap:
        return cap + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > cap:
            return cap + 1
        previous = current
    return previous[-1]


def unicode_domain(domain: str) -> str:
    """A domain as people read it: punycode labels (xn--...) decoded, so a look-alike hidden in them is
    judged like the Unicode one."""
    try:
        return domain.encode("ascii").decode("idna")
    except (UnicodeError, ValueError):
        return domain


def imitated(domain: str, listed: Iterable[str]) -> str | None:
    """The allow-listed domain this one imitates, if any (never the domain itself or its subdomains)."""
    domain = unicode_domain(domain.casefold()).casefold()
    for real in listed:
        if domain == real or domain.endswith("." + real):
            return None
    for real in listed:
        if skeleton(domain) == skeleton(real) or distance(domain, real) <= 2:
            return real
        if real.split(".")[0] in domain and len(real.split(".")[0]) >= 4:
            return real  # e.g. police.go.kr.example.com or police-go-kr.com
    return None
