"""`ledesk audit verify`: the hash chain of every transition and every access to preserved data."""

from __future__ import annotations

import argparse

from ledesk.bootstrap import Runtime
from ledesk.cli.common import Adder, Parser, need_subcommand, subcommands
from ledesk.cli.render import emit


def cmd_audit_verify(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.vault.checkpoints import CheckpointError

    try:
        check = rt.services.queries.verify_audit()
    except CheckpointError as exc:
        emit({"ok": False, "events": 0, "first_bad": None, "problem": str(exc)}, args.json, f"BROKEN: {exc}")
        return 1
    v, marks, witness = check.verdict, check.checkpoints, check.witness
    doc = {"ok": v.ok, "events": v.events, "first_bad": v.first_bad, "problem": v.problem, "checkpoints": marks,
           "anchored": v.anchored if v.ok else None, "unanchored": v.unanchored if v.ok else None,
           "witness": witness}
    said = f"audit chain {'intact' if v.ok else 'BROKEN'}: {v.events} events verified"
    if v.ok:  # never a bare ok: how much of it a signed checkpoint protects
        said += (f", {v.anchored} under {marks} signed checkpoint(s), {v.unanchored} not yet under a checkpoint"
                 + (" (they could still be rewritten unseen: `ledesk audit checkpoint`)" if v.unanchored else ""))
    said += (f"; witness: {witness['status']} ({witness['checkpoints']} checkpoint(s))" if witness["reachable"] else
             f"; {witness['status']}: a rollback of the database and checkpoints.jsonl together would not be seen")
    emit(doc, args.json, said + (f"; {v.problem}" if v.problem else ""))
    return 0 if v.ok else 1


def cmd_audit_prove(rt: Runtime, args: argparse.Namespace) -> int:
    doc = rt.services.queries.prove(args.event, args.checkpoint)
    emit(doc, args.json, f"event {doc['event']} {'IS' if doc['verified'] else 'is NOT'} in the tree of "
                         f"{doc['tree_size']} events signed at {doc['checkpoint']['at']} (root {doc['root'][:16]}...,"
                         f" {len(doc['path'])} hashes in the proof)")
    return 0 if doc["verified"] else 1


def cmd_audit_consistency(rt: Runtime, args: argparse.Namespace) -> int:
    doc = rt.services.queries.consistency(args.old, args.new)
    emit(doc, args.json, f"checkpoint {args.new} ({doc['new']['events']} events) "
                         f"{'extends' if doc['verified'] else 'does NOT extend'} checkpoint {args.old} "
                         f"({doc['old']['events']} events)")
    return 0 if doc["verified"] else 1


def cmd_audit_checkpoint(rt: Runtime, args: argparse.Namespace) -> int:
    doc = rt.services.admin.checkpoint()
    emit(doc, args.json, f"checkpoint of {doc['events']} events (head {doc['head'][:16]}...) signed and appended "
                         f"to {doc['path']}")
    return 0


def register(add: Adder, common: Parser) -> None:
    audit = subcommands(add("audit", need_subcommand, "the audit chain"), common)
    audit("verify", cmd_audit_verify, "check the hash chain, and the chain against the signed checkpoints")
    audit("checkpoint", cmd_audit_checkpoint, "sign (events, head hash, Merkle root, time) with the audit key and "
                                              "append it outside the database (and to LEDESK_AUDIT_WITNESS)")
    p = audit("prove", cmd_audit_prove, "an inclusion proof (RFC 9162) of one event against a signed checkpoint")
    p.add_argument("event", type=int, metavar="EVENT", help="the event's sequence number")
    p.add_argument("--checkpoint", type=int, metavar="N", help="the checkpoint's position in the file (1 the "
                                                               "first); default the first that covers the event")
    p = audit("consistency", cmd_audit_consistency, "prove (RFC 9162) that one signed checkpoint extends another")
    p.add_argument("old", type=int, metavar="OLD", help="the earlier checkpoint's position (1 the first)")
    p.add_argument("new", type=int, metavar="NEW", help="the later checkpoint's position")
