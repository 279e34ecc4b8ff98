"""`ledesk report transparency|pcsa|tba` and `stats`: what the compliance lead and the operators read."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ledesk.bootstrap import Runtime
from ledesk.cli.common import Adder, Parser, cli_actor, need_subcommand, subcommands
from ledesk.cli.render import emit, table, when
from ledesk.states.clock import parse_day


def _stats_text(doc: dict[str, Any]) -> str:
    ack, by_state, medians = doc["emergency_acknowledgement"], doc["open_by_state"], doc["median_hours_to_decision"]
    return "\n".join([
        f"open cases: {doc['open_total']} ({', '.join(f'{k} {v}' for k, v in sorted(by_state.items()))})",
        f"deadlines in the next 24 hours: {doc['due_next_24h']}; next 7 days: {doc['due_next_7d']}",
        f"overdue timers: {doc['overdue_count']}; failed timers: {doc['failed_timers']}",
        "median hours from receipt to decision: "
        + (", ".join(f"{k} {v}" for k, v in medians.items()) or "no decisions yet"),
        f"emergency acknowledgement: {ack['acknowledged']} acknowledged, median {when(ack['median_minutes'])} min, "
        f"slowest {when(ack['max_minutes'])} min; open and unacknowledged: {ack['open_unacknowledged']}",
    ])


def cmd_stats(rt: Runtime, args: argparse.Namespace) -> int:
    doc = rt.services.reports.picture()
    text = _stats_text(doc)
    if args.png:
        from ledesk.models.db import ledesk_home
        from ledesk.reports.chart import operators_picture
        from ledesk.reports.produce import output_path

        out = output_path(Path(args.png), ledesk_home(), "")
        out.write_bytes(operators_picture(doc, when(doc["at"])))
        doc["png"] = str(out)
        text += f"\nchart written to {out}"
    emit(doc, args.json, text)
    return 0


def cmd_report_transparency(rt: Runtime, args: argparse.Namespace) -> int:
    doc = rt.services.reports.transparency(parse_day(args.date_from), parse_day(args.date_to), [args.format],
                                           Path(args.output) if args.output else None)
    received = [r for r in doc["rows"] if r["measure"] == "received"]
    emit(doc, args.json, table(received, ["table", "period", "country", "instrument", "requests", "accounts"])
         + f"\n{doc['requests']} requests counted; {doc['not_reviewed']} submissions not reviewed (not counted)"
         + f"\nwritten to {doc['path']}")
    return 0


def cmd_report_statutory(rt: Runtime, args: argparse.Namespace) -> int:
    doc = rt.services.reports.produce_statutory(args.ledger, args.half, args.format, cli_actor(args.actor),
                                                Path(args.output) if args.output else None)
    totals = doc["totals"]
    emit(doc, args.json, table(doc["rows"], ["authority_type", "authority", "requests", "requests_with_data",
                                             "accounts_requested", "accounts_provided"])
         + f"\ntotal: {totals['requests']} requests, {totals['accounts_provided']} accounts provided; "
         f"due {doc['due_on']}" + ("" if doc["complete"] else " (draft: the half-year is not over)")
         + f"\nwritten to {doc['path']}")
    return 0


def register(add: Adder, common: Parser) -> None:
    p = add("stats", cmd_stats, "the operators' picture: open cases, deadlines soon, overdue, decision and "
                                "acknowledgement times")
    p.add_argument("--png", metavar="FILE", help="also draw the picture as a PNG chart")
    report = subcommands(add("report", need_subcommand, "the transparency report and the statutory half-year "
                                                        "reports"), common)
    p = report("transparency", cmd_report_transparency, "requests by period, country, instrument and outcome, "
                                                         "as requests and as accounts")
    p.add_argument("--from", dest="date_from", required=True, metavar="DATE", help="first day (Asia/Seoul)")
    p.add_argument("--to", dest="date_to", required=True, metavar="DATE", help="last day, included")
    p.add_argument("--format", default="csv", choices=["csv", "md", "docx", "png"])
    p.add_argument("-o", "--output", metavar="FILE", help="default: LEDESK_HOME/reports/")
    for ledger, help_ in (("pcsa", "the PCSA communication-confirmation data half-year report"),
                          ("tba", "the TBA subscriber data half-year report")):
        p = report(ledger, cmd_report_statutory, help_ + ", from the provision ledger")
        p.add_argument("--half", required=True, metavar="YYYY-H1|YYYY-H2")
        p.add_argument("--format", default="docx", choices=["csv", "md", "docx"])
        p.add_argument("-o", "--output", metavar="FILE", help="default: LEDESK_HOME/reports/")
        p.add_argument("--actor", help="who produced it (for the audit log)")
        p.set_defaults(ledger=ledger)
