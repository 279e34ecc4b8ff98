"""The composition root: the one place that turns the environment (LEDESK_HOME, LEDESK_DATABASE_URL,
LEDESK_NOW, LEDESK_POLICY, LEDESK_SMTP_URL) into the database, clock, policy, calendar, vault, data source
and transport, and hands them to the service layer. The CLI, the API and the flows each start here and
never import one another.

Nothing is built at import: `prefect deploy` imports every flow module, and an import must not connect
to anything or read a key."""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from ledesk.models.db import database_url, ledesk_home, make_engine, reader
from ledesk.policy.calendar import LegalCalendar
from ledesk.policy.load import current_policy
from ledesk.policy.schema import Policy
from ledesk.states.clock import Clock, FixedClock, clock_from_env, parse_instant

if TYPE_CHECKING:
    from ledesk.datasource.embedded import EmbeddedSource
    from ledesk.delivery.dispatch import DispatchResult
    from ledesk.delivery.transports import Transport
    from ledesk.service import Desk
    from ledesk.vault.checkpoints import Checkpoints
    from ledesk.vault.keystore import KeyStore
    from ledesk.vault.store import Vault


@dataclass
class Runtime:
    url: str | None = None
    clock_override: Clock | None = field(default=None, repr=False)

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

    def at(self, clock: Clock | None) -> Runtime:
        """The same runtime (engine, policy and calendar already built are shared) on another clock."""
        twin = copy.copy(self)
        twin.clock_override = clock
        return twin

    def source(self) -> EmbeddedSource:
        from ledesk.datasource.embedded import EmbeddedSource

        return EmbeddedSource(ledesk_home() / "datasource.db")

    def vault(self) -> Vault:
        from ledesk.vault.store import Vault

        return Vault(self.source(), self.keys(), self.calendar)

    def keys(self) -> KeyStore:
        from ledesk.vault.keystore import keystore

        return keystore(ledesk_home())

    def transport(self) -> Transport:
        from ledesk.delivery.transports import transport_from_env

        return transport_from_env(ledesk_home())

    def desk(self, with_vault: bool = True) -> Desk:
        """The service layer on this runtime. `with_vault=False` builds one for commands that take no
        snapshot and build no production (an order, a referral, the web UI's buttons): it never reads the
        master key nor opens the data source."""
        from ledesk.service import Desk

        return Desk(self.engine, self.clock, self.policy, self.calendar,
                    self.vault() if with_vault else None, self.source() if with_vault else None,
                    self.checkpoints() if with_vault else None)

    def checkpoints(self) -> Checkpoints:
        from ledesk.vault.checkpoints import Checkpoints

        return Checkpoints(ledesk_home(), self.keys())

    def deliver(self, limit: int = 200, cases: list[str] | None = None,
                channels: list[str] | None = None) -> DispatchResult:
        """Send pending messages by the configured transport; `cases` narrows it to those cases' messages
        (an emergency's page), which then skip rendering the rest of the outbox's letters."""
        from ledesk.delivery.dispatch import dispatch

        sender = self.policy.legal_team_address
        source = self.source()

        def contacts(kind: str, value: str) -> str | None:
            account = source.lookup(kind, value)
            return source.contact(account) if account else None

        return dispatch(self.engine, self.transport(), self.clock.now(), sender, limit=limit, contacts=contacts,
                        letterhead=self.policy.letterhead(),
                        domain=sender.rpartition("@")[2] or "ledesk.local",
                        letters_home=None if cases else ledesk_home(), provider=self.policy.provider_name,
                        zone=self.calendar.zone, cases=cases, channels=channels)


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
