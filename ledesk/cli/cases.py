"""`ledesk cases`, `show`, `assign`, `advance`, `nondisclosure`, `refer`, `invoice`, `export`, `machine`: working a
case."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ledesk.bootstrap import Runtime
from ledesk.cli.common import Adder, attachment, cli_actor, emit_case
from ledesk.cli.render import emit, table
from ledesk.states.clock import parse_day, parse_instant
from ledesk.states.errors import BadInput


def cmd_cases(rt: Runtime, args: argparse.Namespace) -> int:
    due = None
    if args.due_before:
        try:
            due = parse_instant(args.due_before)
        except ValueError as exc:
            raise BadInput(str(exc)) from None
    rows = rt.services.queries.cases(args.state, due, assigned_to=args.assigned_to)
    emit({"cases": rows}, args.json,
         table(rows, ["case_id", "state", "kind", "regime", "authority", "next_deadline", "assigned_to"]))
    return 0


def cmd_assign(rt: Runtime, args: argparse.Namespace) -> int:
    done = rt.services.cases.assign(args.case, args.to, args.actor)
    emit(done, args.json, f"{done['case_id']} is with {done['assigned_to']}")
    return 0


def cmd_show(rt: Runtime, args: argparse.Namespace) -> int:
    return emit_case(rt, args.case, args.json)


def cmd_advance(rt: Runtime, args: argparse.Namespace) -> int:
    rt.services.cases.fire(args.case, args.trigger, args.actor, reason=args.reason or "",
                           attachment=attachment(args.attach), failed=args.failed, minutes=args.minutes)
    return emit_case(rt, args.case, args.json)


def cmd_nondisclosure(rt: Runtime, args: argparse.Namespace) -> int:
    if bool(args.until) == bool(args.indefinite):
        raise BadInput("give exactly one of --until DATE or --indefinite")
    until = parse_day(args.until) if args.until else None
    rt.services.cases.record_order(args.case, args.actor, until, args.indefinite, args.reason or "",
                                   attachment(args.attach), args.reference or "")
    return emit_case(rt, args.case, args.json)


def cmd_followup(rt: Runtime, args: argparse.Namespace) -> int:
    rt.services.cases.attach_followup(args.case, args.actor, attachment(args.attach), args.reason or "")
    return emit_case(rt, args.case, args.json)


def cmd_refer(rt: Runtime, args: argparse.Namespace) -> int:
    rt.services.cases.refer(args.case, args.actor, args.reason or "")
    return emit_case(rt, args.case, args.json)


def cmd_invoice(rt: Runtime, args: argparse.Namespace) -> int:
    doc = rt.services.cases.invoice(args.case, args.actor)
    emit(doc, args.json, f"invoice for {args.case}: {doc['amount']}\nletter: {doc['path']}")
    return 0


def cmd_export(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.services.productions import NotDisclosed

    target = Path(args.output)
    try:
        done = rt.services.productions.write_package(args.case, cli_actor(args.actor), target)
    except NotDisclosed as exc:
        raise BadInput(exc.message) from None
    if target.suffix == ".zip":  # the package as the authority receives it
        text = f"wrote {target} ({done['files']} files; check it with ledesk verify-production {target})"
    else:
        text = f"wrote {done['files']} files to {done['path']} (manifest.json lists their SHA-256)"
    emit({"path": done["path"], "files": done["files"]}, args.json, text)
    return 0


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


def trigger_help() -> str:
    from ledesk.states.machine import TABLE

    lines = [f"  {r.trigger:<22} {'/'.join(r.source) if len(r.source) < 5 else 'any open state'} -> {r.dest}; "
             f"by {', '.join(r.by)}: {r.summary}" for r in TABLE]
    return "triggers (from the transition table):\n" + "\n".join(lines)


def register(add: Adder) -> None:
    p = add("cases", cmd_cases, "list cases, nearest deadline first")
    p.add_argument("--state")
    p.add_argument("--due-before", help="ISO-8601 instant")
    p.add_argument("--assigned-to", metavar="REVIEWER", help="only the cases with this reviewer")
    p = add("show", cmd_show, "one case")
    p.add_argument("case")
    p = add("assign", cmd_assign, "give a case to a reviewer (the audit log keeps who had it before)")
    p.add_argument("case")
    p.add_argument("--to", required=True, metavar="REVIEWER", help="a staff member with the reviewer role")
    p.add_argument("--actor", required=True)
    p = add("advance", cmd_advance, "fire a trigger on a case", epilog=trigger_help(),
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
    p.add_argument("--reference", help="the order's number (an indefinite order needs it or --attach)")
    p.add_argument("--actor", required=True)
    p.add_argument("--reason")
    p.add_argument("--attach", metavar="FILE")
    p = add("followup", cmd_followup, "attach the follow-up legal process of a disclosed emergency")
    p.add_argument("case")
    p.add_argument("--attach", required=True, metavar="FILE")
    p.add_argument("--actor", required=True)
    p.add_argument("--reason")
    p = add("refer", cmd_refer, "refer the case to the abuse team (held while the user's notice is held)")
    p.add_argument("case")
    p.add_argument("--actor", required=True)
    p.add_argument("--reason")
    p = add("invoice", cmd_invoice, "the cost invoice letter for a case: reviewer time and data produced, "
                                    "priced by the policy's fee schedule")
    p.add_argument("case")
    p.add_argument("--actor", required=True)
    p = add("export", cmd_export, "write a disclosed case's package: the data files and the production key, all "
                                  "listed in manifest.json, signed in manifest.sig (-o DIR, or -o FILE.zip)")
    p.add_argument("case")
    p.add_argument("-o", "--output", required=True, metavar="DIR|FILE.zip")
    p.add_argument("--actor", help="who reads the produced data (recorded in the audit log)")
    p = add("machine", cmd_machine, "the transition table (or --mermaid for the diagram)")
    p.add_argument("--mermaid", action="store_true")
