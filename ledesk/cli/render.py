"""How results look: one JSON document with --json, short readable text without."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

# Text output reads instants in the legal team's zone (the policy's, Seoul by default), to the minute;
# `ledesk --utc` shows UTC. JSON output keeps the full ISO instants of the contract.
_ZONE: list[ZoneInfo] = [ZoneInfo("Asia/Seoul")]
INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)$")


def show_times_in(zone: str) -> None:
    _ZONE[0] = ZoneInfo(zone)


def when(value: Any) -> str:
    """An ISO instant as `2026-12-01 18:00 KST`; anything else as it is, and nothing as –."""
    if value is None or value == "":
        return "–"
    text = str(value)
    if not INSTANT.match(text):
        return text
    local = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(_ZONE[0])
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def emit(result: Any, as_json: bool, text: str | None = None) -> None:
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        sys.stdout.write((text if text is not None else json.dumps(result, ensure_ascii=False, indent=2,
                                                                   default=str)) + "\n")


def table(rows: Sequence[Mapping[str, Any]], columns: list[str]) -> str:
    """Rows as a table: drawn with rich on a terminal, plain aligned text when piped."""
    if not rows:
        return "(none)"
    cells = [[when(r.get(c)) for c in columns] for r in rows]
    if sys.stdout.isatty():
        return _rich_table(columns, cells)
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]

    def line(values: list[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    return "\n".join([line(columns), line(["-" * w for w in widths]), *(line(r) for r in cells)])


def _rich_table(columns: list[str], cells: list[list[str]]) -> str:
    from rich.console import Console
    from rich.table import Table

    drawn = Table(*columns, header_style="bold")
    for row in cells:
        drawn.add_row(*row)
    needed = sum(max(len(c), *(len(r[i]) for r in cells)) + 3 for i, c in enumerate(columns)) + 1
    console = Console(record=True, width=max(needed, Console().width))  # a case number is never cut short
    with console.capture() as captured:
        console.print(drawn)
    return captured.get().rstrip("\n")


def case_text(doc: Mapping[str, Any]) -> str:
    lines = [f"{doc['case_id']}  {doc['kind']}  {doc['regime']}  state: {doc['state']}",
             f"authority: {doc['authority'].get('domain')} ({doc['authority'].get('country')})  "
             f"reference: {doc.get('reference') or '-'}"]
    n = doc["notice"]
    lines.append(f"notice: {n['status']} {n['reason'] or ''} {('due ' + when(n['due_at'])) if n['due_at'] else ''}"
                 .rstrip())
    if doc["deficiencies"]:
        lines.append("deficiencies:")
        lines += [f"  - {d['field']}: {d['message']}" for d in doc["deficiencies"]]
    pending = [t for t in doc["timers"] if t["status"] == "pending"]
    if pending:
        lines.append("deadlines:")
        lines += [f"  {when(t['due_at'])}  {t['kind']}" for t in pending]
    for h in doc["holds"]:
        lines.append(f"hold {h['hold_id']}: {h['status']} until {when(h['expires_at'])}")
    if doc.get("letters"):
        lines.append("letters:")
        lines += [f"  {n}  {letter['kind']:<26} sha256 {(letter['sha256'] or '')[:16]}  "
                  f"{letter['path'] or '(not rendered yet)'}" for n, letter in enumerate(doc["letters"])]
    lines.append("history:")
    lines += [f"  {when(h['at'])}  {h['trigger']:<22} {h['source'] or '-'} -> {h['dest'] or '-'}  by {h['actor']}"
              + (f"  ({h['reason']})" if h["reason"] else "") for h in doc["history"]]
    lines.append(f"allowed now: {', '.join(doc['allowed_triggers']) or 'nothing (closed)'}")
    return "\n".join(lines)
