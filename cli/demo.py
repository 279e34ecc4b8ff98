"""`ledesk demo`: sample requests of every kind through intake, review, approval and daily sweeps over
seven simulated months, on a fresh SQLite database, with a readable summary at the end."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from cli.render import table
from datasource.embedded import EmbeddedSource
from delivery.dispatch import dispatch
from delivery.transports import EmlFolder
from intake.channels import authserv_id, intake_bytes
from models.db import ledesk_home, make_engine, reader
from models.migrate import upgrade
from models.tables import notices, outbox, timers
from policy.calendar import LegalCalendar
from policy.load import current_policy
from states import admin
from states.audit import verify
from states.clock import FixedClock
from states.engine import Desk
from states.errors import Refused
from states.intake import intake
from states.queries import list_cases
from states.sweep import sweep
from vault.keys import master_key
from vault.production import export
from vault.purge import purge
from vault.store import Vault

SAMPLES = Path(__file__).with_name("samples")
SEOUL = ZoneInfo("Asia/Seoul")
START = datetime(2026, 12, 1, 9, 0, tzinfo=SEOUL)


def _sample(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def _email(submission: dict[str, Any], form: bool, server: str) -> bytes:
    from email.message import EmailMessage

    from forms.blank import blank_form
    from forms.fill import fill_form
    from intake.email import SUBJECT

    sender = submission["sender"]["email"]
    msg = EmailMessage()
    msg["From"], msg["Subject"] = sender, SUBJECT
    msg["Authentication-Results"] = f"{server}; dmarc=pass header.from={sender.split('@')[1]}"
    msg.set_content("Please find our request attached.")
    if form:
        msg.add_attachment(fill_form(blank_form(submission["kind"], "LE Desk Cloud"), submission),
                           maintype="application", subtype="octet-stream", filename="request.docx")
    else:
        msg.add_attachment(json.dumps(submission).encode(), maintype="application", subtype="json",
                           filename="request.json")
    return bytes(msg)


def _demo_accounts() -> list[dict[str, Any]]:
    logs = [{"at": f"2026-{month:02d}-{day:02d}T0{day % 9}:00:00+00:00", "ip": f"203.0.113.{day}"}
            for month in (9, 10, 11) for day in (3, 11, 19, 27)]
    return [
        {"account_id": "acct-hong", "email": "hong.gildong@example.com", "subscriber": {"name": "Hong Gil-dong"},
         "access_logs": logs, "content": [{"name": "kit.zip.txt", "text": "phishing kit notes",
                                           "created_at": "2026-10-02T00:00:00+00:00"}]},
        {"account_id": "acct-77120", "subscriber": {"name": "Lee Ji-eun"}, "access_logs": logs},
        {"account_id": "acct-phone", "phone": "010-1234-5678", "subscriber": {"name": "Park Do-yun"},
         "access_logs": logs},
        {"account_id": "acct-dark", "username": "darkseller99", "subscriber": {"name": "Choi Ha-jun"},
         "access_logs": logs},
        {"account_id": "acct-river", "username": "quiet_river", "subscriber": {"name": "Jung Seo-yeon",
                                                                              "phone": "+82 10 5555 0101"}},
    ]


def run_demo(home: Path | None = None, quiet: bool = False) -> dict[str, Any]:
    home = home or ledesk_home() / "demo"
    home.mkdir(parents=True, exist_ok=True)
    for leftover in [*home.glob("demo.db*"), *home.glob("datasource.db*")]:
        leftover.unlink()
    for folder in ("outbox", "letters", "packages"):
        shutil.rmtree(home / folder, ignore_errors=True)
    engine = make_engine(f"sqlite:///{(home / 'demo.db').resolve()}")
    upgrade(engine)
    policy = current_policy()
    cal = LegalCalendar(policy.timezone, policy.holiday_country, policy.extra_holidays)
    clock = FixedClock(START)
    # The embedded data source holds the accounts the sample requests name; the vault keys its master
    # key in the demo folder.
    source = EmbeddedSource(home / "datasource.db")
    source.load(_demo_accounts())
    vault = Vault(source, master_key(home), cal)
    desk = Desk(engine, clock, policy, cal, vault)
    story: list[str] = []

    def say(text: str) -> None:
        story.append(f"{clock.now().astimezone(SEOUL):%Y-%m-%d %H:%M} KST  {text}")

    def submit(raw: dict[str, Any]) -> dict[str, Any]:
        with engine.begin() as conn:
            return intake(conn, raw, clock.now(), policy, cal)

    def arrive(name: str, data: bytes) -> dict[str, Any]:
        with engine.begin() as conn:
            return intake_bytes(conn, name, data, clock.now(), policy, cal)

    def act(case_id: str, trigger: str, actor: str, **kw: Any) -> None:
        try:
            after = desk.fire(case_id, trigger, actor, **kw)
            say(f"{case_id}  {trigger} by {actor}: now {after.state}")
        except Refused as exc:
            say(f"{case_id}  {trigger} by {actor} REFUSED: {exc.message}")

    with engine.begin() as conn:
        now = clock.now()
        admin.add_authority(conn, "police.go.kr", "Korean National Police Agency", "KR", "police", now)
        admin.add_authority(conn, "fbi.gov", "Federal Bureau of Investigation", "US", "police", now)
        admin.add_actor(conn, "alice", ["reviewer"], now)
        admin.add_actor(conn, "bob", ["approver", "reviewer"], now)
        admin.add_actor(conn, "olga", ["oncall"], now)

    opened: dict[str, str] = {}
    for name in ("warrant", "warrant_with_gag_order", "preservation", "preservation_statutory", "court_permission",
                 "statutory_subscriber_request", "foreign_direct", "incomplete", "lookalike_sender", "warrant"):
        if name == "court_permission":  # a filled Word form, e-mailed and verified by our mail server
            result = arrive("court_permission.eml", _email(_sample(name), True, authserv_id(policy)))
        elif name == "lookalike_sender":  # an e-mail from a domain that imitates the police
            result = arrive("lookalike.eml", _email(_sample(name), False, authserv_id(policy)))
        else:
            result = submit(_sample(name))
        if result["case_id"] is None:
            say(f"{name} (e-mail): not reviewed ({result['reason']}); security alert queued")
        elif result.get("duplicate_of"):
            say(f"{name}: duplicate of {result['duplicate_of']}, no new case")
        else:
            opened[name] = result["case_id"]
            channel = " (Word form by e-mail)" if name == "court_permission" else ""
            say(f"{result['case_id']}  {name}{channel}: {result['state']} ({result['regime']})"
                + (f", {len(result['deficiencies'])} deficiencies" if result["deficiencies"] else ""))

    clock.advance(timedelta(hours=1))
    for name in ("warrant", "warrant_with_gag_order", "court_permission", "statutory_subscriber_request"):
        act(opened[name], "recommend_disclosure", "alice", reason="the instrument covers every category asked for")
        act(opened[name], "approve_disclosure", "bob")
    act(opened["statutory_subscriber_request"], "reject", "alice",
        reason="insufficient_instrument: policy declines TBA art. 83(3) requests")
    act(opened["preservation"], "preserve", "alice")
    act(opened["preservation_statutory"], "preserve", "alice")
    act(opened["foreign_direct"], "require_legal_process", "alice", reason="foreign direct request: MLAT needed")

    # An emergency at night: paged, called back by on-call, disclosed by a second person.
    clock.set(datetime(2026, 12, 5, 2, 10, tzinfo=SEOUL))
    emergency = submit(_sample("emergency"))["case_id"]
    say(f"{emergency}  emergency received: on-call paged")
    clock.advance(timedelta(minutes=9))
    act(emergency, "verify_callback", "olga", reason="called +82 2 700 4100 from the directory; duty officer "
                                                     "Kim confirmed the request")
    clock.advance(timedelta(minutes=12))
    act(emergency, "emergency_disclose", "bob")

    # Day by day for seven months: the sweep fires whatever is due.
    fired_total = 0
    clock.set(datetime(2026, 12, 6, 0, 0, tzinfo=SEOUL))
    end = datetime(2027, 7, 1, 0, 0, tzinfo=SEOUL)
    while clock.now() < end:
        if clock.now().astimezone(SEOUL).date() == datetime(2027, 1, 4).date():
            legal = {**_sample("legal_process_for_preservation"), "kind": "legal_process",
                     "related_case": opened["preservation"], "sender": {"email": "minjun.kim@police.go.kr"}}
            linked = submit(legal)
            say(f"{linked['case_id']}  warrant arrives for the preserved data: now {linked['state']}")
            act(opened["preservation"], "recommend_disclosure", "alice", reason="warrant covers the preserved logs")
            act(opened["preservation"], "approve_disclosure", "bob")
        result = sweep(engine, clock.now(), policy, cal, vault=vault)
        for f in result.fired:
            say(f"{f['case_id']}  timer {f['timer']} fired: {f.get('trigger') or f.get('action')}")
        fired_total += len(result.fired)
        clock.advance(timedelta(days=1))

    purged = purge(engine, clock.now(), policy.provider_name)
    say(f"purge: {len(purged)} lapsed preservation(s) crypto-shredded, destruction certificates queued")
    delivered = dispatch(engine, EmlFolder(home / "outbox"), clock.now(), policy.legal_team_address,
                         letters_home=home, provider=policy.provider_name, zone=cal.zone)
    say(f"dispatch: {len(delivered.sent)} messages written to {home / 'outbox'} with their bilingual letters; "
        f"{len(delivered.held)} held back, {len(delivered.failed)} need an address from the data source")
    with engine.begin() as conn:
        package = export(conn, vault, opened["warrant"], home / "packages" / opened["warrant"], clock.now(), "alice")
    say(f"export: {opened['warrant']} package of {package['files']} files with manifest.json in {package['path']}")
    with reader(engine).connect() as conn:
        rows = list_cases(conn)
        notice_of = {r.case_id: f"{r.status} {r.reason}".strip() for r in conn.execute(select(notices))}
        queued = conn.execute(select(outbox.c.kind)).all()
        pending_timers = conn.execute(select(timers.c.id).where(timers.c.status == "pending")).all()
        verdict = verify(conn)
    engine.dispose()
    for r in rows:
        r["notice"] = notice_of.get(r["case_id"], "")
        r["next_deadline"] = (datetime.fromisoformat(r["next_deadline"]).astimezone(SEOUL).strftime("%Y-%m-%d %H:%M")
                              if r["next_deadline"] else "-")
    text = "\n".join([
        "LE Desk demo: seven months of requests on the embedded defaults "
        f"(SQLite at {home / 'demo.db'}, clock from {START:%Y-%m-%d %H:%M} KST)", "",
        *story, "",
        table(rows, ["case_id", "kind", "regime", "state", "notice", "next_deadline"]), "",
        f"timers fired by the daily sweep: {fired_total}; still pending: {len(pending_timers)}; "
        f"outbound messages queued: {len(queued)}",
        f"audit chain: {'intact' if verdict.ok else 'BROKEN'} ({verdict.events} events)",
    ])
    return {"database": str(home / "demo.db"), "cases": rows, "timers_fired": fired_total,
            "messages": len(queued), "audit_ok": verdict.ok, "audit_events": verdict.events,
            "text": text, "finished_at": datetime.now(UTC).isoformat() if not quiet else None}


