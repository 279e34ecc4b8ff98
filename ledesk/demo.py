"""`ledesk demo`: sample requests of every kind dropped into the inbox and taken by the intake flow, an
emergency paged from inside its intake run, review and approval, and the sweep flow over 120 simulated
days (on each day something is due), on a fresh SQLite database, with a readable summary at the end.
The flows run against a real Prefect server, so every run, case event and case page can be looked at
afterwards in the Prefect UI."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ledesk.bootstrap import Runtime
from ledesk.cli.render import table
from ledesk.intake.channels import authserv_id
from ledesk.models.db import ledesk_home
from ledesk.models.enums import Trigger
from ledesk.models.migrate import upgrade
from ledesk.models.tables import letters, notices, outbox, timers
from ledesk.states.clock import FixedClock
from ledesk.states.errors import Refused

SAMPLES = Path(__file__).with_name("samples")
PREFECT_UI = "http://127.0.0.1:4200"
SEOUL = ZoneInfo("Asia/Seoul")
START = datetime(2026, 12, 1, 9, 0, tzinfo=SEOUL)
EXPORT_DAY = date(2026, 12, 10)


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
    """Set up the demo folder and a Prefect server of its own (its data under the demo folder's prefect/),
    then play the story."""
    base = ledesk_home().resolve()
    saved = {k: os.environ.get(k) for k in ("LEDESK_HOME", "LEDESK_DATABASE_URL")}
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
    # The demo writes only to a Prefect server it starts itself, keeping its data in the demo folder: never
    # to the operators' server (PREFECT_API_URL) nor to whatever listens on :4200 (another desk's `ledesk
    # serve`), where its case pages would sit beside real ones.
    from ledesk.serve import free_port, start_prefect_server

    saved["PREFECT_API_URL"] = os.environ.pop("PREFECT_API_URL", None)
    server, api_url = start_prefect_server("127.0.0.1", free_port())
    os.environ["PREFECT_API_URL"] = api_url
    try:
        summary = asyncio.run(_story(home, quiet))
    finally:
        from ledesk.serve import stop

        stop(server)
        for name, value in saved.items():  # back to the operator's own LE Desk for the desk below
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    from ledesk.desk_seed import desk_text, seed_desk
    from ledesk.models.db import database_url

    seeded = seed_desk(database_url(), datetime.now(UTC))
    summary["desk"] = seeded
    summary["text"] += "\n" + desk_text(seeded, base)
    return summary


async def _story(home: Path, quiet: bool) -> dict[str, Any]:
    demo = _Demo(home)
    await demo.first_day()
    await demo.emergency_at_night()
    await demo.simulate_days(quiet)
    return await demo.finish(quiet)


class _Demo:
    """The demo's world: one database, one simulated clock, the sample authorities and staff, and the
    story told as it happens."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.clock = FixedClock(START)
        # The demo's own runtime (LEDESK_HOME is the demo folder): the flows build theirs from the same
        # environment. The embedded data source holds the accounts the sample requests name; the vault keeps
        # its key store (and the master key that wraps its keys) in the demo folder.
        self.rt = Runtime(os.environ["LEDESK_DATABASE_URL"], clock_override=self.clock)
        self.engine = self.rt.engine
        upgrade(self.engine)
        self.rt.source.load(_demo_accounts())
        self.services = self.rt.services
        self.uow = self.services.ctx.uow
        self.story: list[str] = []
        self.flow_runs = 0
        self.fired_total = 0
        self.days_swept = 0
        self.seen: set[str] = set()
        self.opened: dict[str, str] = {}
        staff = self.services.admin
        staff.add_authority("police.go.kr", "Korean National Police Agency", "KR", "police")
        staff.add_authority("fbi.gov", "Federal Bureau of Investigation", "US", "police")
        staff.add_actor("alice", ["reviewer"])
        staff.add_actor("bob", ["approver", "reviewer"])
        staff.add_actor("olga", ["oncall"])

    def now(self) -> str:
        return self.clock.now().isoformat()

    def say(self, text: str) -> None:
        self.story.append(f"{self.clock.now().astimezone(SEOUL):%Y-%m-%d %H:%M} KST  {text}")

    def drop(self, name: str, data: bytes) -> None:
        inbox = self.home / "inbox"
        inbox.mkdir(exist_ok=True)
        (inbox / f".{name}").write_bytes(data)  # written aside, then renamed: intake never sees half a file
        (inbox / f".{name}").rename(inbox / name)

    async def take_inbox(self) -> list[dict[str, Any]]:
        from ledesk.flows.intake import intake as intake_flow

        summary = await intake_flow(now=self.now())
        self.flow_runs += 1 + len(summary["emergencies"])
        outcomes = []
        for name in sorted(p.name for p in (self.home / "processed").glob("*.result.json")):
            outcome = json.loads((self.home / "processed" / name).read_text(encoding="utf-8"))
            if outcome["file"] not in self.seen:
                self.seen.add(outcome["file"])
                outcomes.append(outcome)
        return outcomes

    def act(self, case_id: str, trigger: str, actor: str, **kw: Any) -> None:
        try:
            after = self.services.cases.fire(case_id, trigger, actor, **kw)
            self.say(f"{case_id}  {trigger} by {actor}: now {after.state}")
        except Refused as exc:
            self.say(f"{case_id}  {trigger} by {actor} REFUSED: {exc.message}")

    async def first_day(self) -> None:
        """The sample requests arrive by portal and e-mail; the reviewers and the approver decide."""
        server = authserv_id(self.rt.policy)
        names = ("warrant", "warrant_with_gag_order", "preservation", "preservation_statutory", "court_permission",
                 "statutory_subscriber_request", "foreign_direct", "incomplete", "lookalike_sender", "warrant")
        for n, name in enumerate(names):
            if name == "court_permission":  # a filled Word form, e-mailed and verified by our mail server
                self.drop(f"{n:02d}-court_permission.eml", _email(_sample(name), True, server))
            elif name == "lookalike_sender":  # an e-mail from a domain that imitates the police
                self.drop(f"{n:02d}-lookalike.eml", _email(_sample(name), False, server))
            else:
                self.drop(f"{n:02d}-{name}.json", json.dumps(_sample(name)).encode())
        for result in await self.take_inbox():
            self._opened(result)
        self.clock.advance(timedelta(hours=1))
        opened = self.opened
        for name in ("warrant", "warrant_with_gag_order", "court_permission", "statutory_subscriber_request"):
            self.act(opened[name], Trigger.RECOMMEND_DISCLOSURE, "alice",
                     reason="the instrument covers every category asked for")
            self.act(opened[name], Trigger.APPROVE_DISCLOSURE, "bob")
        self.act(opened["statutory_subscriber_request"], Trigger.REJECT, "alice",
                 reason="insufficient_instrument: policy declines TBA art. 83(3) requests")
        self.act(opened["preservation"], Trigger.PRESERVE, "alice")
        self.act(opened["preservation_statutory"], Trigger.PRESERVE, "alice")
        self.act(opened["foreign_direct"], Trigger.REQUIRE_LEGAL_PROCESS, "alice",
                 reason="foreign direct request: MLAT needed")

    def _opened(self, result: dict[str, Any]) -> None:
        name = result["file"].split("-", 1)[1].rsplit(".", 1)[0]
        if result.get("case_id") is None:
            self.say(f"{result['file']}: not reviewed ({result.get('reason') or result.get('error')}); "
                     "security alert queued")
        elif result.get("duplicate_of"):
            self.say(f"{result['file']}: duplicate of {result['duplicate_of']}, no new case")
        else:
            self.opened[name] = result["case_id"]
            self.say(f"{result['case_id']}  {result['file']}: {result['state']} ({result['regime']})"
                     + (f", {len(result['deficiencies'])} deficiencies" if result["deficiencies"] else ""))

    async def emergency_at_night(self) -> None:
        """The intake run pages on-call at once; a call-back, then a second person decides."""
        self.clock.set(datetime(2026, 12, 5, 2, 10, tzinfo=SEOUL))
        self.drop("20-emergency.json", json.dumps(_sample("emergency")).encode())
        [arrived] = await self.take_inbox()
        emergency = arrived["case_id"]
        pages = [p.name for p in (self.home / "outbox").glob("*.eml") if b"emergency_page" in p.read_bytes()]
        self.say(f"{emergency}  emergency received; the intake run paged on-call at once ({len(pages)} page in "
                 "the outbox)")
        self.clock.advance(timedelta(minutes=9))
        self.act(emergency, Trigger.VERIFY_CALLBACK, "olga",
                 reason="called +82 2 700 4100 from the directory; duty officer Kim confirmed the request")
        self.clock.advance(timedelta(minutes=12))
        self.act(emergency, Trigger.EMERGENCY_DISCLOSE, "bob")

    async def simulate_days(self, quiet: bool) -> None:
        """Day by day for 120 days: the sweep flow fires whatever is due (on the days something is); purge and
        dispatch run weekly."""
        from rich.progress import Progress

        self.clock.set(datetime(2026, 12, 6, 0, 0, tzinfo=SEOUL))
        end = START + timedelta(days=120)
        with Progress(transient=True, disable=quiet) as progress:
            task = progress.add_task("sweeping 120 simulated days", total=(end - self.clock.now()).days + 1)
            while self.clock.now() < end:
                await self.one_day()
                self.clock.advance(timedelta(days=1))
                progress.advance(task)

    async def one_day(self) -> None:
        from ledesk.flows.sweep import sweep as sweep_flow

        today = self.clock.now().astimezone(SEOUL).date()
        if today == datetime(2027, 1, 4).date():
            await self.warrant_for_the_preservation()
        if self.due_now():
            # A day on which nothing is due is not swept: that sweep would fire nothing (the served one
            # runs every minute and finds the same), and the demo spends its time where something happens.
            result = await sweep_flow(now=self.now())
            self.flow_runs += 1
            self.fired_total += result["fired"]
            self.days_swept += 1
        with self.uow.read() as conn:
            for row in conn.execute(select(timers.c.case_id, timers.c.kind, timers.c.result).where(
                    timers.c.fired_at == self.clock.now(), timers.c.status == "fired")):
                self.say(f"{row.case_id}  timer {row.kind} fired: {row.result}")
        if today == EXPORT_DAY:  # the warrant was disclosed after its notice lead time
            self.export_package(self.opened["warrant"])
        await self.scheduled_reports(today)
        if today.weekday() == 0:
            await self.weekly_purge_and_dispatch()

    def due_now(self) -> bool:
        with self.uow.read() as conn:
            return conn.execute(select(timers.c.id).where(timers.c.status == "pending",
                                                          timers.c.due_at <= self.clock.now()).limit(1)).first() \
                is not None

    def export_package(self, case_id: str) -> None:
        package = self.services.productions.write_package(case_id, "alice", self.home / "packages" / case_id)
        self.say(f"export: {case_id} package of {package['files']} files with manifest.json in {package['path']} "
                 "(the production is kept for the policy's production retention, then shredded)")

    async def warrant_for_the_preservation(self) -> None:
        legal = {**_sample("legal_process_for_preservation"), "kind": "legal_process",
                 "related_case": self.opened["preservation"], "sender": {"email": "minjun.kim@police.go.kr"}}
        self.drop("30-warrant-for-preservation.json", json.dumps(legal).encode())
        [linked] = await self.take_inbox()
        self.say(f"{linked['case_id']}  warrant arrives for the preserved data: now {linked['state']}")
        self.act(self.opened["preservation"], Trigger.RECOMMEND_DISCLOSURE, "alice",
                 reason="warrant covers the preserved logs")
        self.act(self.opened["preservation"], Trigger.APPROVE_DISCLOSURE, "bob")

    async def scheduled_reports(self, today: date) -> None:
        from ledesk.flows.report import statutory_reports, transparency_report

        if today.day == 1:  # the monthly deployment's day: last month's transparency report
            monthly = await transparency_report(now=self.now())
            self.flow_runs += 1
            self.say(f"report: transparency report for {monthly['month']}, {monthly['requests']} requests, in "
                     f"{Path(monthly['paths']['docx']).parent}")
        if (today.month, today.day) == (1, 2):  # the half-yearly deployment's day
            half = await statutory_reports(now=self.now())
            self.flow_runs += 1
            self.say(f"report: PCSA and TBA half-year reports for {half['half']} produced, due "
                     f"{half['reports']['pcsa']['due_on']}: " + ", ".join(
                         f"{n.upper()} {r['totals']['requests']} requests" for n, r in half["reports"].items()))

    async def weekly_purge_and_dispatch(self) -> None:
        from ledesk.flows.dispatch import dispatch_outbox
        from ledesk.flows.purge import purge_expired_preservations

        purged = (await purge_expired_preservations(now=self.now()))["purged"]
        await dispatch_outbox(now=self.now())
        self.flow_runs += 2
        for p in purged:
            self.say(f"{p['case_id']}  purge: hold {p['hold_id']} crypto-shredded, destruction certificate queued")

    async def finish(self, quiet: bool) -> dict[str, Any]:
        """The last dispatch, a package exported, and the summary with the audit chain's verdict."""
        from ledesk.flows.dispatch import dispatch_outbox
        from ledesk.serve import drain_prefect

        await dispatch_outbox(now=self.now())
        self.flow_runs += 1
        home = self.home
        with self.uow.read() as conn:
            counted = conn.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status)).all()
        status: dict[str, int] = {str(row[0]): int(row[1]) for row in counted}
        self.say(f"dispatch: {status.get('sent', 0)} messages written to {home / 'outbox'} over the 120 days, with "
                 f"their bilingual letters; {status.get('cancelled', 0)} held back for good, "
                 f"{status.get('failed', 0)} need an address from the data source")
        facts = self._closing_facts()
        self.rt.close()
        await drain_prefect()  # the runs' events and logs reach the server before it stops
        return {"database": str(home / "demo.db"), "cases": facts["rows"], "timers_fired": self.fired_total,
                "messages": facts["queued"], "letters": facts["letters"], "flow_runs": self.flow_runs,
                "days_swept": self.days_swept, "audit_ok": facts["verdict"].ok,
                "audit_events": facts["verdict"].events, "prefect_ui": PREFECT_UI,
                "text": self._text(facts), "finished_at": datetime.now(UTC).isoformat() if not quiet else None}

    def _closing_facts(self) -> dict[str, Any]:
        rows: list[dict[str, Any]] = [dict(r) for r in self.services.queries.cases()]
        verdict = self.services.queries.verify_audit().verdict
        with self.uow.read() as conn:
            notice_of = {r.case_id: f"{r.status} {r.reason}".strip() for r in conn.execute(select(notices))}
            facts = {"rows": rows, "queued": len(conn.execute(select(outbox.c.kind)).all()),
                     "letters": conn.execute(select(func.count()).select_from(letters)).scalar_one(),
                     "pending": len(conn.execute(select(timers.c.id).where(timers.c.status == "pending")).all()),
                     "verdict": verdict}
        for r in rows:
            r["notice"] = notice_of.get(r["case_id"], "")
            r["next_deadline"] = (datetime.fromisoformat(r["next_deadline"]).astimezone(SEOUL)
                                  .strftime("%Y-%m-%d %H:%M") if r["next_deadline"] else "-")
        return facts

    def _text(self, facts: dict[str, Any]) -> str:
        home, ui, verdict = self.home, PREFECT_UI, facts["verdict"]
        return "\n".join([
            "LE Desk demo: 120 days of requests through the Prefect flows on the embedded defaults "
            f"(SQLite at {home / 'demo.db'}, clock from {START:%Y-%m-%d %H:%M} KST)", "",
            *self.story, "",
            table(facts["rows"], ["case_id", "kind", "regime", "state", "notice", "next_deadline"]), "",
            f"timers fired by the daily sweep: {self.fired_total}; still pending: {facts['pending']}; "
            f"outbound messages queued: {facts['queued']}; letters: {facts['letters']}; "
            f"Prefect flow runs: {self.flow_runs}",
            f"audit chain: {'intact' if verdict.ok else 'BROKEN'} ({verdict.events} events)",
            "",
            f"Where to look: `ledesk serve`, then {ui}/runs for the flow runs (the emergency run is named after "
            f"its case), {ui}/events for every transition (ledesk.case.*), and {ui}/artifacts for a page per case "
            "(case-<id>) and the open-case table. Letters are in "
            f"{home / 'letters'}, sent mail in {home / 'outbox'}, reports in {home / 'reports'}.",
        ])
