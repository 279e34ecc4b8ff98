"""What LE Desk sends: pending letters rendered to .docx, and every pending message delivered by the
configured transport (SMTP, or .eml files in an outbox folder) with retries, exactly once. Delivery
commits each message as it leaves (delivery.dispatch), so a crash neither loses nor repeats one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ledesk.services.context import Context

if TYPE_CHECKING:
    from ledesk.delivery.dispatch import DispatchResult
    from ledesk.delivery.transports import Transport


@dataclass
class OutboxService:
    ctx: Context
    transport: Callable[[], Transport]

    def deliver(self, limit: int = 200, cases: list[str] | None = None,
                channels: list[str] | None = None) -> DispatchResult:
        """Send pending messages; `cases` narrows it to those cases' messages (an emergency's page), which
        then skip rendering the rest of the outbox's letters."""
        from ledesk.delivery.dispatch import dispatch

        ctx = self.ctx
        sender = ctx.policy.legal_team_address
        source = ctx.source

        def contacts(kind: str, value: str) -> str | None:
            account = source.lookup(kind, value)
            return source.contact(account) if account else None

        return dispatch(ctx.uow.engine, self.transport(), ctx.now(), sender, limit=limit, contacts=contacts,
                        letterhead=ctx.policy.letterhead(), domain=sender.rpartition("@")[2] or "ledesk.local",
                        letters_home=None if cases else ctx.home, provider=ctx.policy.provider_name,
                        zone=ctx.calendar.zone, cases=cases, channels=channels,
                        secret_regimes=frozenset(ctx.policy.notice.suppressed_regimes))

    def page(self, case_id: str) -> dict[str, int]:
        """Hand an emergency's on-call page to the transport now (it was committed with the case): the
        emergency does not wait for the next dispatch run. Exactly once, as every delivery is."""
        from ledesk.models.enums import OutboxChannel

        sent = self.deliver(cases=[case_id], channels=[OutboxChannel.PAGE])
        return {"sent": len(sent.sent), "retrying": len(sent.retrying), "failed": len(sent.failed)}

    def render_letters(self, limit: int = 500) -> list[dict[str, Any]]:
        """Render every letter not rendered yet (its file, SHA-256 and template version are stored)."""
        return self.ctx.render_letters(limit)
