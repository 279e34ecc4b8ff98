"""`Authentication-Results` read as RFC 8601 (section 2.2) defines it, so that only what the provider's
own mail server concluded counts as a verdict:

    authres-header = authserv-id [ CFWS authres-version ] ( no-result / 1*resinfo )
    resinfo        = ";" methodspec [ reasonspec ] *propspec
    methodspec     = method [ "/" version ] "=" result
    propspec       = ptype "." property "=" pvalue

Comments (parenthesised, nested) and quoted strings are never read as a verdict, and neither is a
property value such as `smtp.mailfrom=dmarc=pass@evil.example`. The deployment must make the mail server
strip incoming headers that carry its own authserv-id (RFC 8601 section 5); every header that carries it
is read, and they must agree."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_HEADER = 8192


@dataclass(frozen=True)
class Result:
    method: str                      # dmarc, spf, dkim, ... (case-folded)
    result: str                      # pass, fail, none, ... (case-folded)
    properties: dict[str, str] = field(default_factory=dict)  # "header.from" -> "police.go.kr"


@dataclass(frozen=True)
class Header:
    authserv_id: str
    results: tuple[Result, ...]


class Unreadable(ValueError):
    """A header that does not follow the grammar: it says nothing."""


# Inside a quoted string these characters are data, never syntax; they are restored in property values.
_INERT = {";": "\x00", "=": "\x01", " ": "\x02", "\t": "\x02"}
_RESTORE = {"\x00": ";", "\x01": "=", "\x02": " "}


def _strip_comments(text: str) -> str:
    """The value with comments removed and each quoted string made one inert token."""
    out: list[str] = []
    depth, quoted, escaped = 0, False, False
    for ch in text:
        if escaped:
            escaped = False
            if depth == 0:
                out.append(_INERT.get(ch, ch) if quoted else ch)
        elif ch == "\\":
            escaped = True
        elif quoted:
            if ch == '"':
                quoted = False
            else:
                out.append(_INERT.get(ch, ch))
        elif ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                raise Unreadable("unbalanced comment")
            depth -= 1
        elif depth:
            continue
        elif ch == '"':
            quoted = True
        else:
            out.append(ch)
    if depth or quoted:
        raise Unreadable("unterminated comment or quoted string")
    return " ".join("".join(out).split())


def _restore(value: str) -> str:
    return "".join(_RESTORE.get(ch, ch) for ch in value)


def _result(resinfo: str) -> Result:
    tokens = resinfo.split()
    if not tokens or "=" not in tokens[0]:
        raise Unreadable(f"no method=result in {resinfo[:60]!r}")
    method, _, result = tokens[0].partition("=")
    method = method.split("/", 1)[0].casefold()
    if not method.replace("-", "").isalnum() or not result.replace("-", "").isalpha():
        raise Unreadable(f"bad methodspec {tokens[0][:60]!r}")
    properties: dict[str, str] = {}
    rest = tokens[1:]
    if rest and rest[0].casefold().startswith("reason="):
        rest = rest[1:]
    for token in rest:
        key, eq, value = token.partition("=")
        ptype, dot, prop = key.partition(".")
        if not eq or not dot or not ptype.isalpha() or not prop:
            raise Unreadable(f"bad propspec {token[:60]!r}")
        properties[f"{ptype.casefold()}.{prop.casefold()}"] = _restore(value)
    return Result(method, result.casefold(), properties)


def parse(value: str) -> Header:
    if len(value) > MAX_HEADER:
        raise Unreadable("header too long")
    text = _strip_comments(value)
    head, *resinfos = text.split(";")
    words = head.split()
    if not words:
        raise Unreadable("no authserv-id")
    results = tuple(_result(r.strip()) for r in resinfos if r.strip() and r.strip().casefold() != "none")
    return Header(words[0].casefold(), results)


@dataclass(frozen=True)
class Verdict:
    dmarc: str | None      # pass / fail / none..., or None when our server added no header
    aligned: bool          # the dmarc=pass names header.from equal to the From domain
    problem: str = ""      # why a header could not be trusted, when one could not


def dmarc_verdict(values: list[str], authserv_id: str, from_domain: str) -> Verdict:
    """What the provider's own server said about DMARC for this From domain. Every header with our
    authserv-id is read; one that cannot be parsed, or two that disagree, make the verdict not a pass."""
    ours: list[Header] = []
    for value in values:
        try:
            header = parse(value)
        except Unreadable as exc:
            claimed = value.strip().split(";", 1)[0].split()
            if claimed and claimed[0].casefold() == authserv_id.casefold():
                return Verdict("unreadable", False, f"our Authentication-Results header is unreadable: {exc}")
            continue
        if header.authserv_id == authserv_id.casefold():
            ours.append(header)
    if not ours:
        return Verdict(None, False)
    verdicts = {(r.result, r.properties.get("header.from", "").casefold().rstrip("."))
                for h in ours for r in h.results if r.method == "dmarc"}
    if not verdicts:
        return Verdict("none", False)
    if len(verdicts) > 1:
        return Verdict("conflicting", False, "our Authentication-Results headers disagree about DMARC")
    [(result, header_from)] = verdicts
    return Verdict(result, result == "pass" and header_from == from_domain.casefold().rstrip("."))
