"""`ledesk demo`: sample requests of every kind dropped into the inbox and taken by the intake flow, an
emergency paged from inside its intake run, review and approval, and the sweep flow over 120 simulated
days, on a fresh SQLite database, with a readable summary at the end. The flows run against a real Prefect
server, so every run, case event and case page can be looked at afterwards in the Prefect UI."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ledesk.cli.render import table
from ledesk.datasource.embedded import EmbeddedSource
from ledesk.intake.channels import authserv_id
from ledesk.models.db import ledesk_home, make_engine, reader
from ledesk.models.enums import Trigger
from ledesk.models.migrate import upgrade
from ledesk.models.tables import letters, notices, outbox, timers
from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.load import current_policy
from ledesk.service import Desk
from ledesk.states import admin
from ledesk.states.audit import verify
from ledesk.states.clock import FixedClock
from ledesk.states.errors import Refused
from ledesk.states.queries import list_cases
from ledesk.vault.keys import master_key
from ledesk.vault.production import export
from ledesk.vault.store import Vault

SAMPLES = Path(__file__).with_name("samples")
SEOUL = ZoneInfo("Asia/Seoul")
START = datetime(2026, 12, 1, 9, 0, tzinfo=SEOUL)


def _sample(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def _email(submission: dict[str, Any], form: bool, server: str) -> bytes:
    from email.message import EmailMessage

    from ledesk.intake.email import SUBJECT
    from ledesk.intake.forms.blank import blank_form
    from ledesk.intake.forms.fill import fill_form

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
    """Set up the demo folder and a Prefect API (the running `ledesk serve` one, or a server of its own on
    LEDESK_HOME/prefect, so `ledesk serve` shows the demo's runs later), then play the story."""
    base = ledesk_home().resolve()
    home = (home or base / "demo").resolve()
    home.mkdir(parents=True, exist_ok=True)
    for leftover in [*home.glob("demo.db*"), *home.glob("datasource.db*")]:
        leftover.unlink()
    for folder in ("outbox", "letters", "packages", "inbox", "processed", "refused"):
        shutil.rmtree(home / folder, ignore_errors=True)
    # The flows read their database, folders and transport from the environment, as under `ledesk serve`.
    os.environ.update({"LEDESK_HOME": str(home), "LEDESK_DATABASE_URL": f"sqlite:///{home / 'demo.db'}",
                       "PREFECT_LOGGING_LEVEL": "WARNING"})
    for name in ("LEDESK_SMTP_URL", "LEDESK_NOW"):
        os.environ.pop(name, None)
    server = None
    from ledesk.serve import healthy

    if not os.environ.get("PREFECT_API_URL") and healthy("http://127.0.0.1:4200/api"):
        os.environ["PREFECT_API_URL"] = "http://127.0.0.1:4200/api"  # `ledesk serve` is running: use its server
    if not os.environ.get("PREFECT_API_URL"):
        from ledesk.serve import free_port, start_prefect_server

        os.environ["LEDESK_HOME"] = str(base)  # the Prefect server keeps its data beside `ledesk serve`'s
        try:
            server, api_url = start_prefect_server("127.0.0.1", free_port())
        finally:
            os.environ["LEDESK_HOME"] = str(home)
        os.environ["PREFECT_API_URL"] = api_url
    try:
        return asyncio.run(_story(home, quiet))
    finally:
        if server is not None:
            from ledesk.serve import stop

            stop(server)


async def _story(home: Path, quiet: bool) -> dict[str, Any]:
    from rich.progress import Progress

    from ledesk.flows.dispatch import dispatch_outbox
    from ledesk.flows.intake import intake as intake_flow
    from ledesk.flows.purge import purge_expired_preservations
    from ledesk.flows.report import statutory_reports, transparency_report
    from ledesk.flows.sweep import sweep as sweep_flow

    engine = make_engine(os.environ["LEDESK_DATABASE_URL"])
    upgrade(engine)
    policy = current_policy()
    cal = LegalCalendar(policy.timezone, policy.holiday_country, policy.extra_holidays)
    clock = FixedClock(START)
    # The embedded data source holds the accounts the sample requests name; the vault keeps its master
    # key in the demo folder.
    source = EmbeddedSource(home / "datasource.db")
    source.load(_demo_accounts())
    vault = Vault(source, master_key(home), cal)
    desk = Desk(engine, clock, policy, cal, vault)
    story: list[str] = []
    flow_runs = 0

    def say(text: str) -> None:
        story.append(f"{clock.now().astimezone(SEOUL):%Y-%m-%d %H:%M} KST  {text}")

    def drop(name: str, data: bytes) -> None:
        inbox = home / "inbox"
        inbox.mkdir(exist_ok=True)
        (inbox / f".{name}").write_bytes(data)  # written aside, then renamed: intake never sees half a file
        (inbox / f".{name}").rename(inbox / name)

    async def take_inbox() -> list[dict[str, Any]]:
        nonlocal flow_runs
        summary = await intake_flow(now=clock.now().isoformat())
        flow_runs += 1 + len(summary["emergencies"])
        outcomes = []
        for name in sorted(p.name for p in (home / "processed").glob("*.result.json")):
            outcome = json.loads((home / "processed" / name).read_text(encoding="utf-8"))
            if outcome["file"] not in seen:
                seen.add(outcome["file"])
                outcomes.append(outcome)
        return outcomes

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

    seen: set[str] = set()
    names = ("warrant", "warrant_with_gag_order", "preservation", "preservation_statutory", "court_permission",
             "statutory_subscriber_request", "foreign_direct", "incomplete", "lookalike_sender", "warrant")
    for n, name in enumerate(names):
        if name == "court_permission":  # a filled Word form, e-mailed and verified by our mail server
            drop(f"{n:02d}-court_permission.eml", _email(_sample(name), True, authserv_id(policy)))
        elif name == "lookalike_sender":  # an e-mail from a domain that imitates the police
            drop(f"{n:02d}-lookalike.eml", _email(_sample(name), False, authserv_id(policy)))
        else:
            drop(f"{n:02d}-{name}.json", json.dumps(_sample(name)).encode())
    opened: dict[str, str] = {}
    for result in await take_inbox():
        name = result["file"].split("-", 1)[1].rsplit(".", 1)[0]
        if result.get("case_id") is None:
            say(f"{result['file']}: not reviewed ({result.get('reason') or result.get('error')}); "
                "security alert queued")
        elif result.get("duplicate_of"):
            say(f"{result['file']}: duplicate of {result['duplicate_of']}, no new case")
        else:
            opened[name] = result["case_id"]
            say(f"{result['case_id']}  {result['file']}: {result['state']} ({result['regime']})"
                + (f", {len(result['deficiencies'])} deficiencies" if result["deficiencies"] else ""))

    clock.advance(timedelta(hours=1))
    for name in ("warrant", "warrant_with_gag_order", "court_permission", "statutory_subscriber_request"):
        act(opened[name], Trigger.RECOMMEND_DISCLOSURE, "alice",
            reason="the instrument covers every category asked for")
        act(opened[name], Trigger.APPROVE_DISCLOSURE, "bob")
    act(opened["statutory_subscriber_request"], Trigger.REJECT, "alice",
        reason="insufficient_instrument: policy declines TBA art. 83(3) requests")
    act(opened["preservation"], Trigger.PRESERVE, "alice")
    act(opened["preservation_statutory"], Trigger.PRESERVE, "alice")
    act(opened["foreign_direct"], Trigger.REQUIRE_LEGAL_PROCESS, "alice", reason="foreign direct request: MLAT needed")

    # An emergency at night: the intake run pages on-call at once; a call-back, then a second person decides.
    clock.set(datetime(2026, 12, 5, 2, 10, tzinfo=SEOUL))
    drop("20-emergency.json", json.dumps(_sample("emergency")).encode())
    [arrived] = await take_inbox()
    emergency = arrived["case_id"]
    pages = [p.name for p in (home / "outbox").glob("*.eml") if b"emergency_page" in p.read_bytes()]
    say(f"{emergency}  emergency received; the intake run paged on-call at once ({len(pages)} page in the outbox)")
    clock.advance(timedelta(minutes=9))
    act(emergency, Trigger.VERIFY_CALLBACK, "olga", reason="called +82 2 700 4100 from the directory; duty officer "
                                                     "Kim confirmed the request")
    clock.advance(timedelta(minutes=12))
    act(emergency, Trigger.EMERGENCY_DISCLOSE, "bob")

    # Day by day for 120 days: the sweep flow fires whatever is due; purge and dispatch run weekly.
    fired_total = 0
    clock.set(datetime(2026, 12, 6, 0, 0, tzinfo=SEOUL))
    end = START + timedelta(days=120)
    days = (end - clock.now()).days + 1
    with Progress(transient=True, disable=quiet) as progress:
        task = progress.add_task("sweeping 120 simulated days", total=days)
        while clock.now() < end:
            if clock.now().astimezone(SEOUL).date() == datetime(2027, 1, 4).date():
                legal = {**_sample("legal_process_for_preservation"), "kind": "legal_process",
                         "related_case": opened["preservation"], "sender": {"email": "minjun.kim@police.go.kr"}}
                drop("30-warrant-for-preservation.json", json.dumps(legal).encode())
                [linked] = await take_inbox()
                say(f"{linked['case_id']}  warrant arrives for the preserved data: now {linked['state']}")
                act(opened["preservation"], Trigger.RECOMMEND_DISCLOSURE, "alice",
                    reason="warrant covers the preserved logs")
                act(opened["preservation"], Trigger.APPROVE_DISCLOSURE, "bob")
            result = await sweep_flow(now=clock.now().isoformat())
            flow_runs += 1
            fired_total += result["fired"]
            with reader(engine).connect() as conn:
                for row in conn.execute(select(timers.c.case_id, timers.c.kind, timers.c.result).where(
                        timers.c.fired_at == clock.now(), timers.c.status == "fired")):
                    say(f"{row.case_id}  timer {row.kind} fired: {row.result}")
            today = clock.now().astimezone(SEOUL).date()
            if today.day == 1:  # the monthly deployment's day: last month's transparency report
                monthly = await transparency_report(now=clock.now().isoformat())
                flow_runs += 1
                say(f"report: transparency report for {monthly['month']}, {monthly['requests']} requests, in "
                    f"{Path(monthly['paths']['docx']).parent}")
            if (today.month, today.day) == (1, 2):  # the half-yearly deployment's day
                half = await statutory_reports(now=clock.now().isoformat())
                flow_runs += 1
                say(f"report: PCSA and TBA half-year reports for {half['half']} produced, due "
                    f"{half['reports']['pcsa']['due_on']}: " + ", ".join(
                        f"{n.upper()} {r['totals']['requests']} requests" for n, r in half["reports"].items()))
            if clock.now().astimezone(SEOUL).weekday() == 0:
                purged = (await purge_expired_preservations(now=clock.now().isoformat()))["purged"]
                await dispatch_outbox(now=clock.now().isoformat())
                flow_runs += 2
                for p in purged:
                    say(f"{p['case_id']}  purge: hold {p['hold_id']} crypto-shredded, destruction certificate queued")
            clock.advance(timedelta(days=1))
            progress.advance(task)

    await dispatch_outbox(now=clock.now().isoformat())
    flow_runs += 1
    with reader(engine).connect() as conn:
        counted = conn.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status)).all()
        status: dict[str, int] = {str(row[0]): int(row[1]) for row in counted}
    say(f"dispatch: {status.get('sent', 0)} messages written to {home / 'outbox'} over the 120 days, with their "
        f"bilingual letters; {status.get('cancelled', 0)} held back for good, {status.get('failed', 0)} need an "
        "address from the data source")
    with engine.begin() as conn:
        package = export(conn, vault, opened["warrant"], home / "packages" / opened["warrant"], clock.now(), "alice")
    say(f"export: {opened['warrant']} package of {package['files']} files with manifest.json in {package['path']}")
    with reader(engine).connect() as conn:
        rows = list_cases(conn)
        notice_of = {r.case_id: f"{r.status} {r.reason}".strip() for r in conn.execute(select(notices))}
        queued = conn.execute(select(outbox.c.kind)).all()
        letter_count = conn.execute(select(func.count()).select_from(letters)).scalar_one()
        pending_timers = conn.execute(select(timers.c.id).where(timers.c.status == "pending")).all()
        verdict = verify(conn)
    engine.dispose()
    for r in rows:
        r["notice"] = notice_of.get(r["case_id"], "")
        r["next_deadline"] = (datetime.fromisoformat(r["next_deadline"]).astimezone(SEOUL).strftime("%Y-%m-%d %H:%M")
                              if r["next_deadline"] else "-")
    from ledesk.serve import drain_prefect

    await drain_prefect()  # the runs' events and logs reach the server before it stops
    ui = "http://127.0.0.1:4200"
    text = "\n".join([
        "LE Desk demo: 120 days of requests through the Prefect flows on the embedded defaults "
        f"(SQLite at {home / 'demo.db'}, clock from {START:%Y-%m-%d %H:%M} KST)", "",
        *story, "",
        table(rows, ["case_id", "kind", "regime", "state", "notice", "next_deadline"]), "",
        f"timers fired by the daily sweep: {fired_total}; still pending: {len(pending_timers)}; "
        f"outbound messages queued: {len(queued)}; letters: {letter_count}; Prefect flow runs: {flow_runs}",
        f"audit chain: {'intact' if verdict.ok else 'BROKEN'} ({verdict.events} events)",
        "",
        f"Where to look: `ledesk serve`, then {ui}/runs for the flow runs (the emergency run is named after "
        f"its case), {ui}/events for every transition (ledesk.case.*), and {ui}/artifacts for a page per case "
        "(case-<id>) and the open-case table. Letters are in "
        f"{home / 'letters'}, sent mail in {home / 'outbox'}, reports in {home / 'reports'}.",
    ])
    return {"database": str(home / "demo.db"), "cases": rows, "timers_fired": fired_total,
            "messages": len(queued), "letters": letter_count, "flow_runs": flow_runs, "audit_ok": verdict.ok,
            "audit_events": verdict.events, "prefect_ui": ui, "text": text,
            "finished_at": datetime.now(UTC).isoformat() if not quiet else None}
