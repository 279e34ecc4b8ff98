"""How results look: one JSON document with --json, short readable text without."""

from __future__ import annotations

import json
import sys
from typing import Any


def emit(result: Any, as_json: bool, text: str | None = None) -> None:
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        sys.stdout.write((text if text is not None else json.dumps(result, ensure_ascii=False, indent=2,
                                                                   default=str)) + "\n")


def table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    if not rows:
        return "(none)"
    cells = [[str(r.get(c) if r.get(c) is not None else "-") for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]

    def line(values: list[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    return "\n".join([line(columns), line(["-" * w for w in widths]), *(line(r) for r in cells)])


def case_text(doc: dict[str, Any]) -> str:
    lines = [f"{doc['case_id']}  {doc['kind']}  {doc['regime']}  state: {doc['state']}",
             f"authority: {doc['authority'].get('domain')} ({doc['authority'].get('country')})  "
             f"reference: {doc.get('reference') or '-'}"]
    n = doc["notice"]
    lines.append(f"notice: {n['status']} {n['reason'] or ''} {('due ' + n['due_at']) if n['due_at'] else ''}".rstrip())
    if doc["deficiencies"]:
        lines.append("deficiencies:")
        lines += [f"  - {d['field']}: {d['message']}" for d in doc["deficiencies"]]
    pending = [t for t in doc["timers"] if t["status"] == "pending"]
    if pending:
        lines.append("deadlines:")
        lines += [f"  {t['due_at']}  {t['kind']}" for t in pending]
    for h in doc["holds"]:
        lines.append(f"hold {h['hold_id']}: {h['status']} until {h['expires_at'] or '-'}")
    lines.append("history:")
    lines += [f"  {h['at']}  {h['trigger']:<22} {h['source'] or '-'} -> {h['dest'] or '-'}  by {h['actor']}"
              + (f"  ({h['reason']})" if h["reason"] else "") for h in doc["history"]]
    lines.append(f"allowed now: {', '.join(doc['allowed_triggers']) or 'nothing (closed)'}")
    return "\n".join(lines)
