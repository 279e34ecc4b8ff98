"""`ledesk outbox`, `dispatch`, `letters render`: what LE Desk sends and its delivery."""

from __future__ import annotations

import argparse

from ledesk.bootstrap import Runtime
from ledesk.cli.common import Adder, Parser, need_subcommand, subcommands
from ledesk.cli.render import emit, table
from ledesk.states.errors import BadInput


def cmd_outbox(rt: Runtime, args: argparse.Namespace) -> int:
    rows = rt.services.queries.outbox(pending_only=args.pending)
    emit({"messages": rows}, args.json, table(rows, ["id", "case_id", "channel", "kind", "to", "status"]))
    return 0


def cmd_dispatch(rt: Runtime, args: argparse.Namespace) -> int:
    try:
        result = rt.services.outbox.deliver(args.limit)
    except ValueError as exc:  # a malformed LEDESK_SMTP_URL
        raise BadInput(str(exc)) from None
    doc = {"sent": result.sent, "retrying": result.retrying, "failed": result.failed, "held": result.held,
           "recovered": result.recovered}
    emit(doc, args.json, ", ".join(f"{k}: {len(v)}" for k, v in doc.items()))
    return 0


def cmd_letters_render(rt: Runtime, args: argparse.Namespace) -> int:
    done = rt.services.outbox.render_letters(args.limit)
    emit({"rendered": done}, args.json, table(done, ["case_id", "kind", "template_version", "path"]))
    return 0


def register(add: Adder, common: Parser) -> None:
    p = add("outbox", cmd_outbox, "list outbound messages")
    p.add_argument("--pending", action="store_true")
    p = add("dispatch", cmd_dispatch, "deliver pending outbound messages (LEDESK_SMTP_URL, else .eml files in "
                                      "LEDESK_HOME/outbox/)")
    p.add_argument("--limit", type=int, default=200)
    letters = subcommands(add("letters", need_subcommand, "letters to authorities and users"), common)
    p = letters("render", cmd_letters_render, "render pending letters as bilingual .docx")
    p.add_argument("--limit", type=int, default=500)
