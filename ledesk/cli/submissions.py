"""`ledesk schema`, `forms blank`, `intake`: what authorities send, and taking it in."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ledesk.bootstrap import Runtime
from ledesk.cli.common import Adder, Parser, need_subcommand, subcommands
from ledesk.cli.render import emit, table
from ledesk.services.intake import IntakeResult, opened_emergency
from ledesk.states.errors import BadInput


def cmd_schema(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.models.submission import Submission

    emit(Submission.model_json_schema(by_alias=True), True)
    return 0


def cmd_forms_blank(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.intake.forms.blank import blank_form

    out = Path(args.output)
    if out.parent and not out.parent.exists():
        raise BadInput(f"{out.parent}: no such folder")
    out.write_bytes(blank_form(args.kind, rt.policy.provider_name))
    emit({"path": str(out), "kind": args.kind}, args.json, f"blank {args.kind} form written to {out}")
    return 0


def intake_text(result: IntakeResult) -> str:
    if result.get("case_id") is None:
        return f"not reviewed: {result.get('reason')}"
    if result.get("duplicate_of"):
        return f"duplicate of open case {result.get('duplicate_of')}; no new case opened"
    return f"{result.get('case_id')}: {result.get('state')} ({result.get('kind')})" + "".join(
        f"\n  missing {d['field']}: {d['message']}" for d in result.get("deficiencies", []))


def cmd_intake(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.models.db import ledesk_home

    if bool(args.path) == bool(args.inbox):
        raise BadInput("give one PATH, or --inbox for every file of LEDESK_HOME/inbox")
    if args.inbox:
        files: list[dict[str, Any]] = [dict(f) for f in rt.services.intake.take_inbox()]
        emit({"files": files}, args.json, table(files, ["file", "case_id", "state", "kind", "error"]))
        return 0
    result = rt.services.intake.take_file(Path(args.path))
    doc: dict[str, Any] = dict(result)
    text = intake_text(result)
    if opened_emergency(result) is not None:
        # On-call is paged now, not at the next dispatch run: an emergency does not wait a minute.
        import os

        # (the intake service sent it right after the case committed)
        sent = dict(result.get("page") or {"sent": 0, "retrying": 0})
        where = "SMTP (LEDESK_SMTP_URL)" if os.environ.get("LEDESK_SMTP_URL") else \
            f"{ledesk_home() / 'outbox'} (set LEDESK_SMTP_URL to send it by mail)"
        doc["page"] = {"sent": sent.get("sent", 0), "retrying": sent.get("retrying", 0), "via": where}
        text += (f"\non-call paged via {where}" if sent.get("sent") else
                 "\nthe on-call page is queued in the outbox: `ledesk deliver` (or the dispatch flow under "
                 "`ledesk serve`, every minute) sends it")
    emit(doc, args.json, text)
    return 0


def cmd_mailbox_poll(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.intake.mailbox import MailboxConfig, MailboxError, is_refused, unreachable

    cfg = MailboxConfig.from_env()
    if cfg is None:
        raise MailboxError("LEDESK_IMAP_URL is not set (imaps://USER@HOST[:PORT]/FOLDER)")
    try:
        messages = [dict(m) for m in rt.services.intake.take_mailbox(cfg)]
    except Exception as exc:
        raise unreachable(cfg, exc) from None
    taken = [m for m in messages if not is_refused(m)]
    refused = [m for m in messages if is_refused(m)]
    emit({"mailbox": cfg.safe_url, "taken": taken, "refused": refused}, args.json,
         f"{cfg.safe_url}: {len(taken)} taken, {len(refused)} refused\n"
         + table(messages, ["file", "message_id", "case_id", "state", "kind", "status", "error"]))
    return 0


def register(add: Adder, common: Parser) -> None:
    add("schema", cmd_schema, "print the submission JSON Schema")
    forms = subcommands(add("forms", need_subcommand, "the bilingual .docx request forms"), common)
    p = forms("blank", cmd_forms_blank, "write a blank form")
    p.add_argument("--kind", required=True, choices=["preservation", "legal_process", "emergency"])
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    p = add("intake", cmd_intake, "take a submission: .json (portal), .docx (filled form) or .eml (e-mail); "
                                  "--inbox takes every file of the drop folder once")
    p.add_argument("path", nargs="?")
    p.add_argument("--inbox", action="store_true", help="every file of LEDESK_HOME/inbox, each moved to "
                                                        "processed/ or refused/")
    mailbox = subcommands(add("mailbox", need_subcommand, "the official mailbox over IMAP (LEDESK_IMAP_URL)"),
                          common)
    mailbox("poll", cmd_mailbox_poll, "one pass over the mailbox folder: each message through e-mail intake, "
                                      "then moved to LE Desk/Processed or LE Desk/Refused")
