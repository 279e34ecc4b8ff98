"""Intake of a hostile mail corpus: forged Authentication-Results, From headers hiding a second address,
20,000 empty MIME parts, deep nesting, unknown charsets, look-alike and punycode senders. Each message
goes through the same e-mail intake as the official mailbox's, on SQLite; the figure is the slowest
refusal, next to the time the standard library's parser alone takes for one well-formed request e-mail
(the floor any intake pays), measured in the same run."""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime
from email import policy as email_policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from ledesk.models.db import make_engine
from ledesk.models.migrate import upgrade
from ledesk.models.tables import authorities

SUBJECT = "Law Enforcement Agency Disclosure Request"
OURS = "mail.ledesk.local"


def _mail(sender: str = "kim@police.go.kr", from_value: str | None = None, auth: str | None = None,
          charset: str = "utf-8") -> bytes:
    msg = EmailMessage()
    msg["From"] = from_value or f"Kim <{sender}>"
    msg["Subject"] = SUBJECT
    msg["Authentication-Results"] = auth or f"{OURS}; dmarc=pass header.from={sender.split('@')[1]}"
    msg.set_content("Emergency: please call back.")
    msg.add_attachment(b'{"kind": "emergency"}', maintype="application", subtype="json", filename="e.json")
    data = bytes(msg)
    return data.replace(b'charset="utf-8"', f'charset="{charset}"'.encode()) if charset != "utf-8" else data


def corpus() -> dict[str, bytes]:
    parts = b"".join(b"--B\r\nContent-Type: text/plain\r\n\r\nx\r\n" for _ in range(20_000))
    nested = b"".join(f"Content-Type: multipart/mixed; boundary=N{i}\r\n\r\n--N{i}\r\n".encode() for i in range(50))
    head = f"From: kim@police.go.kr\r\nSubject: {SUBJECT}\r\n".encode()
    return {
        "verdict in a property": _mail(auth=f"{OURS}; spf=pass smtp.mailfrom=dmarc=pass@evil.example"),
        "verdict in a comment": _mail(auth=f"{OURS}; spf=fail (dmarc=pass header.from=police.go.kr)"),
        "another server's header": _mail(auth="relay.evil.example; dmarc=pass header.from=police.go.kr"),
        "pass for another domain": _mail(auth=f"{OURS}; dmarc=pass header.from=evil.example"),
        "two addresses in From": _mail(from_value="Kim <kim@police.go.kr> <x@evil.example>"),
        "address as display name": _mail(from_value='"kim@police.go.kr" <x@evil.example>'),
        "look-alike domain": _mail(sender="kim@police-go-kr.com"),
        "punycode look-alike": _mail(sender="kim@" + "pоlice.go.kr".encode("idna").decode()),
        "unknown charset": _mail(charset="x-no-such-charset"),
        "20,000 empty parts": head + b"Content-Type: multipart/mixed; boundary=B\r\n\r\n" + parts + b"--B--\r\n",
        "50 nested multiparts": head + nested,
    }


def run() -> dict[str, Any]:
    from ledesk.intake.channels import intake_bytes
    from ledesk.policy.calendar import LegalCalendar
    from ledesk.policy.load import current_policy
    from ledesk.states.errors import LedeskError

    policy = current_policy()
    cal = LegalCalendar(policy.timezone, policy.holiday_country, policy.extra_holidays)
    now = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    timings: dict[str, float] = {}
    outcomes: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'mail.db'}")
        upgrade(engine)
        with engine.begin() as conn:
            conn.execute(insert(authorities).values(domain="police.go.kr", name="KNPA", country="KR", type="police",
                                                    created_at=now))
        for name, data in corpus().items():
            started = time.perf_counter()
            try:
                with engine.begin() as conn:
                    outcomes[name] = str(intake_bytes(conn, "m.eml", data, now, policy, cal).get("status"))
            except LedeskError as exc:
                outcomes[name] = f"refused ({exc.code})"
            timings[name] = time.perf_counter() - started
        opened = [n for n, o in outcomes.items() if o not in ("not_reviewed",) and not o.startswith("refused")]
        assert not opened, f"hostile mail opened a case: {opened}"
        engine.dispose()
    good = _mail()
    started = time.perf_counter()
    for _ in range(50):
        BytesParser(policy=email_policy.default).parsebytes(good)
    floor = (time.perf_counter() - started) / 50
    started = time.perf_counter()  # what reading the many-parts message would cost without the early count
    list(BytesParser(policy=email_policy.default).parsebytes(corpus()["20,000 empty parts"]).walk())
    naive_parts = time.perf_counter() - started
    slowest = max(timings, key=lambda k: timings[k])
    return {"name": f"hostile mail corpus ({len(timings)} messages), e-mail intake on SQLite: slowest refusal",
            "figure": round(timings[slowest] * 1000, 1), "unit": "ms",
            "reference": round(floor * 1000, 2), "reference_name": "stdlib parse of one good request e-mail",
            "ratio": round(timings[slowest] / floor, 1), "slowest_like_floor": slowest,
            "all_ms": {k: round(v * 1000, 1) for k, v in timings.items()},
            "parts_naive_ms": round(naive_parts * 1000, 1), "targets": "slowest well under 1 s"}


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=1, ensure_ascii=False))
