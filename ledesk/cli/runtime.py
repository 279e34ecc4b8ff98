"""What every command needs, built lazily: the database, the clock, the policy and the calendar."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import Engine

from ledesk.models.db import database_url, make_engine, reader
from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.load import current_policy
from ledesk.policy.schema import Policy
from ledesk.states.clock import Clock, clock_from_env


@dataclass
class Runtime:
    url: str | None = None
    _clock: Clock | None = field(default=None, repr=False)

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.url or database_url())

    @cached_property
    def reader(self) -> Engine:
        return reader(self.engine)

    @cached_property
    def policy(self) -> Policy:
        return current_policy()

    @cached_property
    def calendar(self) -> LegalCalendar:
        p = self.policy
        return LegalCalendar(p.timezone, p.holiday_country, p.extra_holidays)

    @property
    def clock(self) -> Clock:
        if self._clock is None:
            self._clock = clock_from_env()
        return self._clock

    def source(self) -> Any:
        from ledesk.datasource.embedded import EmbeddedSource
        from ledesk.models.db import ledesk_home

        return EmbeddedSource(ledesk_home() / "datasource.db")

    def vault(self) -> Any:
        from ledesk.models.db import ledesk_home
        from ledesk.vault.keys import master_key
        from ledesk.vault.store import Vault

        return Vault(self.source(), master_key(ledesk_home()), self.calendar)

    def transport(self) -> Any:
        from ledesk.delivery.transports import transport_from_env
        from ledesk.models.db import ledesk_home

        return transport_from_env(ledesk_home())

    def deliver(self, limit: int = 200, cases: list[str] | None = None, channels: list[str] | None = None) -> Any:
        """Send pending messages by the configured transport; `cases` narrows it to those cases' messages
        (an emergency's page), which then skip rendering the rest of the outbox's letters."""
        from ledesk.delivery.dispatch import dispatch
        from ledesk.models.db import ledesk_home

        sender = self.policy.legal_team_address
        return dispatch(self.engine, self.transport(), self.clock.now(), sender, limit=limit,
                        domain=sender.rpartition("@")[2] or "ledesk.local",
                        letters_home=None if cases else ledesk_home(), provider=self.policy.provider_name,
                        zone=self.calendar.zone, cases=cases, channels=channels)

    def sweep(self, batch_size: int = 1000) -> dict[str, Any]:
        """Fire every due timer, then the data source's own retention once a day."""
        from ledesk.states import statutory
        from ledesk.states.sweep import sweep

        now = self.clock.now()
        result = sweep(self.engine, now, self.policy, self.calendar, batch_size=batch_size, vault=self.vault())
        with self.engine.begin() as conn:
            reminders = statutory.remind(conn, now, self.policy, self.calendar)
        fired = result.fired + reminders
        doc: dict[str, Any] = {"fired": fired, "failed": result.failed, "succeeded": len(fired)}
        source = self.source()
        if source.retention_due(self.calendar.local_date(now)):
            doc["retention_deleted"] = source.apply_retention(now, self.retention_months())
        return doc

    def purge(self) -> dict[str, Any]:
        """Crypto-shred released holds, then delete provision-ledger entries whose retention is over."""
        from ledesk.states import ledger
        from ledesk.vault.purge import purge

        now = self.clock.now()
        purged = purge(self.engine, now, self.policy.provider_name)
        with self.engine.begin() as conn:
            ledger_purged = ledger.purge(conn, self.calendar.local_date(now), now)
        return {"purged": purged, "ledger_purged": ledger_purged}

    def retention_months(self) -> dict[str, int]:
        p = self.policy.log_retention
        return {"access_logs": p.internet_logs_months, "ip_logs": p.ip_access_months,
                "traffic_data": p.call_detail_months}

    def desk(self) -> Any:
        from ledesk.states.engine import Desk

        return Desk(self.engine, self.clock, self.policy, self.calendar, self.vault())


def safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
