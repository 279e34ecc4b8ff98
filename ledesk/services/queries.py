"""The read side: what the entry points show (a case, the queue, an authority's requests, the outbox, the
audit chain's verdict). Read-only connections: on SQLite a read never takes the writer's lock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ledesk.adapters import portal, queries
from ledesk.adapters.audit import Verdict
from ledesk.models.tables import outbox
from ledesk.models.views import CaseRow, CaseView
from ledesk.services.context import Context


@dataclass
class Queries:
    ctx: Context

    def show(self, case_id: str, roles: frozenset[str] | None = None) -> CaseView:
        """The `show` document; `roles` narrows its allowed triggers to those a person may fire."""
        with self.ctx.uow.read() as conn:
            return queries.show(conn, case_id, self.ctx.policy, self.ctx.calendar, roles)

    def exists(self, case_id: str) -> None:
        with self.ctx.uow.read() as conn:
            queries.case_exists(conn, case_id)

    def cases(self, state: str | None = None, due_before: datetime | None = None, limit: int = 1000,
              open_only: bool = False, kind: str | None = None, assigned_to: str | None = None,
              search: str | None = None) -> list[CaseRow]:
        """The queue, nearest deadline first."""
        with self.ctx.uow.read() as conn:
            return queries.list_cases(conn, state, due_before, limit=limit, open_only=open_only, kind=kind,
                                      assigned_to=assigned_to, search=search)

    def requests_of(self, authority: str, case_id: str | None = None) -> list[dict[str, Any]]:
        """An authority's own requests, as the portal and `GET /v1/submissions` show them."""
        with self.ctx.uow.read() as conn:
            return portal.requests(conn, authority, self.ctx.policy, self.ctx.now(), case_id)

    def outbox(self, pending_only: bool = False) -> list[dict[str, Any]]:
        query = select(outbox.c.id, outbox.c.case_id, outbox.c.to, outbox.c.kind, outbox.c.channel,
                       outbox.c.status, outbox.c.subject, outbox.c.created_at).order_by(outbox.c.id)
        if pending_only:
            query = query.where(outbox.c.status == "pending")
        with self.ctx.uow.read() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def verify_audit(self) -> tuple[Verdict, int]:
        """The hash chain checked against the signed checkpoints, and how many checkpoints there are.
        A checkpoint file that cannot be read raises vault.checkpoints.CheckpointError."""
        from ledesk.adapters.audit import verify

        marks = self.ctx.checkpoints.read()
        with self.ctx.uow.read() as conn:
            return verify(conn, checkpoints=marks), len(marks)
