"""Real databases: a migrated SQLite file per test, and a PostgreSQL database per session, emptied
between tests. PostgreSQL tests skip with a message where no server is reachable, except in CI."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from ledesk.adapters import admin
from ledesk.adapters.intake import intake
from ledesk.api.app import create_app
from ledesk.bootstrap import Runtime
from ledesk.datasource.embedded import EmbeddedSource
from ledesk.models.db import make_engine, reader
from ledesk.models.migrate import upgrade
from ledesk.models.tables import metadata
from ledesk.policy.schema import Policy
from ledesk.services import Services
from ledesk.services.cases import CaseService
from ledesk.states.clock import FixedClock
from ledesk.vault.keystore import KeyStore
from ledesk.vault.store import Vault
from tests.conftest import pg_database
from tests.factories import calendar, policy, sample, seoul


@pytest.fixture(scope="session")
def pg_url(pg_admin_url: str) -> Iterator[str]:
    with pg_database(pg_admin_url, f"ledesk_test_{os.getpid()}") as url:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "ledesk.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection to close folds the WAL into the file we copy
    return path


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        shutil.copy(template, tmp_path / "ledesk.db")
        engine = make_engine(f"sqlite:///{tmp_path / 'ledesk.db'}")
    else:
        engine = make_engine(request.getfixturevalue("pg_url"))
        names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path, sqlite_template: Path) -> Iterator[Engine]:
    shutil.copy(sqlite_template, tmp_path / "ledesk.db")
    engine = make_engine(f"sqlite:///{tmp_path / 'ledesk.db'}")
    yield engine
    engine.dispose()


def seed(engine: Engine, now: Any) -> None:
    with engine.begin() as conn:
        admin.add_authority(conn, "police.go.kr", "Korean National Police Agency", "KR", "police", now)
        admin.add_authority(conn, "fbi.gov", "Federal Bureau of Investigation", "US", "police", now)
        admin.add_actor(conn, "alice", ["reviewer"], now)
        admin.add_actor(conn, "rita", ["reviewer"], now)
        admin.add_actor(conn, "bob", ["approver", "reviewer"], now)
        admin.add_actor(conn, "olga", ["oncall"], now)


class World:
    """A seeded database, a fixed clock starting Tuesday 1 December 2026, 09:00 Seoul, the service layer on
    them with everything it needs under `home` (data source, key store, vault, checkpoints), and helpers."""

    def __init__(self, engine: Engine, home: Path) -> None:
        self.engine = engine
        self.home = home
        self.clock = FixedClock(seoul(2026, 12, 1))
        self.policy = policy()
        self.calendar = calendar(self.policy)
        self.services = Services.build(engine, self.clock, self.policy, self.calendar, home)
        seed(engine, self.clock.now())

    def rebuild(self, *, policy: Policy | None = None, keys: KeyStore | None = None) -> World:
        """The same world under another policy or on another key store (the services are built again)."""
        ctx = self.services.ctx
        if policy is not None:
            self.policy, self.calendar = policy, calendar(policy)
        self.services = Services.build(self.engine, self.clock, self.policy, self.calendar, self.home,
                                       source=ctx.source, keys=keys or ctx.vault.keys)
        return self

    @property
    def desk(self) -> CaseService:
        return self.services.cases

    @property
    def vault(self) -> Vault:
        return self.services.ctx.vault

    @property
    def source(self) -> EmbeddedSource:
        return self.services.ctx.source

    def intake(self, name: str, **changes: Any) -> dict[str, Any]:
        return self.submit(sample(name, **changes))

    def submit(self, raw: dict[str, Any]) -> dict[str, Any]:
        with self.services.ctx.uow.write() as conn:
            return intake(conn, raw, self.clock.now(), self.policy, self.calendar)

    def fire(self, case_id: str, trigger: str, actor: str, **kw: Any) -> Any:
        return self.desk.fire(case_id, trigger, actor, **kw)

    def show(self, case_id: str) -> dict[str, Any]:
        return self.services.queries.show(case_id)

    def sweep(self, at: Any = None, **kw: Any) -> Any:
        """The timer sweep alone (without the statutory reminders, the daily retention and the checkpoint of
        `services.cases.sweep`), producing what it discloses as the service does."""
        from ledesk.adapters.sweep import sweep_timers
        from ledesk.models.enums import SYSTEM_ACTOR

        if at is not None:
            self.clock.set(at)
        now = self.clock.now()
        kw.setdefault("disclosed", lambda conn, case: self.desk._produce(conn, case, now, SYSTEM_ACTOR))
        return sweep_timers(self.services.ctx.uow.write, now, self.policy, self.calendar, **kw)

    def rows(self, sql: str, **params: Any) -> list[Any]:
        with reader(self.engine).connect() as conn:
            return list(conn.execute(text(sql), params))

    def count(self, table: str) -> int:
        return int(self.rows(f'select count(*) from "{table}"')[0][0])


@pytest.fixture
def world(db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.delenv("LEDESK_MASTER_KEY", raising=False)  # the world's key store is wrapped under its own
    return World(db, tmp_path)


class Api:
    """The HTTP API (and web UI) on the world's database, in this process, with a token per staff member
    and per authority (police.go.kr, fbi.gov)."""

    def __init__(self, world: World) -> None:
        self.world = world
        rt = Runtime(world.engine.url.render_as_string(hide_password=False))
        rt.clock_override = world.clock
        self.rt = rt
        self.client = TestClient(create_app(rt), raise_server_exceptions=False)
        admin = rt.services.admin
        self.tokens = {n: admin.create_token(actor=n)["token"] for n in ("alice", "bob", "olga")}
        self.tokens["police"] = admin.create_token(authority="police.go.kr")["token"]
        self.tokens["fbi"] = admin.create_token(authority="fbi.gov")["token"]

    def call(self, method: str, path: str, who: str | None = None, **kw: Any) -> Any:
        headers = kw.pop("headers", {})
        if who:
            headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return self.client.request(method, path, headers=headers, **kw)


@pytest.fixture
def api(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    monkeypatch.setenv("LEDESK_HOME", str(tmp_path))
    monkeypatch.setenv("LEDESK_MASTER_KEY", "q" * 43 + "=")
    yield Api(world)
