"""`ledesk audit verify`: the hash chain of every transition and every access to preserved data."""

from __future__ import annotations

import argparse

from ledesk.bootstrap import Runtime
from ledesk.cli.common import Adder, Parser, need_subcommand, subcommands
from ledesk.cli.render import emit


def cmd_audit_verify(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.states.audit import verify

    with rt.reader.connect() as conn:
        v = verify(conn)
    doc = {"ok": v.ok, "events": v.events, "first_bad": v.first_bad, "problem": v.problem}
    emit(doc, args.json, f"audit chain {'intact' if v.ok else 'BROKEN'}: {v.events} events verified"
         + (f"; {v.problem}" if v.problem else ""))
    return 0 if v.ok else 1


def register(add: Adder, common: Parser) -> None:
    audit = subcommands(add("audit", need_subcommand, "the audit chain"), common)
    audit("verify", cmd_audit_verify, "check the hash chain")
