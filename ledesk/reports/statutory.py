"""The statutory half-year reports, made from the provision ledger: the PCSA communication-confirmation
data report and the TBA subscriber data report. Per requesting authority: the requests (documents)
answered, and the accounts asked about and provided. Producing one records it, so its reminder stops."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, func, select

from ledesk.adapters import audit
from ledesk.adapters import statutory as statutory_db
from ledesk.models.enums import SYSTEM_ACTOR
from ledesk.models.tables import ledger
from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.schema import Policy
from ledesk.states import statutory
from ledesk.states.ledger import LEDGERS

COLUMNS = ("authority_type", "authority", "requests", "requests_with_data", "accounts_requested",
           "accounts_provided")


def report(conn: Connection, name: str, half: str, policy: Policy, cal: LegalCalendar,
           now: datetime) -> dict[str, Any]:
    if name not in LEDGERS:
        raise ValueError(f"unknown ledger {name!r}")
    half = statutory.label(half)
    first, last = statutory.bounds(half)
    e = ledger.c
    query = (select(e.authority_type, e.authority_name, func.count().label("requests"),
                    func.sum(case((e.accounts_provided > 0, 1), else_=0)).label("with_data"),
                    func.sum(e.accounts_requested).label("requested"), func.sum(e.accounts_provided).label("provided"))
             .where(e.ledger == name, e.provided_on >= first.isoformat(), e.provided_on <= last.isoformat())
             .group_by(e.authority_type, e.authority_name).order_by(e.authority_type, e.authority_name))
    rows = [{"authority_type": r.authority_type, "authority": r.authority_name, "requests": int(r.requests),
             "requests_with_data": int(r.with_data or 0), "accounts_requested": int(r.requested or 0),
             "accounts_provided": int(r.provided or 0)} for r in conn.execute(query)]
    totals = {c: sum(r[c] for r in rows) for c in COLUMNS[2:]}
    return {"ledger": name, "title": statutory.TITLES[name], "title_ko": statutory.TITLES_KO[name],
            "half": half, "from": first.isoformat(),
            "to": last.isoformat(), "due_on": statutory.due_on(half, policy, cal).isoformat(),
            "provider": policy.provider_name, "complete": cal.local_date(now) > last,
            "produced_at": now.astimezone(cal.zone).isoformat(timespec="minutes"), "rows": rows, "totals": totals}


def csv_text(doc: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(doc["rows"])
    writer.writerow({"authority_type": "total", "authority": "", **doc["totals"]})
    return out.getvalue()


def markdown(doc: dict[str, Any]) -> str:
    lines = [f"# {doc['title']}", "", doc["title_ko"], "",
             f"{doc['provider']}, {doc['half']} ({doc['from']} to {doc['to']}); due {doc['due_on']}.", ""]
    if not doc["complete"]:
        lines += ["**Draft: the half-year is not over.**", ""]
    lines += ["| " + " | ".join(c.replace("_", " ") for c in COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(str(r[c]) for c in COLUMNS) + " |" for r in doc["rows"]]
    lines.append("| total | | " + " | ".join(str(doc["totals"][c]) for c in COLUMNS[2:]) + " |")
    return "\n".join(lines) + "\n"


def docx_bytes(doc: dict[str, Any]) -> bytes:
    from docx import Document

    out = Document()
    out.add_heading(doc["title"], level=1)
    out.add_paragraph(doc["title_ko"])
    out.add_paragraph(f"{doc['provider']}. Period {doc['from']} to {doc['to']} ({doc['half']}). "
                      f"Due {doc['due_on']}. Produced {doc['produced_at']} from the provision ledger.")
    if not doc["complete"]:
        out.add_paragraph("Draft: the half-year is not over.")
    grid = out.add_table(rows=1, cols=len(COLUMNS))
    grid.style = "Table Grid"
    for cell, name in zip(grid.rows[0].cells, COLUMNS, strict=True):
        cell.text = name.replace("_", " ")
    for r in [*doc["rows"], {"authority_type": "total", "authority": "", **doc["totals"]}]:
        for cell, name in zip(grid.add_row().cells, COLUMNS, strict=True):
            cell.text = str(r[name])
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def record_produced(conn: Connection, doc: dict[str, Any], content: bytes, actor: str, now: datetime,
                    policy: Policy, cal: LegalCalendar) -> str:
    """Mark the report produced (its reminder is then not sent) and put it in the audit log."""
    digest = hashlib.sha256(content).hexdigest()
    statutory_db.produced(conn, doc["ledger"], doc["half"], digest, now, policy, cal)
    audit.append(conn, [audit.EventDraft(None, "statutory_report_produced", actor or SYSTEM_ACTOR, now,
                                         reason=f"{doc['ledger']} {doc['half']}",
                                         data={"ledger": doc["ledger"], "half": doc["half"], "sha256": digest,
                                               "totals": doc["totals"]})])
    return digest
