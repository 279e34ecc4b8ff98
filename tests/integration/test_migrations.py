"""Alembic migrations go up and down on SQLite and PostgreSQL, and match the tables in code."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from ledesk.models.db import make_engine
from ledesk.models.migrate import current, downgrade, upgrade
from ledesk.models.tables import metadata
from tests.conftest import pg_database


def _check(engine) -> None:  # type: ignore[no-untyped-def]
    upgrade(engine)
    assert current(engine) == "0014"
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert {t.name for t in metadata.sorted_tables} <= set(inspect(engine).get_table_names())


def test_sqlite_up_down_up(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    _check(engine)
    engine.dispose()


@pytest.mark.postgres
def test_postgresql_up_down_up(pg_admin_url: str) -> None:
    with pg_database(pg_admin_url, "ledesk_migration_test") as url:
        engine = make_engine(url)
        try:
            _check(engine)
        finally:
            engine.dispose()
