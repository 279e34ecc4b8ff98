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
# How the letters each signs name them (the login id never signs).
SIGNS = {"alice": ("Kim Seo-yeon (김서연)", "Counsel, Legal / 법무팀 변호사"),
         "bob": ("Park Ji-won (박지원)", "Senior Counsel / 선임 변호사")}


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
    admin.add_authority("police.go.kr", "Korean National Police Agency", "KR", "police",
                        callback_phone="+82 2 3150 2114")  # the switchboard, as the legal team found it
    for name, roles in ROLES.items():
        full_name, title = SIGNS.get(name, (None, None))
        admin.add_actor(name, roles, full_name=full_name, title=title)
    made = {name: admin.create_token(actor=name)["token"] for name in ROLES}
    # The officer as the authority registered them, in Hangul: the portal prefills it and letters say it.
    made["officer 김민준 (portal)"] = admin.create_token(authority="police.go.kr", officer="김민준",
                                                        badge="SMPA-20417")["token"]
    rt.source.load([{"account_id": "acct-77120", "email": "hong.gildong@example.com",
                     "subscriber": {"name": "Hong Gil-dong"}, "phone": "+82 10 1234 5678",
                     "access_logs": [{"at": (now - timedelta(days=20)).isoformat(), "ip": "203.0.113.77"}]}])
    opened: dict[str, str] = {}
    # A preservation near its end, taken as long ago as lets its expiry warning still lie ahead: a seeded
    # timer never falls due in the past, so no letter goes out late at first start. Its letters of then
    # are delivered then (to the configured transport), not at first start under today's date.
    rule = rt.policy.preservation["POLICY_PRESERVATION"]
    then = rt.at(FixedClock(now - timedelta(days=rule.days - rt.policy.expiry_warning.days_before - 3)))
    preserved = then.services.intake.take("preservation.json", _sample("preservation", reference="DESK-PRESERVE-1"))
    then.services.cases.fire(str(preserved["case_id"]), "preserve", "alice")
    then.services.outbox.deliver()
    opened["preservation near its end"] = str(preserved["case_id"])
    desk = today.services
    warrant = desk.intake.take("warrant.json", _sample("warrant", reference="DESK-WARRANT-1"))
    desk.cases.fire(str(warrant["case_id"]), "recommend_disclosure", "alice",
                    reason="the warrant covers the subscriber data and the stored content")
    opened["warrant waiting for an approver (bob)"] = str(warrant["case_id"])
    opened["incomplete request"] = str(desk.intake.take("incomplete.json", _sample("incomplete"))["case_id"])
    opened["emergency waiting for its call-back (olga)"] = str(desk.intake.take("emergency.json",
                                                                                _sample("emergency"))["case_id"])
    late = _back_dated_timers(rt, now)
    rt.close()
    if late:
        raise RuntimeError(f"the seeded desk has timers due before now: {late}")
    return {"cases": opened, "tokens": made}


def _back_dated_timers(rt: Runtime, now: datetime) -> list[str]:
    from sqlalchemy import select

    from ledesk.models.tables import timers

    with rt.services.ctx.uow.read() as conn:
        return [f"{r.case_id} {r.kind} {r.due_at.isoformat()}" for r in conn.execute(
            select(timers.c.case_id, timers.c.kind, timers.c.due_at)
            .where(timers.c.status == "pending", timers.c.due_at <= now))]


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
