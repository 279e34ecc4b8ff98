"""`ledesk audit verify`: the hash chain of every transition and every access to preserved data."""

from __future__ import annotations

import argparse

from ledesk.bootstrap import Runtime
from ledesk.cli.common import Adder, Parser, need_subcommand, subcommands
from ledesk.cli.render import emit


def cmd_audit_verify(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.vault.checkpoints import CheckpointError

    try:
        v, marks = rt.services.queries.verify_audit()
    except CheckpointError as exc:
        emit({"ok": False, "events": 0, "first_bad": None, "problem": str(exc)}, args.json, f"BROKEN: {exc}")
        return 1
    doc = {"ok": v.ok, "events": v.events, "first_bad": v.first_bad, "problem": v.problem, "checkpoints": marks}
    emit(doc, args.json, f"audit chain {'intact' if v.ok else 'BROKEN'}: {v.events} events verified"
         + (f"; {v.problem}" if v.problem else ""))
    return 0 if v.ok else 1


def cmd_audit_checkpoint(rt: Runtime, args: argparse.Namespace) -> int:
    doc = rt.services.admin.checkpoint()
    emit(doc, args.json, f"checkpoint of {doc['events']} events (head {doc['head'][:16]}...) signed and appended "
                         f"to {doc['path']}")
    return 0


def register(add: Adder, common: Parser) -> None:
    audit = subcommands(add("audit", need_subcommand, "the audit chain"), common)
    audit("verify", cmd_audit_verify, "check the hash chain, and the chain against the signed checkpoints")
    audit("checkpoint", cmd_audit_checkpoint, "sign (events, head hash, time) with the audit key and append it "
                                              "outside the database")
