"""Producing a report as a file: what the CLI command and the scheduled flow both call."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.schema import Policy
from ledesk.reports import chart, render, statutory, transparency
from ledesk.states.errors import BadInput

TRANSPARENCY_FORMATS = ("csv", "md", "docx", "png")
STATUTORY_FORMATS = ("csv", "md", "docx")


def output_path(out: Path | None, home: Path, name: str) -> Path:
    """Where a report goes: the file asked for (its folder must exist), or `name` under
    LEDESK_HOME/reports/."""
    path = out if out is not None else home / "reports" / name
    if out is None:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not path.parent.exists():
        raise BadInput(f"{path.parent}: no such folder")
    return path


def transparency_report(conn: Connection, first: date, last: date, formats: Sequence[str], cal: LegalCalendar,
                        home: Path, out: Path | None = None, provider: str = "") -> dict[str, Any]:
    """Read the period once and write the report in each of `formats` (`out` names the file of a single
    format; by default they go under LEDESK_HOME/reports/)."""
    for fmt in formats:
        if fmt not in TRANSPARENCY_FORMATS:
            raise BadInput(f"format {fmt!r} is not one of {', '.join(TRANSPARENCY_FORMATS)}")
    if out is not None and len(formats) != 1:
        raise BadInput("one output file takes one format")
    facts, unreviewed = transparency.collect(conn, first, last, cal)
    doc = transparency.figures(facts, unreviewed, first, last)
    title = f"{provider + ' ' if provider else ''}Transparency report, {first} to {last}"
    png = (chart.requests_per_month(transparency.monthly(facts), f"Requests per month, {first} to {last}")
           if {"png", "docx"} & set(formats) else b"")
    paths = {}
    for fmt in formats:
        content = (render.csv_text(doc["rows"]).encode() if fmt == "csv"
                   else render.markdown(doc["rows"], title).encode() if fmt == "md"
                   else png if fmt == "png" else render.docx_bytes(doc["rows"], title, png))
        path = output_path(out, home, f"transparency-{first}-{last}.{fmt}")
        path.write_bytes(content)
        paths[fmt] = str(path)
    return {**doc, "paths": paths, "path": paths[formats[0]], "format": formats[0]}


def statutory_report(conn: Connection, name: str, half: str, fmt: str, policy: Policy, cal: LegalCalendar,
                     now: datetime, home: Path, actor: str, out: Path | None = None) -> dict[str, Any]:
    """Make the half-year report of one ledger and record that it was produced (in `conn`'s transaction)."""
    if fmt not in STATUTORY_FORMATS:
        raise BadInput(f"format {fmt!r} is not one of {', '.join(STATUTORY_FORMATS)}")
    doc = statutory.report(conn, name, half, policy, cal, now)
    content = (statutory.csv_text(doc).encode() if fmt == "csv" else statutory.markdown(doc).encode()
               if fmt == "md" else statutory.docx_bytes(doc))
    path = output_path(out, home, f"{name}-{doc['half']}.{fmt}")
    path.write_bytes(content)
    digest = statutory.record_produced(conn, doc, content, actor, now, policy, cal)
    return {**doc, "path": str(path), "format": fmt, "sha256": digest}
