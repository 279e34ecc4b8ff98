"""The read side: what the entry points show (a case, the queue, an authority's requests, the outbox, the
audit chain's verdict). Read-only connections: on SQLite a read never takes the writer's lock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ledesk.adapters import portal, queries
from ledesk.adapters.audit import Checkpoint, Verdict
from ledesk.models.tables import outbox
from ledesk.models.views import CaseRow, CaseView
from ledesk.services.context import Context
from ledesk.states.errors import BadInput, NotFound, Refused


@dataclass(frozen=True)
class AuditCheck:
    """`audit verify`: the chain's verdict, how many checkpoints checkpoints.jsonl holds, and what the
    witness said (its status, whether it was reachable, its checkpoints, how many of them we lack)."""

    verdict: Verdict
    checkpoints: int
    witness: dict[str, Any]


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

    def before_deciding(self, case_id: str) -> dict[str, Any]:
        """What the people deciding a case see before they do: what the data source holds for each target
        (counts only), and the notice to the user that an approval now would plan (notice.decide, the same
        call the approval makes), with the non-disclosure order it rests on."""
        from ledesk.adapters.store import load_case, related
        from ledesk.states import notice
        from ledesk.vault.holdings import holdings

        with self.ctx.uow.read() as conn:
            case = load_case(conn, case_id)
            order = related(conn, [case_id])[case_id].order
            now = self.ctx.now()
            plan = notice.decide(case, order, now, self.ctx.policy, self.ctx.calendar)
            return {"holdings": holdings(conn, self.ctx.vault, case, self.ctx.policy, now),
                    "notice": {"status": plan.status.value, "reason": plan.reason.value,
                               "due_at": plan.due_at.isoformat() if plan.due_at else None},
                    "nondisclosure": {"until": order.until.isoformat() if order.until else None,
                                      "indefinite": order.indefinite, "reference": order.reference}}

    def reviewers(self) -> list[str]:
        """Whom a case may be assigned to."""
        from ledesk.adapters.actors import with_role

        with self.ctx.uow.read() as conn:
            return with_role(conn, "reviewer")

    def requests_of(self, authority: str, case_id: str | None = None) -> list[dict[str, Any]]:
        """An authority's own requests, as the portal and `GET /v1/submissions` show them."""
        with self.ctx.uow.read() as conn:
            return portal.requests(conn, authority, self.ctx.policy, self.ctx.now(), case_id)

    def request_of(self, authority: str, case_id: str) -> dict[str, Any] | None:
        """One of an authority's own requests with what it asked, its letters and the date it waits on; None
        when the case is not this authority's (or does not exist: the portal tells neither apart)."""
        with self.ctx.uow.read() as conn:
            found = portal.requests(conn, authority, self.ctx.policy, self.ctx.now(), case_id)
            return portal.request_detail(conn, found[0]) if found else None

    def outbox(self, pending_only: bool = False) -> list[dict[str, Any]]:
        query = select(outbox.c.id, outbox.c.case_id, outbox.c.to, outbox.c.kind, outbox.c.channel,
                       outbox.c.status, outbox.c.subject, outbox.c.created_at).order_by(outbox.c.id)
        if pending_only:
            query = query.where(outbox.c.status == "pending")
        with self.ctx.uow.read() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def verify_audit(self) -> AuditCheck:
        """The hash chain checked against the signed checkpoints, ours and the witness's copies: a
        checkpoint the witness holds that checkpoints.jsonl lacks means the file was cut or rolled back
        (with the database, perhaps), and the chain is checked against the witness's too. A checkpoint
        file that cannot be read raises vault.checkpoints.CheckpointError."""
        from dataclasses import replace

        from ledesk.adapters.audit import verify

        marks = self.ctx.checkpoints.read()
        theirs, said = self.ctx.checkpoints.witnessed()
        ours = {(m.events, m.head) for m in marks}
        lacking = [m for m in theirs or [] if (m.events, m.head) not in ours]
        with self.ctx.uow.read() as conn:
            verdict = verify(conn, checkpoints=marks + lacking)
        if lacking and verdict.ok:
            verdict = replace(verdict, ok=False, problem=(
                f"{self.ctx.checkpoints.path} lacks {len(lacking)} signed checkpoint(s) the witness holds (the "
                f"latest covers {max(m.events for m in lacking)} events): it was cut or rolled back"))
        witness = {"status": said, "reachable": theirs is not None, "checkpoints": len(theirs or []),
                   "missing_here": len(lacking)}
        return AuditCheck(verdict, len(marks), witness)

    def prove(self, seq: int, position: int | None = None) -> dict[str, Any]:
        """An inclusion proof (RFC 9162) that event `seq` is in the tree a signed checkpoint names: the one at
        `position` in the checkpoint file (1 the first), else the first that covers the event. `verified` says
        whether the event as the database holds it proves against the signed root."""
        from ledesk.adapters.audit import event_hash, leaf_hashes
        from ledesk.vault import merkle

        marks = self.ctx.checkpoints.read()
        mark, where = _checkpoint(marks, position, covering=seq)
        with self.ctx.uow.read() as conn:
            found = event_hash(conn, seq)
            if found is None:
                raise NotFound(f"event {seq} does not exist")
            leaves = leaf_hashes(conn, mark.events)
        leaves = leaves[:mark.events]
        path = merkle.inclusion_proof(leaves, seq - 1) if len(leaves) >= seq else []
        leaf = merkle.leaf_hash(found)
        ok = len(leaves) == mark.events and merkle.verify_inclusion(leaf, seq - 1, mark.events, path,
                                                                      bytes.fromhex(mark.root))
        return {"event": seq, "event_hash": found, "leaf_hash": leaf.hex(), "leaf_index": seq - 1,
                "tree_size": mark.events, "root": mark.root, "path": [p.hex() for p in path], "verified": ok,
                "checkpoint": {"position": where, "at": mark.at, "events": mark.events, "head": mark.head}}

    def consistency(self, old: int, new: int) -> dict[str, Any]:
        """A consistency proof (RFC 9162) that the checkpoint at position `new` extends the one at `old`: the
        log only grew between them. `verified` says whether it proves against both signed roots."""
        from ledesk.adapters.audit import leaf_hashes
        from ledesk.vault import merkle

        marks = self.ctx.checkpoints.read()
        first, _ = _checkpoint(marks, old)
        second, _ = _checkpoint(marks, new)
        if first.events > second.events:
            raise BadInput(f"checkpoint {old} counts {first.events} events, more than checkpoint {new} "
                           f"({second.events}): give the older one first")
        if first.events == 0:
            raise BadInput(f"checkpoint {old} covers no events: every log is consistent with an empty one")
        with self.ctx.uow.read() as conn:
            leaves = leaf_hashes(conn, second.events)
        proof = merkle.consistency_proof(leaves, first.events) if len(leaves) == second.events else []
        ok = len(leaves) == second.events and merkle.verify_consistency(
            first.events, second.events, bytes.fromhex(first.root), bytes.fromhex(second.root), proof)
        return {"old": {"position": old, "at": first.at, "events": first.events, "root": first.root},
                "new": {"position": new, "at": second.at, "events": second.events, "root": second.root},
                "proof": [p.hex() for p in proof], "verified": ok}


def _checkpoint(marks: list[Checkpoint], position: int | None, covering: int | None = None) -> tuple[Checkpoint, int]:
    """The checkpoint at `position` (1 the first in the file), or the first covering event `covering`; it
    must carry a Merkle root (checkpoints from before the tree carry none)."""
    if position is not None:
        if not 1 <= position <= len(marks):
            raise NotFound(f"there is no checkpoint {position} ({len(marks)} signed so far)")
        mark, where = marks[position - 1], position
        if covering is not None and mark.events < covering:
            raise BadInput(f"checkpoint {position} covers events 1 to {mark.events}, not event {covering}")
    else:
        found = next(((n, m) for n, m in enumerate(marks, 1) if m.root and covering is not None
                      and m.events >= covering), None)
        if found is None:
            raise Refused(f"no signed checkpoint covers event {covering} yet (run `ledesk audit checkpoint`)")
        where, mark = found
    if not mark.root:
        raise BadInput(f"checkpoint {where} was signed before the Merkle tree and names no root")
    return mark, where
