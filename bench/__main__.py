"""`python -m bench` (or `make bench`): run every benchmark, print a table, write bench/results.json."""

from __future__ import annotations

import argparse
import json
import platform
from datetime import UTC, datetime
from pathlib import Path

from bench import (
    anchor,
    api_pages,
    forms,
    growth,
    holdings,
    letters,
    mail,
    mailbox,
    mailbox_memory,
    prefect_flows,
    purge,
    reports,
    startup,
    sweep,
    vault,
)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--cases", type=int, default=100_000, help="due timers for the sweep benchmark")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--emergencies", type=int, default=50, help="requests for the emergency latency benchmark")
    parser.add_argument("--deployment-runs", type=int, default=10,
                        help="requests through run_deployment (each waits for a runner poll, seconds apiece)")
    parser.add_argument("--report-cases", type=int, default=100_000, help="requests in the transparency report's year")
    parser.add_argument("--growth-max", type=int, default=1_000_000, help="largest open-case count of the growth curve")
    args = parser.parse_args()
    results = [sweep.run(args.cases, args.batch), forms.run(), mail.run(), *mailbox.run(), *mailbox_memory.run(),
               vault.run(), *purge.run(), holdings.run(),
               letters.run(), startup.run(),
               *prefect_flows.run(args.emergencies, args.deployment_runs, (1_000, args.cases)),
               api_pages.run(args.cases), reports.run(args.report_cases),
               growth.run(tuple(n for n in (1_000, 10_000, 100_000, 1_000_000) if n <= args.growth_max)),
               *anchor.run()]
    lines = ["| benchmark | figure | reference (same run) | ratio | notes |", "|---|---|---|---|---|"]
    for r in results:
        extra = ("_mb", "like_floor", "like_ratio", "_seconds", "_ms")
        notes = ", ".join(f"{k}={v}" for k, v in r.items() if k.endswith(extra))
        lines.append(f"| {r['name']} | {r['figure']:,} {r['unit']} | {r['reference']:,} {r['unit']} "
                     f"({r['reference_name']}) | {r['ratio']} | {notes}; target: {r['targets']} |")
    table = "\n".join(lines)
    print(table)
    out = Path(__file__).with_name("results.json")
    out.write_text(json.dumps({"at": datetime.now(UTC).isoformat(), "machine": platform.platform(),
                               "python": platform.python_version(), "results": results}, indent=2) + "\n")
    print(f"\nwritten {out}")


if __name__ == "__main__":
    main()
