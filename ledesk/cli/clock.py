"""`ledesk sweep` and `purge`: what the clock does (the sweep and purge-daily deployments run the same)."""

from __future__ import annotations

import argparse

from ledesk.bootstrap import Runtime
from ledesk.cli.common import Adder
from ledesk.cli.render import emit, table


def cmd_sweep(rt: Runtime, args: argparse.Namespace) -> int:
    report = rt.services.cases.sweep(args.batch_size)
    emit(report.as_json(), args.json, table(report.fired, ["case_id", "timer", "trigger", "action"])
         + (f"\nFAILED: {len(report.failed)}" if report.failed else ""))
    return 0


def cmd_purge(rt: Runtime, args: argparse.Namespace) -> int:
    report = rt.services.cases.purge()
    emit(report.as_json(), args.json, table(report.purged, ["case_id", "hold_id"]))
    return 0


def register(add: Adder) -> None:
    p = add("sweep", cmd_sweep, "fire every timer due at the clock's now")
    p.add_argument("--batch-size", type=int, default=1000)
    add("purge", cmd_purge, "purge holds whose cases expired or were released: crypto-shred and certify")
