"""`ledesk datasource load|generate|retention`: the embedded data source."""

from __future__ import annotations

import argparse
from pathlib import Path

from ledesk.bootstrap import Runtime
from ledesk.cli.common import Adder, Parser, need_subcommand, subcommands
from ledesk.cli.render import emit
from ledesk.states.errors import BadInput

MAX_ACCOUNTS = 1_000_000


def cmd_datasource_load(rt: Runtime, args: argparse.Namespace) -> int:
    from ledesk.datasource.embedded import read_jsonl

    path = Path(args.file)
    if not path.is_file():
        raise BadInput(f"{args.file}: no such file")
    count = rt.services.admin.load_accounts(read_jsonl(path))
    emit({"accounts": count}, args.json, f"loaded {count} accounts")
    return 0


def cmd_datasource_generate(rt: Runtime, args: argparse.Namespace) -> int:
    if not 0 <= args.accounts <= MAX_ACCOUNTS:
        raise BadInput("--accounts takes 0 to 1,000,000")
    count = rt.services.admin.generate_accounts(args.accounts)
    emit({"accounts": count}, args.json, f"generated {count} accounts")
    return 0


def cmd_datasource_retention(rt: Runtime, args: argparse.Namespace) -> int:
    deleted = rt.services.admin.apply_retention()
    emit({"deleted": deleted}, args.json, f"deleted {deleted} log records past retention")
    return 0


def register(add: Adder, common: Parser) -> None:
    source = subcommands(add("datasource", need_subcommand, "the embedded data source"), common)
    p = source("load", cmd_datasource_load, "load accounts from a JSON-lines file")
    p.add_argument("file")
    p = source("generate", cmd_datasource_generate, "make synthetic accounts")
    p.add_argument("--accounts", type=int, required=True)
    source("retention", cmd_datasource_retention, "apply the data source's own retention now")
