"""Opening a case from what arrived: a portal submission, a filled form, an e-mail, a file in the drop folder,
a message of the official mailbox. Each arrival is one transaction: the case, its audit event, its timers
and its outbound messages (an emergency's page among them) commit together."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from sqlalchemy import select

from ledesk.adapters import mail
from ledesk.models.tables import cases
from ledesk.services.context import Context
from ledesk.states.errors import BadInput, GuardRefused, LedeskError

if TYPE_CHECKING:
    from ledesk.intake.mailbox import MailboxConfig, MailKey


class IntakeResult(TypedDict, total=False):
    case_id: str | None
    status: str
    state: str
    kind: str
    regime: str
    reason: str
    deficiencies: list[dict[str, str]]
    notes: list[dict[str, str]]
    linked_to: str | None
    duplicate_of: str
    page: dict[str, Any]


class InboxFile(IntakeResult, total=False):
    file: str
    error: str
    code: str


def opened_emergency(result: Mapping[str, Any]) -> str | None:
    """The case an intake result opened, when it opened an emergency (whose page leaves at once)."""
    if result.get("status") == "opened" and result.get("kind") == "emergency" and result.get("case_id"):
        return str(result["case_id"])
    return None


@dataclass
class IntakeService:
    ctx: Context
    # Pages on-call for a case at once (OutboxService.page); called right after the commit that opened an
    # emergency, whatever channel it came by. None: the dispatch run sends the page.
    page: Callable[[str], dict[str, int]] | None = None

    def _paged(self, result: Any) -> Any:
        """The result, with the page it sent when it opened an emergency."""
        case_id = opened_emergency(result)
        if self.page is not None and case_id is not None:
            try:
                result["page"] = self.page(case_id)
            except Exception as exc:
                result["page"] = {"sent": 0, "retrying": 1, "failed": 0, "error": str(exc)[:200]}
        return result

    def take(self, name: str, data: bytes, authority: str | None = None, officer: tuple[str, str] | None = None,
             related_case: str | None = None) -> IntakeResult:
        """A submission as it arrived: `.json` (the portal), `.docx` (a filled form) or `.eml` (an e-mail).
        With `authority`, the case must be that authority's (a portal token's), or nothing is kept; with
        `officer`, the token's officer is the submission's; with `related_case`, it supplements that case."""
        from ledesk.intake.channels import intake_bytes

        if related_case is not None and not name.lower().endswith((".json", ".docx")):
            raise BadInput("a document for a case is a .json or a filled .docx form")
        ctx = self.ctx
        with ctx.uow.write() as conn:
            result: IntakeResult = intake_bytes(conn, name, data, ctx.now(), ctx.policy,  # type: ignore[assignment]
                                                ctx.calendar, officer=officer, related_case=related_case)
            if authority is not None:
                owner = conn.execute(select(cases.c.authority_domain).where(
                    cases.c.case_id == result.get("case_id"))).scalar() if result.get("case_id") else None
                if owner != authority:  # raising here rolls the whole intake back
                    raise GuardRefused("actor_role", "the submission's sender is not of the authority this "
                                                     "token is for")
        return self._paged(result)  # type: ignore[no-any-return]

    def take_file(self, path: Path) -> IntakeResult:
        from ledesk.intake.channels import read_file

        return self.take(path.name, read_file(path))

    def take_inbox(self) -> Iterator[InboxFile]:
        """Each file of the drop folder (LEDESK_HOME/inbox) in its own transaction, yielded as soon as it is
        committed (so an emergency is paged before the next file is read), then moved to processed/ or
        refused/."""
        from ledesk.intake.folder import each_inbox_file

        yield from each_inbox_file(self.ctx.home, self.take_file)  # type: ignore[misc]

    def take_mail(self, key: MailKey, data: bytes) -> dict[str, Any]:
        """One message of the official mailbox, taken exactly once: the record of it (UIDVALIDITY + UID,
        Message-ID) commits with the case it opened, and a message already recorded is not taken again
        (its recorded outcome is returned, with `already_taken`)."""
        from sqlalchemy.exc import IntegrityError

        from ledesk.intake.channels import intake_bytes

        ctx = self.ctx
        try:
            with ctx.uow.write() as conn:
                prior = mail.taken(conn, key)
                if prior is not None:
                    return {**prior, "already_taken": True}
                result = dict(intake_bytes(conn, key.name, data, ctx.now(), ctx.policy, ctx.calendar))
                mail.record(conn, key, result, ctx.now())
            return self._paged(result)  # type: ignore[no-any-return]
        except IntegrityError:  # another worker took the same message at the same moment: theirs stands
            with ctx.uow.read() as conn:
                prior = mail.taken(conn, key)
            if prior is None:
                raise
            return {**prior, "already_taken": True}
        except LedeskError as exc:
            refused: dict[str, Any] = {"error": exc.message, "code": exc.code}
        except Exception as exc:  # one unreadable message never stops the ones after it
            refused = {"error": f"unreadable: {exc.__class__.__name__}: {str(exc)[:200]}", "code": "unreadable"}
        try:
            with ctx.uow.write() as conn:
                mail.record(conn, key, refused, ctx.now())
        except IntegrityError:
            pass
        return refused

    def take_mailbox(self, cfg: MailboxConfig) -> Iterator[dict[str, Any]]:
        """One pass over the official mailbox, each message yielded as soon as it is committed and moved."""
        from ledesk.intake.mailbox import poll

        yield from poll(cfg, self.take_mail)
