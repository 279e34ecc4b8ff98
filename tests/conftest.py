import os

# Tests never read the wall clock or a developer's own policy or home folder by accident.
for name in ("LEDESK_NOW", "LEDESK_POLICY", "LEDESK_DATABASE_URL", "LEDESK_HOME"):
    os.environ.pop(name, None)

# Prefect keeps its own state under LEDESK_HOME/prefect in production; tests use the harness below.
for name in ("PREFECT_API_URL", "PREFECT_HOME", "PREFECT_PROFILE"):
    os.environ.pop(name, None)
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"  # its heartbeat writes race the test server's SQLite

from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[str]:
    """One real Prefect server (SQLite, its own subprocess) for the whole session: it takes seconds to
    start, so only the tests that ask for it pay, and they pay once."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield str(PREFECT_API_URL.value())
