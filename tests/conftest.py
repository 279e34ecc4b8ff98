import os

# Tests never read the wall clock or a developer's own policy or home folder by accident.
for name in ("LEDESK_NOW", "LEDESK_POLICY", "LEDESK_DATABASE_URL", "LEDESK_HOME", "LEDESK_PUBLIC_URL"):
    os.environ.pop(name, None)

# Prefect keeps its own state under LEDESK_HOME/prefect in production; tests use the harness below.
for name in ("PREFECT_API_URL", "PREFECT_HOME", "PREFECT_PROFILE"):
    os.environ.pop(name, None)
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"  # its heartbeat writes race the test server's SQLite

# The stress sizes (LEDESK_STRESS=1 make test): the default run keeps each stress test's meaning (several
# workers really contend, kills land mid-work, generated requests cover every operation) on fewer items.
STRESS = os.environ.get("LEDESK_STRESS") == "1"

from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402

import pytest  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from tests.servers import Dovecot  # noqa: E402


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long tests first (a stable sort keeps the rest in their order): with two workers, one started at
    the end would leave the other idle while it runs."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[str]:
    """One real Prefect server (SQLite, its own subprocess) for the whole session: it takes seconds to
    start, so only the tests that ask for it pay, and they pay once."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield str(PREFECT_API_URL.value())


DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    url = os.environ.get("LEDESK_TEST_DATABASE_URL") or DEFAULT_PG
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:
        where = make_url(url).render_as_string(hide_password=True)
        message = (f"PostgreSQL is not reachable at {where} ({exc.__class__.__name__}). "
                   "Start a server and set LEDESK_TEST_DATABASE_URL=postgresql+psycopg://USER@HOST:PORT/DB "
                   "to run the PostgreSQL tests.")
        if os.environ.get("LEDESK_REQUIRE_POSTGRES"):
            pytest.fail(message)
        pytest.skip(message)
    return url


@contextmanager
def pg_database(admin_url: str, name: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database of the test's own, dropped (connections and all) afterwards."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


SOFTHSM_MODULES = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
                   "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so", "/usr/local/lib/softhsm/libsofthsm2.so")


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A real SoftHSM2 token of the session's own (its own token folder and config), as the
    LEDESK_KEYSTORE URI that names it. The library reads SOFTHSM2_CONF once per process, so there is one
    token for the whole session; each test uses its own key ids."""
    import shutil
    import subprocess

    module = next((m for m in SOFTHSM_MODULES if os.path.exists(m)), None)
    if module is None or shutil.which("softhsm2-util") is None:
        message = ("SoftHSM2 is not installed (Debian: apt-get install softhsm2); "
                   "the PKCS#11 key store tests need it")
        if os.environ.get("LEDESK_REQUIRE_HSM"):
            pytest.fail(message)
        pytest.skip(message)
    home = tmp_path_factory.mktemp("softhsm")
    (home / "tokens").mkdir()
    conf = home / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {home / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "ledesk-test", "--pin", "4321",
                    "--so-pin", "8765"], check=True, capture_output=True, env={**os.environ})
    pin = home / "pin"
    pin.write_text("4321\n")
    return f"pkcs11:token=ledesk-test?module-path={module}&pin-source={pin}"


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """A real IMAP server (Debian's dovecot-imapd) on a loopback port of its own, for the whole session."""
    from tests.servers import DovecotMissing, start_dovecot

    try:
        with start_dovecot() as server:
            yield server
    except DovecotMissing as exc:
        if os.environ.get("LEDESK_REQUIRE_DOVECOT"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))
