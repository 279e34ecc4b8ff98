"""The scheduled reports. Monthly, on the 1st: the transparency report of the month before, written as
CSV, .docx (with its chart) and PNG under LEDESK_HOME/reports and shown as artifacts. Half-yearly, on
2 January and 2 July: the PCSA and TBA half-year reports of the half-year just ended, produced from the
provision ledgers and recorded, so the compliance lead's reminder (sent by the sweep) is not needed."""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta
from typing import Any

from prefect import flow
from prefect.artifacts import acreate_markdown_artifact, acreate_table_artifact

from ledesk.bootstrap import runtime
from ledesk.reports import render
from ledesk.states import statutory
from ledesk.states.ledger import LEDGERS


def _previous_month(today: date) -> tuple[date, date]:
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


@flow(name="transparency-report", log_prints=True)
async def transparency_report(month: str | None = None, now: str | None = None) -> dict[str, Any]:
    """`month` is YYYY-MM; by default the month before the clock's."""
    rt = runtime(now)
    today = rt.calendar.local_date(rt.clock.now())
    if month:
        first = date.fromisoformat(f"{month}-01")
        last = first.replace(day=monthrange(first.year, first.month)[1])
    else:
        first, last = _previous_month(today)
    doc = rt.services.reports.transparency(first, last, ["csv", "docx", "png"])
    rows, paths = doc["rows"], doc["paths"]
    received = [{k: r[k] for k in ("table", "country", "instrument", "requests", "accounts")}
                for r in rows if r["measure"] == "received"]
    await acreate_table_artifact(table=received or [{"table": "(no requests)", "requests": 0}],
                                 key=f"transparency-{first:%Y-%m}",
                                 description=f"Requests received in {first:%Y-%m}, by kind, country and instrument")
    await acreate_markdown_artifact(
        markdown=render.markdown(rows, f"Transparency report {first:%Y-%m}")
        + "\n\nFiles: " + ", ".join(f"`{p}`" for p in paths.values()),
        key="transparency-report-latest", description=f"The transparency report of {first:%Y-%m}")
    print(f"{first:%Y-%m}: {doc['requests']} requests; written to {', '.join(paths.values())}")
    return {"month": f"{first:%Y-%m}", "requests": doc["requests"], "rows": rows, "paths": paths}


@flow(name="statutory-reports", log_prints=True)
async def statutory_reports(half: str | None = None, now: str | None = None) -> dict[str, Any]:
    """Both half-year reports of `half` (YYYY-H1 / YYYY-H2); by default the half-year that ended last."""
    rt = runtime(now)
    at = rt.clock.now()
    half = statutory.label(half) if half else statutory.previous(statutory.half_of(rt.calendar.local_date(at)))
    done = {}
    for name in LEDGERS:
        doc = rt.services.reports.produce_statutory(name, half, "docx", "system:statutory-reports")
        done[name] = {"path": doc["path"], "due_on": doc["due_on"], "totals": doc["totals"]}
    await acreate_table_artifact(
        table=[{"report": name.upper(), "half": half, "due_on": d["due_on"], **d["totals"], "file": d["path"]}
               for name, d in done.items()],
        key=f"statutory-reports-{half.lower()}",
        description=f"The PCSA and TBA half-year reports for {half}, ready for the compliance lead to file")
    print(f"{half}: " + "; ".join(f"{n.upper()} {d['totals']['requests']} requests, due {d['due_on']}"
                                  for n, d in done.items()))
    return {"half": half, "reports": done}
