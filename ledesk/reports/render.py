"""The transparency report written out: CSV (the long rows, one per figure), Markdown and .docx (one wide
table per kind of request, `requests (accounts)` per cell, with totals), and the chart."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from ledesk.reports.transparency import COLUMNS, DETAILS, INTERNAL, OUTCOMES, REJECTION_REASONS

TITLES = {"legal_process": "Legal process", "emergency": "Emergency requests",
          "preservation": "Preservation requests", REJECTION_REASONS: "Rejections by reason",
          INTERNAL: "Internal: submissions not reviewed (senders not verified as authorities; not counted above)"}


def csv_text(rows: Sequence[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def tables(rows: Sequence[dict[str, Any]]) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, body) for each table of the report, totals per period included."""
    out: list[tuple[str, list[str], list[list[str]]]] = []
    for table in OUTCOMES:
        mine = [r for r in rows if r["table"] == table]
        if not mine:
            continue
        cells: dict[tuple[str, str, str], dict[str, tuple[int, int]]] = defaultdict(dict)
        for r in mine:
            cells[(r["period"], r["country"], r["instrument"])][r["measure"]] = (r["requests"], r["accounts"])
        # Outcomes and the figures beside them are two tables: one of sixteen columns is unreadable on paper.
        for caption, names in ((TITLES[table], ("received", *OUTCOMES[table])),
                               (f"{TITLES[table]}: details", ("received", *DETAILS[table]))):
            with_share = table == "legal_process" and names[1] != OUTCOMES[table][0]
            out.append((caption, ["period", "country", "instrument", *names, *(["share with NDO"] * with_share)],
                        _body(cells, names, with_share)))
    reasons = [r for r in rows if r["table"] == REJECTION_REASONS]
    if reasons:
        out.append((TITLES[REJECTION_REASONS], ["period", "country", "instrument", "reason", "requests", "accounts"],
                    [[r["period"], r["country"], r["instrument"], r["measure"], str(r["requests"]),
                      str(r["accounts"])] for r in reasons]))
    internal = [r for r in rows if r["table"] == INTERNAL]
    out.append((TITLES[INTERNAL], ["period", "not reviewed"], [[r["period"], str(r["requests"])] for r in internal]))
    return out


def _body(cells: dict[tuple[str, str, str], dict[str, tuple[int, int]]], names: Sequence[str],
          with_share: bool) -> list[list[str]]:
    body: list[list[str]] = []
    for period in sorted({k[0] for k in cells}):
        totals: dict[str, tuple[int, int]] = {}
        for key in sorted(k for k in cells if k[0] == period):
            values = cells[key]
            body.append([*key, *(_pair(values.get(m, (0, 0))) for m in names), *([_share(values)] * with_share)])
            for m, (requests, accounts) in values.items():
                before = totals.get(m, (0, 0))
                totals[m] = (before[0] + requests, before[1] + accounts)
        body.append([period, "all", "all", *(_pair(totals.get(m, (0, 0))) for m in names),
                     *([_share(totals)] * with_share)])
    return body


def _pair(value: tuple[int, int]) -> str:
    return f"{value[0]} ({value[1]})"


def _share(values: dict[str, tuple[int, int]]) -> str:
    received = values.get("received", (0, 0))[0]
    ndo = values.get("nondisclosure_order", (0, 0))[0]
    return f"{100 * ndo / received:.0f}%" if received else "-"


def markdown(rows: Sequence[dict[str, Any]], title: str) -> str:
    lines = [f"# {title}", "", "Each cell: requests (accounts).", ""]
    for caption, header, body in tables(rows):
        lines += [f"## {caption}", "", "| " + " | ".join(h.replace("_", " ") for h in header) + " |",
                  "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in body]
        lines.append("")
    return "\n".join(lines)


def docx_bytes(rows: Sequence[dict[str, Any]], title: str, chart_png: bytes | None) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.5))
    doc.add_heading(title, level=1)
    doc.add_paragraph("Each cell: requests (accounts). Requests from senders not verified as authorities are not "
                      "counted; they are shown as an internal figure at the end.")
    if chart_png:
        doc.add_picture(io.BytesIO(chart_png), width=Cm(20))
        doc.add_page_break()  # type: ignore[no-untyped-call]
    for caption, header, body in tables(rows):
        doc.add_heading(caption, level=2)
        grid = doc.add_table(rows=1, cols=len(header))
        grid.style = "Table Grid"
        _repeat_as_header(grid.rows[0])
        for cell, text in zip(grid.rows[0].cells, header, strict=True):
            cell.text = text.replace("_", " ")
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for values in body:
            cells = grid.add_row().cells
            for cell, text in zip(cells, values, strict=True):
                cell.text = text.replace("_", " ")  # lets "court permission" wrap between its words
        for row in grid.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    for run in paragraph.runs:
                        run.font.size = Pt(8)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _repeat_as_header(row: Any) -> None:
    """A table that runs onto the next page repeats its header row there (w:tblHeader)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)
