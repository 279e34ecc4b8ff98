"""A desk to work at after the demo: `make run` leaves LEDESK_HOME (./var) with open cases in every state a
reviewer meets, on today's clock (an emergency waiting for its call-back, a warrant waiting for an approver,
a preservation near its end, an incomplete request), and a token for each demo role, so that `ledesk serve`
opens straight onto them. A database that already holds cases is never touched."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ledesk.bootstrap import Runtime
from ledesk.states.clock import FixedClock

SAMPLES = Path(__file__).resolve().parent / "samples"
ROLES = {"alice": ["reviewer"], "bob": ["approver"], "olga": ["oncall"], "ada": ["admin"]}


def _sample(name: str, **changes: Any) -> bytes:
    data: dict[str, Any] = json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return json.dumps({**data, **changes}).encode()


def seed_desk(url: str, now: datetime) -> dict[str, Any] | None:
    """Open the desk's cases in the database at `url` (LEDESK_HOME's own), or None when it has cases."""
    from ledesk.models.migrate import upgrade

    rt = Runtime(url)
    upgrade(rt.engine)
    if rt.services.queries.cases(limit=1):
        return None
    today = rt.at(FixedClock(now))
    admin = today.services.admin
    admin.add_authority("police.go.kr", "Korean National Police Agency", "KR", "police")
    for name, roles in ROLES.items():
        admin.add_actor(name, roles)
    made = {name: admin.create_token(actor=name)["token"] for name in ROLES}
    made["officer Kim Min-jun (portal)"] = admin.create_token(authority="police.go.kr", officer="Kim Min-jun",
                                                              badge="SMPA-20417")["token"]
    rt.source.load([{"account_id": "acct-77120", "email": "hong.gildong@example.com",
                     "subscriber": {"name": "Hong Gil-dong"}, "phone": "+82 10 1234 5678",
                     "access_logs": [{"at": (now - timedelta(days=20)).isoformat(), "ip": "203.0.113.77"}]}])
    opened: dict[str, str] = {}
    # A preservation taken 85 days ago: its 90 days end this week.
    then = rt.at(FixedClock(now - timedelta(days=85)))
    preserved = then.services.intake.take("preservation.json", _sample("preservation", reference="DESK-PRESERVE-1"))
    then.services.cases.fire(str(preserved["case_id"]), "preserve", "alice")
    opened["preservation near its end"] = str(preserved["case_id"])
    desk = today.services
    warrant = desk.intake.take("warrant.json", _sample("warrant", reference="DESK-WARRANT-1"))
    desk.cases.fire(str(warrant["case_id"]), "recommend_disclosure", "alice",
                    reason="the warrant covers the subscriber data and the stored content")
    opened["warrant waiting for an approver (bob)"] = str(warrant["case_id"])
    opened["incomplete request"] = str(desk.intake.take("incomplete.json", _sample("incomplete"))["case_id"])
    opened["emergency waiting for its call-back (olga)"] = str(desk.intake.take("emergency.json",
                                                                                _sample("emergency"))["case_id"])
    rt.close()
    return {"cases": opened, "tokens": made}


def desk_text(seeded: dict[str, Any] | None, home: Path) -> str:
    if seeded is None:
        return (f"{home / 'ledesk.db'} already holds cases: left as it is. `.venv/bin/ledesk serve` opens it.")
    lines = ["", "A desk to work at, on today's clock, in " + str(home / "ledesk.db") + ":"]
    lines += [f"  {case_id}  {what}" for what, case_id in seeded["cases"].items()]
    lines += ["", "Start it:  .venv/bin/ledesk serve      (or `source .venv/bin/activate`, then `ledesk serve`)",
              "  reviewers' web UI  http://127.0.0.1:8000/       Prefect UI  http://127.0.0.1:4200/",
              "  authority portal   http://127.0.0.1:8000/portal", "Sign in with (each shown only here):"]
    lines += [f"  {who:<32} {token}" for who, token in seeded["tokens"].items()]
    return "\n".join(lines)
