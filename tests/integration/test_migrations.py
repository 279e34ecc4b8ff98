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
    assert current(engine) == "0019"
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


def test_a_converted_hold_from_before_gets_an_end_date(tmp_path: Path) -> None:
    """Issue 23: no hold without an end date, also for holds converted before the rule."""
    from datetime import UTC, datetime

    from ledesk.models.tables import authorities, cases, holds
    from tests.factories import case

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0014")
    at = datetime(2026, 12, 1, tzinfo=UTC)
    record = case("preservation", case_id="LE-OLD", legal_process_at=at)
    with engine.begin() as conn:
        conn.execute(authorities.insert().values(domain="police.go.kr", name="KNPA", country="KR", type="police",
                                                 created_at=at))
        conn.execute(cases.insert().values(**record.column_values()))
        conn.execute(holds.insert().values(hold_id="H-OLD", case_id="LE-OLD", status="converted", categories=[],
                                           created_at=at, expires_at=None))
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(holds.select()).one().expires_at == datetime(2027, 3, 1, tzinfo=UTC)
    engine.dispose()
