"""What leaves the building and is recorded as it goes: the signed production package (to the authority
through the portal, to staff through the CLI or the API), the authority's receipt, and staff downloads of
a case's letters and documents. Every read of produced data is an audit event in the same transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from ledesk.adapters import audit
from ledesk.adapters.queries import case_exists, own_case
from ledesk.models.tables import documents, letters, productions
from ledesk.services.context import Context
from ledesk.states.errors import NotFound, Refused

if TYPE_CHECKING:
    from ledesk.vault.production import Package

log = logging.getLogger(__name__)


class DownloadClosed(Refused):
    """A production the portal no longer gives out: its download window is over, or it was destroyed."""

    code = "download_closed"


class NotDisclosed(Refused):
    """A case with no production to read: it was not disclosed, or its production was destroyed."""

    code = "not_disclosed"


@dataclass
class ProductionService:
    ctx: Context

    def package(self, case_id: str, actor: str, where: str) -> Package:
        """The signed package of a disclosed case for staff (`ledesk export`, the API's export); the read is
        an audit event naming `where` it went."""
        from ledesk.vault.production import package

        with self.ctx.uow.write() as conn:
            case_exists(conn, case_id)
            try:
                return package(conn, self.ctx.vault, case_id, self.ctx.now(), actor, where)
            except LookupError as exc:
                raise NotDisclosed(str(exc)) from None

    def write_package(self, case_id: str, actor: str, target: Path) -> dict[str, Any]:
        """The package as a zip (`-o FILE.zip`) or as files in a folder (`-o DIR`). The file is written
        before the read's audit event commits, so there is never an export without its event."""
        from ledesk.vault.production import package

        with self.ctx.uow.write() as conn:
            try:
                built = package(conn, self.ctx.vault, case_id, self.ctx.now(), actor, str(target))
            except LookupError as exc:
                raise NotDisclosed(str(exc)) from None
            if target.suffix == ".zip":
                target.write_bytes(built.zip_bytes())
            else:
                target.mkdir(parents=True, exist_ok=True)
                for name, content in built.files:
                    (target / name).write_bytes(content)
        return {"path": str(target), "files": len(built.files), "manifest": built.manifest}

    def download(self, case_id: str, authority: str, who: str) -> Package:
        """The signed package of a disclosed case, for the authority of the case only and until the
        policy's download window ends; each download is an audit event."""
        from ledesk.vault.production import SignedForAnother, package

        ctx = self.ctx
        now = ctx.now()
        with ctx.uow.write() as conn:
            own_case(conn, case_id, authority)
            made = conn.execute(select(productions.c.created_at).where(productions.c.case_id == case_id)).scalar()
            if made is None:
                raise NotFound(f"submission {case_id} has no production to download")
            closes = ctx.policy.production.download_closes(made)
            if now > closes:
                raise DownloadClosed(f"the download window of {case_id}'s production closed on "
                                     f"{closes.isoformat()} ({ctx.policy.production.download_days} days)")
            try:
                return package(conn, ctx.vault, case_id, now, who, "the authority portal (download)",
                               signed_for=authority)
            except SignedForAnother:
                # The database says this authority owns the case, the signature says otherwise: to the
                # caller it is another authority's submission; to the desk, an alarm in the log.
                log.error("production of %s refused to %s: its signed manifest names another authority",
                          case_id, authority)
                raise NotFound(f"submission {case_id} has no production to download") from None
            except LookupError as exc:
                raise DownloadClosed(str(exc)) from None

    def confirm_receipt(self, case_id: str, authority: str, who: str) -> dict[str, Any]:
        """The authority says it received the package (recorded once; the audit log keeps who and when)."""
        now = self.ctx.now()
        with self.ctx.uow.write() as conn:
            own_case(conn, case_id, authority)
            row = conn.execute(select(productions.c.production_id, productions.c.received_at)
                               .where(productions.c.case_id == case_id)).first()
            if row is None:
                raise NotFound(f"submission {case_id} has no production")
            if row.received_at is None:
                conn.execute(update(productions).where(productions.c.case_id == case_id).values(received_at=now))
                audit.append(conn, [audit.EventDraft(case_id, "production_received", who, now,
                                                     data={"production_id": row.production_id})])
            return {"case_id": case_id, "received_at": (row.received_at or now).isoformat()}

    def letter(self, case_id: str, index: int, actor: str) -> tuple[str, str]:
        """The path and kind of a case's `index`-th letter, rendered on first need; the download is audited."""
        ctx = self.ctx
        query = (select(letters.c.kind, letters.c.path, letters.c.docx_sha256)
                 .where(letters.c.case_id == case_id).order_by(letters.c.id))
        with ctx.uow.read() as conn:
            case_exists(conn, case_id)
            rows = conn.execute(query).all()
        if not 0 <= index < len(rows):
            raise NotFound(f"case {case_id} has {len(rows)} letters")
        if not rows[index].path or not Path(rows[index].path).is_file():  # rendered on first need
            ctx.render_letters()
            with ctx.uow.read() as conn:
                rows = conn.execute(query).all()
        row = rows[index]
        if not row.path or not Path(row.path).is_file():
            raise NotFound("the letter is not rendered yet")
        with ctx.uow.write() as conn:
            audit.append(conn, [audit.EventDraft(case_id, "letter_downloaded", actor, ctx.now(),
                                                 reason=row.kind, data={"sha256": row.docx_sha256})])
        return str(row.path), str(row.kind)

    def document(self, case_id: str, index: int, actor: str) -> tuple[str, bytes]:
        """The name and bytes of a case's `index`-th document (as `show` lists them); the read is audited."""
        with self.ctx.uow.write() as conn:
            case_exists(conn, case_id)
            rows = conn.execute(select(documents.c.filename, documents.c.sha256, documents.c.content)
                                .where(documents.c.case_id == case_id).order_by(documents.c.id)).all()
            if not 0 <= index < len(rows):
                raise NotFound(f"case {case_id} has {len(rows)} documents")
            row = rows[index]
            audit.append(conn, [audit.EventDraft(case_id, "document_downloaded", actor, self.ctx.now(),
                                                 reason=row.filename, data={"sha256": row.sha256})])
            return str(row.filename), bytes(row.content)
