"""`ledesk`: every command of CONTRACT.md. Exit codes: 0 done, 1 refused by the rules, 2 bad input or usage.

Heavy modules are imported inside the commands that use them, so `ledesk show` starts fast."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from ledesk.cli.render import case_text, emit, table
from ledesk.cli.runtime import Runtime, safe_url
from ledesk.states.clock import parse_day
from ledesk.states.errors import BadInput, LedeskError

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024


class UsageError(BadInput):
    code = "usage"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def _read_file(path: str, limit: int) -> bytes:
    p = Path(path)
    if not p.is_file():
        raise BadInput(f"{path}: no such file")
    if p.stat().st_size > limit:
        raise BadInput(f"{path}: larger than {limit // (1024 * 1024)} MB")
    return p.read_bytes()


def _attachment(path: str | None) -> Any:
    if path is None:
        return None
    from ledesk.states.attempt import Attachment

    content = _read_file(path, MAX_ATTACHMENT_BYTES)
    name = Path(path).name
    if name.lower().endswith(".json"):
        try:
            json.loads(content.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BadInput(f"{path}: not valid JSON ({exc})") from None
    return Attachment(name, content)


# -- commands -----------------------------------------------------------------------------------------
def cmd_init(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.models.migrate import upgrade

    rt.policy  # noqa: B018  (refuse to initialise on a policy that does not validate)
    upgrade(rt.engine)
    emit({"database": safe_url(str(rt.engine.url)), "policy_version": rt.policy.version}, args.json,
         f"database ready: {safe_url(str(rt.engine.url))} (policy {rt.policy.version})")
    return 0


def cmd_actors_add(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.states.admin import add_actor

    with rt.engine.begin() as conn:
        result = add_actor(conn, args.name, args.role, rt.clock.now())
    emit(result, args.json, f"{result['actor']}: {', '.join(result['roles'])}")
    return 0


def cmd_authorities_add(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.states.admin import add_authority

    with rt.engine.begin() as conn:
        result = add_authority(conn, args.domain, args.name, args.country, args.type, rt.clock.now())
    emit(result, args.json, f"allow-listed {result['domain']} ({result['name']}, {result['country']})")
    return 0


def cmd_schema(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.models.submission import Submission

    emit(Submission.model_json_schema(by_alias=True), True)
    return 0


def cmd_intake(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.intake.channels import intake_file

    with rt.engine.begin() as conn:
        result = intake_file(conn, Path(args.path), rt.clock.now(), rt.policy, rt.calendar)
    if result["case_id"] is None:
        text = f"not reviewed: {result['reason']}"
    elif result.get("duplicate_of"):
        text = f"duplicate of open case {result['duplicate_of']}; no new case opened"
    else:
        text = f"{result['case_id']}: {result['state']} ({result['kind']})" + "".join(
            f"\n  missing {d['field']}: {d['message']}" for d in result["deficiencies"])
    emit(result, args.json, text)
    return 0


def cmd_forms_blank(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.intake.forms.blank import blank_form

    out = Path(args.output)
    if out.parent and not out.parent.exists():
        raise BadInput(f"{out.parent}: no such folder")
    out.write_bytes(blank_form(args.kind, rt.policy.provider_name))
    emit({"path": str(out), "kind": args.kind}, args.json, f"blank {args.kind} form written to {out}")
    return 0


def cmd_cases(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.states.clock import parse_instant
    from ledesk.states.queries import list_cases

    due = None
    if args.due_before:
        try:
            due = parse_instant(args.due_before)
        except ValueError as exc:
            raise BadInput(str(exc)) from None
    with rt.reader.connect() as conn:
        rows = list_cases(conn, args.state, due)
    emit({"cases": rows}, args.json,
         table(rows, ["case_id", "state", "kind", "regime", "authority", "next_deadline"]))
    return 0


def _show(rt: Runtime, case_id: str) -> dict[str, Any]:
    from ledesk.states.queries import show

    with rt.reader.connect() as conn:
        return show(conn, case_id, rt.policy, rt.calendar)


def cmd_show(rt: Runtime, args: argparse.Namespace) -> int:
    doc = _show(rt, args.case)
    emit(doc, args.json, case_text(doc))
    return 0


def cmd_advance(rt: Runtime, args: argparse.Namespace) -> int:
    rt.desk().fire(args.case, args.trigger, args.actor, reason=args.reason or "",
                   attachment=_attachment(args.attach), failed=args.failed, minutes=args.minutes)
    doc = _show(rt, args.case)
    emit(doc, args.json, case_text(doc))
    return 0


def cmd_nondisclosure(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.states.engine import system_attempt
    from ledesk.states.nondisclosure import record_order

    if bool(args.until) == bool(args.indefinite):
        raise BadInput("give exactly one of --until DATE or --indefinite")
    until = parse_day(args.until) if args.until else None
    attempt = system_attempt("nondisclosure", rt.clock.now(), rt.policy, rt.calendar, reason=args.reason or "")
    attempt.actor = args.actor
    with rt.engine.begin() as conn:
        record_order(conn, args.case, until, args.indefinite, attempt, _attachment(args.attach))
    doc = _show(rt, args.case)
    emit(doc, args.json, case_text(doc))
    return 0


def cmd_refer(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.states.engine import system_attempt
    from ledesk.states.referral import refer

    attempt = system_attempt("tos_referral", rt.clock.now(), rt.policy, rt.calendar, reason=args.reason or "")
    attempt.actor = args.actor
    with rt.engine.begin() as conn:
        refer(conn, args.case, attempt)
    doc = _show(rt, args.case)
    emit(doc, args.json, case_text(doc))
    return 0


def cmd_sweep(rt: Runtime, args: argparse.Namespace) -> int:
    doc = rt.sweep(args.batch_size)
    emit(doc, args.json, table(doc["fired"], ["case_id", "timer", "trigger", "action"])
         + (f"\nFAILED: {len(doc['failed'])}" if doc["failed"] else ""))
    return 0


def cmd_outbox(rt: Runtime, args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from ledesk.models.tables import outbox

    query = select(outbox.c.id, outbox.c.case_id, outbox.c.to, outbox.c.kind, outbox.c.channel,
                   outbox.c.status, outbox.c.subject, outbox.c.created_at).order_by(outbox.c.id)
    if args.pending:
        query = query.where(outbox.c.status == "pending")
    with rt.reader.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    emit({"messages": rows}, args.json, table(rows, ["id", "case_id", "channel", "kind", "to", "status"]))
    return 0


def cmd_export(rt: Runtime, args: argparse.Namespace) -> int:
    import getpass

    from ledesk.vault.production import export

    actor = args.actor or f"cli:{getpass.getuser()}"
    with rt.engine.begin() as conn:
        try:
            result = export(conn, rt.vault(), args.case, Path(args.output), rt.clock.now(), actor)
        except LookupError as exc:
            raise BadInput(str(exc)) from None
    emit({"path": result["path"], "files": result["files"]}, args.json,
         f"wrote {result['files']} files to {result['path']} (manifest.json lists their SHA-256)")
    return 0


def cmd_letters_render(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.letters.render import render_pending
    from ledesk.models.db import ledesk_home

    done = render_pending(rt.engine, ledesk_home(), rt.policy.provider_name, rt.calendar.zone, limit=args.limit)
    emit({"rendered": done}, args.json, table(done, ["case_id", "kind", "template_version", "path"]))
    return 0


def cmd_purge(rt: Runtime, args: argparse.Namespace) -> int:
    doc = rt.purge()
    emit(doc, args.json, table(doc["purged"], ["case_id", "hold_id"]))
    return 0


def cmd_datasource_load(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.datasource.embedded import read_jsonl

    path = Path(args.file)
    if not path.is_file():
        raise BadInput(f"{args.file}: no such file")
    count = rt.source().load(read_jsonl(path))
    emit({"accounts": count}, args.json, f"loaded {count} accounts")
    return 0


def cmd_datasource_generate(rt: Runtime, args: argparse.Namespace) -> int:
    if args.accounts < 0 or args.accounts > 1_000_000:
        raise BadInput("--accounts takes 0 to 1,000,000")
    count = rt.source().generate(args.accounts, rt.clock.now())
    emit({"accounts": count}, args.json, f"generated {count} accounts")
    return 0


def cmd_datasource_retention(rt: Runtime, args: argparse.Namespace) -> int:
    deleted = rt.source().apply_retention(rt.clock.now(), rt.retention_months())
    emit({"deleted": deleted}, args.json, f"deleted {deleted} log records past retention")
    return 0


def cmd_dispatch(rt: Runtime, args: argparse.Namespace) -> int:
    try:
        result = rt.deliver(args.limit)
    except ValueError as exc:  # a malformed LEDESK_SMTP_URL
        raise BadInput(str(exc)) from None
    doc = {"sent": result.sent, "retrying": result.retrying, "failed": result.failed, "held": result.held,
           "recovered": result.recovered}
    emit(doc, args.json, ", ".join(f"{k}: {len(v)}" for k, v in doc.items()))
    return 0


def cmd_audit_verify(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.states.audit import verify

    with rt.reader.connect() as conn:
        v = verify(conn)
    doc = {"ok": v.ok, "events": v.events, "first_bad": v.first_bad, "problem": v.problem}
    emit(doc, args.json, f"audit chain {'intact' if v.ok else 'BROKEN'}: {v.events} events verified"
         + (f"; {v.problem}" if v.problem else ""))
    return 0 if v.ok else 1


def cmd_machine(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.states.machine import TABLE, mermaid

    if args.mermaid:
        sys.stdout.write(mermaid())
        return 0
    rows = [{"trigger": r.trigger, "from": list(r.source), "to": r.dest, "by": list(r.by),
             "guards": list(r.guards)} for r in TABLE]
    emit({"transitions": rows}, args.json, table(
        [{**r, "from": ",".join(r["from"]), "by": ",".join(r["by"]), "guards": ",".join(r["guards"])}
         for r in rows], ["trigger", "from", "to", "by", "guards"]))
    return 0


def cmd_demo(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.cli.demo import run_demo

    summary = run_demo(Path(args.home) if args.home else None, quiet=args.json)
    emit(summary, args.json, summary["text"])
    return 0 if summary["audit_ok"] else 1


def cmd_stats(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.states.stats import picture

    with rt.reader.connect() as conn:
        doc = picture(conn, rt.clock.now())
    ack = doc["emergency_acknowledgement"]
    text = "\n".join([
        f"open cases: {doc['open_total']} ({', '.join(f'{k} {v}' for k, v in sorted(doc['open_by_state'].items()))})",
        f"deadlines in the next 24 hours: {doc['due_next_24h']}; next 7 days: {doc['due_next_7d']}",
        f"overdue timers: {doc['overdue_count']}; failed timers: {doc['failed_timers']}",
        "median hours from receipt to decision: "
        + (", ".join(f"{k} {v}" for k, v in doc["median_hours_to_decision"].items()) or "no decisions yet"),
        f"emergency acknowledgement: {ack['acknowledged']} acknowledged, median {ack['median_minutes']} min, "
        f"slowest {ack['max_minutes']} min; open and unacknowledged: {ack['open_unacknowledged']}",
    ])
    if args.png:
        from ledesk.models.db import ledesk_home
        from ledesk.reports.chart import operators_picture
        from ledesk.reports.produce import output_path

        out = output_path(Path(args.png), ledesk_home(), "")
        out.write_bytes(operators_picture(doc))
        doc["png"] = str(out)
        text += f"\nchart written to {out}"
    emit(doc, args.json, text)
    return 0


def cmd_report_transparency(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.models.db import ledesk_home
    from ledesk.reports.produce import transparency_report

    with rt.reader.connect() as conn:
        doc = transparency_report(conn, parse_day(args.date_from), parse_day(args.date_to), [args.format], rt.calendar,
                                  ledesk_home(), Path(args.output) if args.output else None,
                                  rt.policy.provider_name)
    received = [r for r in doc["rows"] if r["measure"] == "received"]
    emit(doc, args.json, table(received, ["table", "period", "country", "instrument", "requests", "accounts"])
         + f"\n{doc['requests']} requests counted; {doc['not_reviewed']} submissions not reviewed (not counted)"
         + f"\nwritten to {doc['path']}")
    return 0


def cmd_report_statutory(rt: Runtime, args: argparse.Namespace) -> int:
    import getpass

    from ledesk.models.db import ledesk_home
    from ledesk.reports.produce import statutory_report

    actor = args.actor or f"cli:{getpass.getuser()}"
    with rt.engine.begin() as conn:
        doc = statutory_report(conn, args.ledger, args.half, args.format, rt.policy, rt.calendar, rt.clock.now(),
                               ledesk_home(), actor, Path(args.output) if args.output else None)
    totals = doc["totals"]
    emit(doc, args.json, table(doc["rows"], ["authority_type", "authority", "requests", "requests_with_data",
                                             "accounts_requested", "accounts_provided"])
         + f"\ntotal: {totals['requests']} requests, {totals['accounts_provided']} accounts provided; "
         f"due {doc['due_on']}" + ("" if doc["complete"] else " (draft: the half-year is not over)")
         + f"\nwritten to {doc['path']}")
    return 0


def cmd_invoice(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.letters.render import render_pending
    from ledesk.models.db import ledesk_home
    from ledesk.reports.invoice import invoice

    with rt.engine.begin() as conn:
        doc = invoice(conn, args.case, args.actor, rt.clock.now(), rt.policy)
    rendered = render_pending(rt.engine, ledesk_home(), rt.policy.provider_name, rt.calendar.zone)
    doc["path"] = next((r["path"] for r in rendered if r["case_id"] == args.case and r["kind"] == "cost_invoice"),
                       None)
    emit(doc, args.json, f"invoice for {args.case}: {doc['amount']}\nletter: {doc['path']}")
    return 0


def cmd_tokens_create(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.states.tokens import create

    if bool(args.actor) == bool(args.authority):
        raise BadInput("name one staff ACTOR or give --authority DOMAIN")
    with rt.engine.begin() as conn:
        made = create(conn, rt.clock.now(), actor=args.actor, authority=args.authority)
    emit(made, args.json, f"{made['token']}\n(token id {made['token_id']}; the secret is shown only this once)")
    return 0


def cmd_tokens_revoke(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.states.tokens import revoke

    with rt.engine.begin() as conn:
        done = revoke(conn, args.token_id, rt.clock.now())
    emit(done, args.json, f"revoked {done['token_id']}")
    return 0


def cmd_api(rt: Runtime, args: argparse.Namespace) -> int:
    import uvicorn

    from ledesk.api.app import create_app
    from ledesk.models.migrate import upgrade

    if not 0 < args.port < 65536:
        raise BadInput("--port takes 1 to 65535")
    upgrade(rt.engine)
    uvicorn.run(create_app(rt), host=args.host, port=args.port, log_level="warning", server_header=False)
    return 0


def cmd_serve(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.cli.serve import run_serve

    if not 0 < args.port < 65536:
        raise BadInput("--port takes 1 to 65535")
    try:
        return run_serve(rt, args.host, args.port, watch=not args.no_watch, api_port=args.api_port or None)
    except RuntimeError as exc:
        raise BadInput(str(exc)) from None


# -- parser -------------------------------------------------------------------------------------------
def _trigger_help() -> str:
    from ledesk.states.machine import TABLE

    lines = [f"  {r.trigger:<22} {'/'.join(r.source) if len(r.source) < 5 else 'any open state'} -> {r.dest}; "
             f"by {', '.join(r.by)}: {r.summary}" for r in TABLE]
    return "triggers (from the transition table):\n" + "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print exactly one JSON document")
    parser = _Parser(prog="ledesk", description="LE Desk: law-enforcement requests, deadlines and proof.",
                     parents=[common])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add(name: str, fn: Callable[[Runtime, argparse.Namespace], int], help_: str,
            **kw: Any) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_, parents=[common], **kw)
        p.set_defaults(fn=fn)
        return p

    add("init", cmd_init, "create or migrate the database and check the policy")
    actors = add("actors", lambda rt, a: _need_sub(a), "manage staff")
    actors_sub = actors.add_subparsers(dest="sub", parser_class=_Parser)
    p = actors_sub.add_parser("add", parents=[common], help="register a staff member or add roles")
    p.add_argument("name")
    p.add_argument("--role", action="append", required=True, choices=["reviewer", "approver", "oncall", "admin"])
    p.set_defaults(fn=cmd_actors_add)
    auths = add("authorities", lambda rt, a: _need_sub(a), "manage the authority allow-list")
    auths_sub = auths.add_subparsers(dest="sub", parser_class=_Parser)
    p = auths_sub.add_parser("add", parents=[common], help="allow-list an authority's e-mail domain")
    p.add_argument("domain")
    p.add_argument("--name", required=True)
    p.add_argument("--country", required=True)
    p.add_argument("--type", required=True, choices=["police", "prosecution", "court", "regulator", "other"])
    p.set_defaults(fn=cmd_authorities_add)
    add("schema", cmd_schema, "print the submission JSON Schema")
    forms = add("forms", lambda rt, a: _need_sub(a), "the bilingual .docx request forms")
    forms_sub = forms.add_subparsers(dest="sub", parser_class=_Parser)
    p = forms_sub.add_parser("blank", parents=[common], help="write a blank form")
    p.add_argument("--kind", required=True, choices=["preservation", "legal_process", "emergency"])
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    p.set_defaults(fn=cmd_forms_blank)
    p = add("intake", cmd_intake, "take a submission: .json (portal), .docx (filled form) or .eml (e-mail)")
    p.add_argument("path")
    p = add("cases", cmd_cases, "list cases, nearest deadline first")
    p.add_argument("--state")
    p.add_argument("--due-before", help="ISO-8601 instant")
    p = add("show", cmd_show, "one case")
    p.add_argument("case")
    p = add("advance", cmd_advance, "fire a trigger on a case", epilog=_trigger_help(),
            formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("case")
    p.add_argument("trigger")
    p.add_argument("--actor", required=True)
    p.add_argument("--reason")
    p.add_argument("--attach", metavar="FILE")
    p.add_argument("--failed", action="store_true", help="verify_callback: the call did not confirm the request")
    p.add_argument("--minutes", type=int, help="reviewer time this action took, for cost recovery "
                   "(default: the policy's standard time for the action)")
    p = add("nondisclosure", cmd_nondisclosure, "record a new or extended non-disclosure order")
    p.add_argument("case")
    p.add_argument("--until")
    p.add_argument("--indefinite", action="store_true")
    p.add_argument("--actor", required=True)
    p.add_argument("--reason")
    p.add_argument("--attach", metavar="FILE")
    p = add("refer", cmd_refer, "refer the case to the abuse team (held while the user's notice is held)")
    p.add_argument("case")
    p.add_argument("--actor", required=True)
    p.add_argument("--reason")
    p = add("sweep", cmd_sweep, "fire every timer due at the clock's now")
    p.add_argument("--batch-size", type=int, default=1000)
    p = add("dispatch", cmd_dispatch, "deliver pending outbound messages (LEDESK_SMTP_URL, else .eml files in "
                                      "LEDESK_HOME/outbox/)")
    p.add_argument("--limit", type=int, default=200)
    p = add("export", cmd_export, "write a disclosed case's package: files, manifest.json, cover letter")
    p.add_argument("case")
    p.add_argument("-o", "--output", required=True, metavar="DIR")
    p.add_argument("--actor", help="who reads the produced data (recorded in the audit log)")
    letters_p = add("letters", lambda rt, a: _need_sub(a), "letters to authorities and users")
    letters_sub = letters_p.add_subparsers(dest="sub", parser_class=_Parser)
    p = letters_sub.add_parser("render", parents=[common], help="render pending letters as bilingual .docx")
    p.add_argument("--limit", type=int, default=500)
    p.set_defaults(fn=cmd_letters_render)
    p = add("purge", cmd_purge, "purge holds whose cases expired or were released: crypto-shred and certify")
    source = add("datasource", lambda rt, a: _need_sub(a), "the embedded data source")
    source_sub = source.add_subparsers(dest="sub", parser_class=_Parser)
    p = source_sub.add_parser("load", parents=[common], help="load accounts from a JSON-lines file")
    p.add_argument("file")
    p.set_defaults(fn=cmd_datasource_load)
    p = source_sub.add_parser("generate", parents=[common], help="make synthetic accounts")
    p.add_argument("--accounts", type=int, required=True)
    p.set_defaults(fn=cmd_datasource_generate)
    p = source_sub.add_parser("retention", parents=[common], help="apply the data source's own retention now")
    p.set_defaults(fn=cmd_datasource_retention)
    p = add("outbox", cmd_outbox, "list outbound messages")
    p.add_argument("--pending", action="store_true")
    audit_p = add("audit", lambda rt, a: _need_sub(a), "the audit chain")
    audit_sub = audit_p.add_subparsers(dest="sub", parser_class=_Parser)
    p = audit_sub.add_parser("verify", parents=[common], help="check the hash chain")
    p.set_defaults(fn=cmd_audit_verify)
    p = add("machine", cmd_machine, "the transition table (or --mermaid for the diagram)")
    p.add_argument("--mermaid", action="store_true")
    p = add("stats", cmd_stats, "the operators' picture: open cases, deadlines soon, overdue, decision and "
                                "acknowledgement times")
    p.add_argument("--png", metavar="FILE", help="also draw the picture as a PNG chart")
    report = add("report", lambda rt, a: _need_sub(a), "the transparency report and the statutory half-year reports")
    report_sub = report.add_subparsers(dest="sub", parser_class=_Parser)
    p = report_sub.add_parser("transparency", parents=[common], help="requests by period, country, instrument "
                              "and outcome, as requests and as accounts")
    p.add_argument("--from", dest="date_from", required=True, metavar="DATE", help="first day (Asia/Seoul)")
    p.add_argument("--to", dest="date_to", required=True, metavar="DATE", help="last day, included")
    p.add_argument("--format", default="csv", choices=["csv", "md", "docx", "png"])
    p.add_argument("-o", "--output", metavar="FILE", help="default: LEDESK_HOME/reports/")
    p.set_defaults(fn=cmd_report_transparency)
    for ledger, help_ in (("pcsa", "the PCSA communication-confirmation data half-year report"),
                          ("tba", "the TBA subscriber data half-year report")):
        p = report_sub.add_parser(ledger, parents=[common], help=help_ + ", from the provision ledger")
        p.add_argument("--half", required=True, metavar="YYYY-H1|YYYY-H2")
        p.add_argument("--format", default="docx", choices=["csv", "md", "docx"])
        p.add_argument("-o", "--output", metavar="FILE", help="default: LEDESK_HOME/reports/")
        p.add_argument("--actor", help="who produced it (for the audit log)")
        p.set_defaults(fn=cmd_report_statutory, ledger=ledger)
    p = add("invoice", cmd_invoice, "the cost invoice letter for a case: reviewer time and data produced, "
                                    "priced by the policy's fee schedule")
    p.add_argument("case")
    p.add_argument("--actor", required=True)
    tokens_p = add("tokens", lambda rt, a: _need_sub(a), "API tokens for staff and authorities")
    tokens_sub = tokens_p.add_subparsers(dest="sub", parser_class=_Parser)
    p = tokens_sub.add_parser("create", parents=[common], help="make a token (the secret is printed once)")
    p.add_argument("actor", nargs="?", help="the staff actor the token speaks for")
    p.add_argument("--authority", metavar="DOMAIN", help="a token for an allow-listed authority instead")
    p.set_defaults(fn=cmd_tokens_create)
    p = tokens_sub.add_parser("revoke", parents=[common], help="revoke a token by its id")
    p.add_argument("token_id")
    p.set_defaults(fn=cmd_tokens_revoke)
    p = add("api", cmd_api, "the HTTP API (/v1/, /openapi.json) and the reviewers' web UI")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p = add("serve", cmd_serve, "run the API, the web UI and the Prefect deployments with their schedules "
                                "(and a Prefect server when PREFECT_API_URL is not set); Ctrl-C stops")
    p.add_argument("--host", default="127.0.0.1", help="where the local Prefect server listens")
    p.add_argument("--port", type=int, default=4200, help="the local Prefect server's port (UI and API)")
    p.add_argument("--api-port", type=int, default=8000, help="the API and web UI's port (0: do not serve them)")
    p.add_argument("--no-watch", action="store_true",
                   help="leave the drop folder to the watch-inbox schedule (when another machine takes intake)")
    p = add("demo", cmd_demo, "run sample requests through the Prefect flows over 120 simulated days")
    p.add_argument("--home", help="folder for the demo database (default: LEDESK_HOME/demo)")
    return parser


def _need_sub(args: argparse.Namespace) -> int:
    raise UsageError(f"ledesk {args.command}: say which (see ledesk {args.command} --help)")


def _error(exc: LedeskError, as_json: bool) -> int:
    doc: dict[str, Any] = {"error": exc.message, "code": exc.code}
    guard = getattr(exc, "guard", None)
    if guard:
        doc["guard"] = guard
    if as_json:
        emit(doc, True)
    else:
        sys.stderr.write(f"ledesk: {exc.message}\n")
    return exc.exit_code


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    as_json = "--json" in argv
    try:
        args = build_parser().parse_args(argv)
        if not getattr(args, "fn", None):
            raise UsageError("say which command; `ledesk --help` lists them")
        runtime = Runtime()
        try:
            runtime.clock  # noqa: B018  (a bad LEDESK_NOW is refused before anything runs)
        except ValueError as exc:
            raise BadInput(f"LEDESK_NOW: {exc}") from None
        return int(args.fn(runtime, args))
    except LedeskError as exc:
        return _error(exc, as_json)
    except Exception as exc:  # the boundary: turn known library failures into clear errors
        translated = _translate(exc)
        if translated is None:
            raise
        return _error(translated, as_json)


def _translate(exc: Exception) -> LedeskError | None:
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from ledesk.policy.load import PolicyError

    if isinstance(exc, PolicyError) or (isinstance(exc, ValueError) and getattr(exc, "code", "") == "bad_input"):
        return BadInput(str(exc))
    if isinstance(exc, OperationalError | ProgrammingError):
        text = str(exc.orig) if getattr(exc, "orig", None) else str(exc)
        if "no such table" in text or "does not exist" in text:
            return BadInput("the database is not initialised: run `ledesk init`")
        return BadInput(f"database error: {text.splitlines()[0]}")
    return None


if __name__ == "__main__":
    raise SystemExit(main())
