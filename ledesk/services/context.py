"""What every service works with: the unit of work, the clock, the policy and calendar, the vault, the
data source, the audit checkpoints and LEDESK_HOME. Built once by ledesk.bootstrap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.schema import Policy
from ledesk.services.unit import UnitOfWork
from ledesk.states.attempt import Attempt
from ledesk.states.clock import Clock

if TYPE_CHECKING:
    from ledesk.datasource.embedded import EmbeddedSource
    from ledesk.vault.checkpoints import Checkpoints
    from ledesk.vault.store import Vault


@dataclass
class Context:
    uow: UnitOfWork
    clock: Clock
    policy: Policy
    calendar: LegalCalendar
    vault: Vault
    source: EmbeddedSource
    checkpoints: Checkpoints
    home: Path

    def now(self) -> datetime:
        return self.clock.now()

    def render_letters(self, limit: int = 500) -> list[dict[str, Any]]:
        """Render every letter not rendered yet (its .docx, SHA-256 and template version are stored), on
        the provider's letterhead in the legal team's zone."""
        from ledesk.letters.render import render_pending

        return render_pending(self.uow.engine, self.home, self.policy.provider_name, self.calendar.zone,
                              limit=limit, letterhead=self.policy.letterhead())

    def attempt(self, trigger: str, actor: str, actor_roles: frozenset[str], **kw: Any) -> Attempt:
        return Attempt(trigger=trigger, actor=actor, roles=actor_roles, now=self.clock.now(), policy=self.policy,
                       calendar=self.calendar, **kw)


def retention_months(policy: Policy) -> dict[str, int]:
    """Minimum log retention by data category (PCSA Decree 41(2)), from policy."""
    return policy.log_retention.by_category()
