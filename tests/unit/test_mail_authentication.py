"""Authentication-Results read as RFC 8601 defines it: the attacks that a regular expression falls for
(a verdict in a property value, a comment, a quoted string, another server's header) are never a pass."""

from __future__ import annotations

import pytest

from ledesk.adapters.intake import email_domain
from ledesk.intake.authresults import Unreadable, dmarc_verdict, parse
from ledesk.states.lookalike import imitated, unicode_domain

OURS = "mail.ledesk.local"
POLICE = "police.go.kr"


def verdict(*values: str, domain: str = POLICE) -> tuple[str | None, bool]:
    v = dmarc_verdict(list(values), OURS, domain)
    return v.dmarc, v.aligned


def test_a_real_pass_for_the_from_domain() -> None:
    assert verdict(f"{OURS}; spf=pass smtp.mailfrom=kim@{POLICE}; dkim=pass header.d={POLICE}; "
                   f"dmarc=pass (p=reject) header.from={POLICE}") == ("pass", True)
    assert verdict(f"{OURS.upper()} 1; dmarc=pass header.from={POLICE.upper()}.") == ("pass", True)


@pytest.mark.parametrize("forged", [
    f"{OURS}; spf=pass smtp.mailfrom=dmarc=pass@evil.example",                       # a verdict in a value
    f"{OURS}; spf=fail (dmarc=pass header.from={POLICE}) smtp.mailfrom=a@evil.example",  # in a comment
    f'{OURS}; spf=pass smtp.mailfrom="x; dmarc=pass header.from={POLICE}"',             # in a quoted string
    f"{OURS}; dmarc=pass header.from=evil.example",                                  # passed for someone else
    f"{OURS}; dmarc=fail header.from={POLICE}",
    f"{OURS}; dmarc=pass (unterminated header.from={POLICE}",                        # unreadable
    f"{OURS}; none",
])
def test_forged_or_failed_verdicts_are_never_a_pass(forged: str) -> None:
    assert verdict(forged) != ("pass", True)


def test_only_our_server_counts_and_our_headers_must_agree() -> None:
    assert verdict(f"relay.evil.example; dmarc=pass header.from={POLICE}") == (None, False)
    assert verdict(f"{OURS}; dmarc=pass header.from={POLICE}", f"{OURS}; dmarc=fail header.from={POLICE}") == (
        "conflicting", False)


def test_the_grammar_keeps_properties_apart_from_results() -> None:
    header = parse(f"{OURS}; spf=pass smtp.mailfrom=dmarc=pass@evil.example; dkim=pass reason=\"good key\" "
                   "header.d=evil.example")
    assert [(r.method, r.result) for r in header.results] == [("spf", "pass"), ("dkim", "pass")]
    assert header.results[0].properties == {"smtp.mailfrom": "dmarc=pass@evil.example"}
    with pytest.raises(Unreadable):
        parse(f"{OURS}; dmarc pass")


def test_an_officer_or_sender_email_is_exactly_one_plain_address() -> None:
    assert email_domain(f"kim@{POLICE}") == POLICE
    for listed in (f"kim@{POLICE}, evil@evil.example", f"kim@{POLICE};x@y.z", f"Kim <kim@{POLICE}>",
                   f"kim@evil.example@{POLICE}", f'"kim@{POLICE}"@evil.example'):
        assert email_domain(listed) == "", listed


def test_punycode_look_alikes_are_decoded_and_caught() -> None:
    cyrillic = "pоlice.go.kr"  # the о is Cyrillic
    encoded = cyrillic.encode("idna").decode("ascii")
    assert encoded.startswith("xn--") and unicode_domain(encoded) == cyrillic
    assert imitated(encoded, [POLICE]) == POLICE
