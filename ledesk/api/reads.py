"""Reads the API and the web UI both make: the `show` document and a rendered letter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from ledesk.api.errors import ApiError
from ledesk.bootstrap import Runtime
from ledesk.models.tables import cases, letters


def exists(rt: Runtime, case_id: str) -> None:
    with rt.reader.connect() as conn:
        if conn.execute(select(cases.c.case_id).where(cases.c.case_id == case_id)).first() is None:
            raise ApiError(404, "not_found", f"no case {case_id}")


def show_case(rt: Runtime, case_id: str, roles: frozenset[str]) -> dict[str, Any]:
    """The `show` document; an unknown case is NotFound from the store itself, which the API turns into 404."""
    from ledesk.states.queries import show

    with rt.reader.connect() as conn:
        return show(conn, case_id, rt.policy, rt.calendar, roles)


def letter_file(rt: Runtime, case_id: str, index: int, actor: str) -> tuple[str, str]:
    """The path and kind of a case's `index`-th letter, rendered on first need; the download is audited."""
    from ledesk.models.db import ledesk_home
    from ledesk.states import audit

    exists(rt, case_id)
    query = (select(letters.c.kind, letters.c.path, letters.c.docx_sha256)
             .where(letters.c.case_id == case_id).order_by(letters.c.id))
    with rt.reader.connect() as conn:
        rows = conn.execute(query).all()
    if not 0 <= index < len(rows):
        raise ApiError(404, "not_found", f"case {case_id} has {len(rows)} letters")
    if not rows[index].path or not Path(rows[index].path).is_file():  # rendered on first need
        from ledesk.letters.render import render_pending

        render_pending(rt.engine, ledesk_home(), rt.policy.provider_name, rt.calendar.zone,
                       letterhead=rt.policy.letterhead())
        with rt.reader.connect() as conn:
            rows = conn.execute(query).all()
    row = rows[index]
    if not row.path or not Path(row.path).is_file():
        raise ApiError(404, "not_found", "the letter is not rendered yet")
    with rt.engine.begin() as conn:
        audit.append(conn, [audit.EventDraft(case_id, "letter_downloaded", actor, rt.clock.now(),
                                             reason=row.kind, data={"sha256": row.docx_sha256})])
    return str(row.path), str(row.kind)


def document_file(rt: Runtime, case_id: str, index: int, actor: str) -> tuple[str, bytes]:
    """The name and bytes of a case's `index`-th document (as `show` lists them); the read is audited."""
    from ledesk.models.tables import documents
    from ledesk.states import audit

    exists(rt, case_id)
    with rt.reader.connect() as conn:
        rows = conn.execute(select(documents.c.filename, documents.c.sha256, documents.c.content)
                            .where(documents.c.case_id == case_id).order_by(documents.c.id)).all()
    if not 0 <= index < len(rows):
        raise ApiError(404, "not_found", f"case {case_id} has {len(rows)} documents")
    row = rows[index]
    with rt.engine.begin() as conn:
        audit.append(conn, [audit.EventDraft(case_id, "document_downloaded", actor, rt.clock.now(),
                                             reason=row.filename, data={"sha256": row.sha256})])
    return str(row.filename), bytes(row.content)
