"""What every command needs, built lazily: the database, the clock, the policy and the calendar."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import Engine

from models.db import database_url, make_engine, reader
from policy.calendar import LegalCalendar
from policy.load import current_policy
from policy.schema import Policy
from states.clock import Clock, clock_from_env


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
        from datasource.embedded import EmbeddedSource
        from models.db import ledesk_home

        return EmbeddedSource(ledesk_home() / "datasource.db")

    def vault(self) -> Any:
        from models.db import ledesk_home
        from vault.keys import master_key
        from vault.store import Vault

        return Vault(self.source(), master_key(ledesk_home()), self.calendar)

    def desk(self) -> Any:
        from states.engine import Desk

        return Desk(self.engine, self.clock, self.policy, self.calendar, self.vault())


def safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
