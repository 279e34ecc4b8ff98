"""Producing a report as a file: what the CLI command and the scheduled flow both call."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from policy.calendar import LegalCalendar
from policy.schema import Policy
from reports import chart, render, statutory, transparency
from states.errors import BadInput

TRANSPARENCY_FORMATS = ("csv", "md", "docx", "png")
STATUTORY_FORMATS = ("csv", "md", "docx")


def _target(out: Path | None, home: Path, name: str) -> Path:
    path = out if out is not None else home / "reports" / name
    if out is None:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not path.parent.exists():
        raise BadInput(f"{path.parent}: no such folder")
    return path


def transparency_report(conn: Connection, first: date, last: date, fmt: str, cal: LegalCalendar, home: Path,
                        out: Path | None = None, provider: str = "") -> dict[str, Any]:
    if fmt not in TRANSPARENCY_FORMATS:
        raise BadInput(f"format {fmt!r} is not one of {', '.join(TRANSPARENCY_FORMATS)}")
    facts, unreviewed = transparency.collect(conn, first, last, cal)
    rows = transparency.pivot(facts, unreviewed, transparency.halves(first, last))
    title = f"{provider + ' ' if provider else ''}Transparency report, {first} to {last}"
    content: bytes
    if fmt == "csv":
        content = render.csv_text(rows).encode()
    elif fmt == "md":
        content = render.markdown(rows, title).encode()
    else:
        png = chart.requests_per_month(transparency.monthly(facts), f"Requests per month, {first} to {last}")
        content = png if fmt == "png" else render.docx_bytes(rows, title, png)
    path = _target(out, home, f"transparency-{first}-{last}.{fmt}")
    path.write_bytes(content)
    received = sum(r["requests"] for r in rows if r["measure"] == "received")
    return {"rows": rows, "path": str(path), "format": fmt, "requests": received,
            "not_reviewed": sum(unreviewed.values())}


def statutory_report(conn: Connection, name: str, half: str, fmt: str, policy: Policy, cal: LegalCalendar,
                     now: datetime, home: Path, actor: str, out: Path | None = None) -> dict[str, Any]:
    """Make the half-year report of one ledger and record that it was produced (in `conn`'s transaction)."""
    if fmt not in STATUTORY_FORMATS:
        raise BadInput(f"format {fmt!r} is not one of {', '.join(STATUTORY_FORMATS)}")
    doc = statutory.report(conn, name, half, policy, cal, now)
    content = (statutory.csv_text(doc).encode() if fmt == "csv" else statutory.markdown(doc).encode()
               if fmt == "md" else statutory.docx_bytes(doc))
    path = _target(out, home, f"{name}-{doc['half']}.{fmt}")
    path.write_bytes(content)
    digest = statutory.record_produced(conn, doc, content, actor, now, policy, cal)
    return {**doc, "path": str(path), "format": fmt, "sha256": digest}
