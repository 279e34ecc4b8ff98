"""The service layer: the only code that writes. Each command is one method that opens one transaction of
the unit of work (services.unit), asks the one role guard and returns what it did; the read side is
`Queries`. The CLI, the API, the web UI and the flows call these and nothing below them.

Split by noun over one unit of work: cases, intake, productions, reports, admin (staff, authorities,
tokens, sessions, checkpoints), the outbox and the mirror of the audit log. ledesk.bootstrap builds them once per
process with every dependency they need."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ledesk.services.admin import AdminService
from ledesk.services.cases import CaseService
from ledesk.services.context import Context
from ledesk.services.intake import IntakeService
from ledesk.services.mirror import MirrorService
from ledesk.services.outbox import OutboxService
from ledesk.services.productions import ProductionService
from ledesk.services.queries import Queries
from ledesk.services.reports import ReportService
from ledesk.services.unit import Anchor, UnitOfWork

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy import Engine

    from ledesk.datasource.embedded import EmbeddedSource
    from ledesk.delivery.transports import Transport
    from ledesk.policy.calendar import LegalCalendar
    from ledesk.policy.schema import Policy
    from ledesk.states.clock import Clock
    from ledesk.vault.keystore import KeyStore


@dataclass(frozen=True)
class Services:
    ctx: Context
    cases: CaseService
    intake: IntakeService
    productions: ProductionService
    reports: ReportService
    admin: AdminService
    mirror: MirrorService
    outbox: OutboxService
    queries: Queries

    @classmethod
    def on(cls, ctx: Context, transport: Callable[[], Transport]) -> Services:
        outbox = OutboxService(ctx, transport)
        # Every channel's intake pages on-call right after the commit that opened an emergency.
        return cls(ctx, CaseService(ctx), IntakeService(ctx, outbox.page), ProductionService(ctx),
                   ReportService(ctx), AdminService(ctx), MirrorService(ctx), outbox, Queries(ctx))

    @classmethod
    def build(cls, engine: Engine, clock: Clock, policy: Policy, calendar: LegalCalendar, home: Path, *,
              source: EmbeddedSource | None = None, keys: KeyStore | None = None,
              transport: Callable[[], Transport] | None = None, witness: str | None = None,
              anchor_decisions: bool = True) -> Services:
        """Every service with every dependency: the case database, the clock, policy and calendar, and under
        `home` (LEDESK_HOME) the data source, the key store (opened on first use), the vault, the audit
        checkpoints and the outbox's transport, unless given. `witness` receives a copy of every checkpoint
        (LEDESK_AUDIT_WITNESS); every decision is anchored by one unless `anchor_decisions` is off."""
        from ledesk.datasource.embedded import EmbeddedSource
        from ledesk.delivery.transports import transport_from_env
        from ledesk.vault.checkpoints import Checkpoints
        from ledesk.vault.keystore import OpenedOnUse, keystore
        from ledesk.vault.store import Vault

        source = source if source is not None else EmbeddedSource(home / "datasource.db")
        keys = keys if keys is not None else OpenedOnUse(lambda: keystore(home))
        checkpoints = Checkpoints(home, keys, witness)
        uow = UnitOfWork(engine, keys, Anchor(checkpoints, clock.now) if anchor_decisions else None)
        ctx = Context(uow, clock, policy, calendar, Vault(source, keys, calendar), source, checkpoints, home)
        return cls.on(ctx, transport or (lambda: transport_from_env(home)))


def name_runs_by(origin: Callable[[], dict[str, str] | None]) -> None:
    """How the audit log names the automated run a change is made in (the flows register Prefect's flow
    run): an event no person made then says which run made it."""
    from ledesk.adapters.audit import register_origin

    register_origin(origin)
