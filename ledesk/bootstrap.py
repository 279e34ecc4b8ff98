"""The composition root: the one place that turns the environment (LEDESK_HOME, LEDESK_DATABASE_URL,
LEDESK_NOW, LEDESK_POLICY, LEDESK_SMTP_URL, LEDESK_KEYSTORE) into the database, clock, policy, calendar,
vault, data source and transport, and builds the service layer on them once (`Runtime.services`). The
CLI, the API and the flows each start here and never import one another.

Nothing is built at import: `prefect deploy` imports every flow module, and an import must not connect
to anything or read a key."""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from ledesk.models.db import database_url, ledesk_home, make_engine
from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.load import current_policy
from ledesk.policy.schema import Policy
from ledesk.states.clock import Clock, FixedClock, clock_from_env, parse_instant

if TYPE_CHECKING:
    from ledesk.datasource.embedded import EmbeddedSource
    from ledesk.services import Services
    from ledesk.vault.keystore import KeyStore


@dataclass
class Runtime:
    url: str | None = None
    clock_override: Clock | None = field(default=None, repr=False)
    home_override: Path | None = None  # LEDESK_HOME unless given

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.url or database_url())

    @cached_property
    def policy(self) -> Policy:
        return current_policy()

    @cached_property
    def calendar(self) -> LegalCalendar:
        p = self.policy
        return LegalCalendar(p.timezone, p.holiday_country, p.extra_holidays)

    @cached_property
    def _env_clock(self) -> Clock:
        return clock_from_env()

    @property
    def clock(self) -> Clock:
        return self.clock_override or self._env_clock

    def close(self) -> None:
        """Closes the database connections this runtime opened (a command that has finished holds none)."""
        if "engine" in self.__dict__:
            self.engine.dispose()
        if "source" in self.__dict__:
            self.source.engine.dispose()

    def at(self, clock: Clock | None) -> Runtime:
        """The same runtime (engine, policy, calendar, data source and key store already built are shared)
        on another clock: its services are its own, built on that clock."""
        twin = copy.copy(self)
        twin.clock_override = clock
        twin.__dict__.pop("services", None)
        return twin

    @cached_property
    def home(self) -> Path:
        return self.home_override or ledesk_home()

    @cached_property
    def source(self) -> EmbeddedSource:
        """The data source, its engine made once per runtime (one runtime per process: the CLI's, the API's,
        a worker's)."""
        from ledesk.datasource.embedded import EmbeddedSource

        return EmbeddedSource(self.home / "datasource.db")

    @cached_property
    def keys(self) -> KeyStore:
        """The key store LEDESK_KEYSTORE names, opened on first use (vault.keystore.OpenedOnUse)."""
        from ledesk.vault.keystore import OpenedOnUse, keystore

        home = self.home
        return OpenedOnUse(lambda: keystore(home))

    @cached_property
    def services(self) -> Services:
        """The service layer on this runtime, built once with every dependency it needs."""
        from ledesk.services import Services

        return Services.build(self.engine, self.clock, self.policy, self.calendar, self.home, source=self.source,
                              keys=self.keys, witness=os.environ.get("LEDESK_AUDIT_WITNESS") or None)


def private_files() -> None:
    """Every file and folder LE Desk creates is its own: 0600 and 0700 (the database, letters, the outbox,
    reports, keys). Called by each entry point before it writes anything."""
    os.umask(0o077)


_shared: dict[str, Runtime] = {}


def runtime(now: str | None = None) -> Runtime:
    """The runtime of a flow run: one engine per database for the whole process (a worker runs many
    flows), on the clock of the run: `now` when the caller simulates time, else LEDESK_NOW or the real clock."""
    private_files()
    url = database_url()
    if url not in _shared:
        base = Runtime(url)
        from sqlalchemy import inspect

        if not inspect(base.engine).has_table("alembic_version"):  # say so, not an SQL error mid-flow
            raise NotInitialised(f"the database is not initialised: run `ledesk init` ({safe_url(url)})")
        _shared[url] = base
    return _shared[url].at(FixedClock(parse_instant(now)) if now else None)


class NotInitialised(RuntimeError):
    """A flow (or worker) started on a database `ledesk init` has not made."""


def safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
