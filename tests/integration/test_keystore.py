"""Hold keys outside the case database, and a purge that forensics cannot undo: after `purge`, no byte of
the hold's key or ciphertext is left in any file under LEDESK_HOME, even while another process holds the
databases open; on PostgreSQL no key material is ever written to the database."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select, text

from ledesk.models.db import make_engine
from ledesk.models.migrate import upgrade
from ledesk.models.tables import vault_blobs, vault_keys
from ledesk.vault.keys import master_key, unwrap, wrap
from ledesk.vault.keystore import KeyStore, KeyStoreError, Pkcs11KeyStore, Pkcs11Uri, SqliteKeyStore, redacted
from tests.factories import seoul
from tests.integration.conftest import World, seed
from tests.integration.test_vault import ACCOUNT


def _store(kind: str, home: Path, request: pytest.FixtureRequest) -> KeyStore:
    if kind == "sqlite":
        return SqliteKeyStore(home / "keys" / "holds.db", master_key(home))
    return Pkcs11KeyStore(request.getfixturevalue("softhsm"))


@pytest.fixture(params=["sqlite", pytest.param("pkcs11", marks=pytest.mark.hsm)])
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _world(engine: Engine, home: Path, keys: KeyStore) -> World:
    world = World(engine, home).rebuild(keys=keys)
    world.source.load([ACCOUNT])
    return world


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("LEDESK_MASTER_KEY", raising=False)
    folder = tmp_path / "home"
    folder.mkdir(mode=0o700)
    return folder


@pytest.fixture
def on_disk(home: Path, store_kind: str, request: pytest.FixtureRequest) -> Iterator[World]:
    """LE Desk as deployed on one machine: the case database a SQLite file in LEDESK_HOME."""
    engine = make_engine(f"sqlite:///{home / 'ledesk.db'}")
    upgrade(engine)
    seed(engine, seoul(2026, 12, 1))
    yield _world(engine, home, _store(store_kind, home, request))
    engine.dispose()


def _preserved(world: World) -> tuple[str, str]:
    case_id = world.intake("preservation")["case_id"]
    world.fire(case_id, "preserve", "alice")
    return case_id, world.show(case_id)["holds"][0]["hold_id"]


def _secrets(world: World, hold_id: str, home: Path) -> list[bytes]:
    """The bytes an attacker with the disk would look for: the hold's ciphertext, and for the embedded
    store its key, raw and wrapped."""
    with world.engine.connect() as conn:
        blobs = [bytes(r.ciphertext) for r in conn.execute(select(vault_blobs).where(vault_blobs.c.hold_id == hold_id))]
    found = [blob[i:i + 24] for blob in blobs for i in (0, len(blob) // 2, len(blob) - 24)]
    keys = world.vault.keys
    if isinstance(keys, SqliteKeyStore):
        import sqlite3

        with sqlite3.connect(keys.path) as db:
            wrapped = db.execute("select wrapped from hold_keys where key_id = ?", (hold_id,)).fetchone()[0]
        found += [wrapped, unwrap(master_key(home), wrapped, hold_id)]
    assert blobs and all(len(s) >= 24 for s in found)
    return found


def _carve(home: Path, secrets: list[bytes]) -> list[str]:
    hits = []
    for path in sorted(home.rglob("*")):
        if path.is_file():
            content = path.read_bytes()
            hits += [f"{path.name} holds secret {n}" for n, s in enumerate(secrets) if s in content]
    return hits


def _holder(*paths: Path) -> subprocess.Popen[str]:
    """Another process (the API, a worker) that holds the databases open, as in production."""
    script = ("import sqlite3, sys, time\n"
              "dbs = [sqlite3.connect(p) for p in sys.argv[1:]]\n"
              "for db in dbs: db.execute('select count(*) from sqlite_master').fetchall()\n"
              "print('open', flush=True)\n"
              "time.sleep(120)\n")
    proc = subprocess.Popen([sys.executable, "-c", script, *map(str, paths)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "open"
    return proc


def test_after_a_purge_no_key_or_ciphertext_is_left_in_any_file(on_disk: World, home: Path) -> None:
    case_id, hold_id = _preserved(on_disk)
    secrets = _secrets(on_disk, hold_id, home)
    assert _carve(home, secrets), "the carving finds the hold before the purge (else it proves nothing)"
    keys = on_disk.vault.keys
    holder = _holder(home / "ledesk.db", *([keys.path] if isinstance(keys, SqliteKeyStore) else []))
    try:
        on_disk.sweep(seoul(2027, 3, 3, 0))
        assert on_disk.desk.purge().purged == [{"case_id": case_id, "hold_id": hold_id}]
        assert (home / "ledesk.db-wal").exists()  # the other process still holds the database open
        assert _carve(home, secrets) == []
    finally:
        holder.kill()
        holder.wait()
    assert hold_id not in keys.key_ids()
    with on_disk.engine.connect() as conn, pytest.raises(LookupError, match="purged"):
        on_disk.vault.read(conn, hold_id)


def test_the_destruction_certificate_names_the_key_the_store_and_the_method(on_disk: World) -> None:
    case_id, hold_id = _preserved(on_disk)
    on_disk.sweep(seoul(2027, 3, 3, 0))
    on_disk.desk.purge()
    keys = on_disk.vault.keys
    body = on_disk.rows("select body from letters where case_id = :c and kind = 'destruction_certificate'",
                        c=case_id)[0][0]
    assert f"key {hold_id}" in body and keys.method in body
    # Which kind of store, never its path or URI (issue 26: internal paths left the building).
    assert keys.name not in body and "holds.db" not in body and "pkcs11:" not in body
    assert ("an HSM (PKCS#11)" if keys.name.startswith("pkcs11:") else "the provider's key store") in body
    import json

    data = on_disk.rows("select data from events where case_id = :c and action = 'purge'", c=case_id)[0][0]
    data = json.loads(data) if isinstance(data, str) else data
    assert data["key_id"] == hold_id and data["key_store"] == keys.name and data["method"] == keys.method


def test_a_key_is_destroyed_only_after_the_purge_commits_and_a_leftover_on_the_next_purge(
        on_disk: World, monkeypatch: pytest.MonkeyPatch) -> None:
    case_id, hold_id = _preserved(on_disk)
    on_disk.sweep(seoul(2027, 3, 3, 0))
    keys = on_disk.vault.keys

    def dies(key_id: str) -> bool:
        raise SystemExit("killed between the commit and the key's destruction")

    monkeypatch.setattr(keys, "destroy", dies)
    with pytest.raises(SystemExit):
        on_disk.desk.purge()
    monkeypatch.undo()
    assert on_disk.show(case_id)["holds"][0]["status"] == "purged" and hold_id in keys.key_ids()
    report = on_disk.desk.purge()
    assert report.purged == [] and report.leftover_keys_destroyed == [hold_id]
    assert hold_id not in keys.key_ids()


def test_a_purge_that_fails_to_commit_keeps_the_key(on_disk: World, monkeypatch: pytest.MonkeyPatch) -> None:
    import ledesk.vault.purge as purging

    _, hold_id = _preserved(on_disk)
    on_disk.sweep(seoul(2027, 3, 3, 0))
    real = purging.destroy

    def fails_after(conn, hold):  # type: ignore[no-untyped-def]
        real(conn, hold)
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(purging, "destroy", fails_after)
    with pytest.raises(RuntimeError):
        on_disk.desk.purge()
    monkeypatch.undo()
    with on_disk.engine.connect() as conn:
        assert on_disk.vault.read(conn, hold_id)  # still readable: nothing was lost


def test_no_key_material_is_ever_written_to_the_case_database(world: World, home: Path,
                                                                       store_kind: str,
                                                                       request: pytest.FixtureRequest) -> None:
    vaulted = _world(world.engine, home, _store(store_kind, home, request))
    _, hold_id = _preserved(vaulted)
    keys = vaulted.vault.keys
    assert hold_id in keys.key_ids()
    secrets = []
    if isinstance(keys, SqliteKeyStore):
        import sqlite3

        with sqlite3.connect(keys.path) as db:
            wrapped = db.execute("select wrapped from hold_keys where key_id = ?", (hold_id,)).fetchone()[0]
        secrets = [wrapped, unwrap(master_key(home), wrapped, hold_id)]
    with vaulted.engine.connect() as conn:
        dump = b""
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'select * from "{table}"')):
                dump += b"|".join(v if isinstance(v, bytes) else str(v).encode() for v in row)
    assert vaulted.count("vault_keys") == 0
    assert not any(s in dump for s in secrets)


@pytest.mark.hsm
def test_an_hsm_key_is_non_extractable_and_encrypts_inside_the_hsm(softhsm: str) -> None:
    from pkcs11 import Attribute
    from pkcs11.exceptions import AttributeSensitive

    store = Pkcs11KeyStore(softhsm)
    cipher = store.create("H-EXTRACT-1")
    sealed = cipher.encrypt(b"\0" * 12, b"subscriber data", b"aad")
    assert cipher.decrypt(b"\0" * 12, sealed, b"aad") == b"subscriber data"
    from cryptography.exceptions import InvalidTag  # noqa: F401  (the HSM refuses a wrong AAD instead)
    from pkcs11 import PKCS11Error

    with pytest.raises(PKCS11Error):
        cipher.decrypt(b"\0" * 12, sealed, b"other")
    key = store._find("H-EXTRACT-1")[0]
    assert key[Attribute.EXTRACTABLE] is False and key[Attribute.SENSITIVE] is True
    with pytest.raises(AttributeSensitive):
        key[Attribute.VALUE]
    assert store.destroy("H-EXTRACT-1") and not store.destroy("H-EXTRACT-1")
    with pytest.raises(LookupError):
        store.cipher("H-EXTRACT-1")


def test_the_audit_key_and_the_production_key_are_two_keys_on_the_hsm(softhsm: str) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from ledesk.vault.keystore import AUDIT_KEY, PRODUCTION_KEY

    store = Pkcs11KeyStore(softhsm)
    audit_key, production_key = store.signer(AUDIT_KEY), store.signer(PRODUCTION_KEY)
    assert audit_key.public_raw() != production_key.public_raw()
    Ed25519PublicKey.from_public_bytes(audit_key.public_raw()).verify(audit_key.sign(b"head"), b"head")
    # Another session finds the same audit key on the token rather than making a new one.
    assert Pkcs11KeyStore(softhsm).signer(AUDIT_KEY).public_raw() == audit_key.public_raw()


def test_the_token_seal_is_an_hmac_under_a_key_that_stays_in_the_store(
        home: Path, store_kind: str, request: pytest.FixtureRequest) -> None:
    import hmac as hmac_

    store = _store(store_kind, home, request)
    seal = store.seal(b"token row")
    assert len(seal) == 32 and seal != store.seal(b"token row 2")
    assert _store(store_kind, home, request).seal(b"token row") == seal  # the same key, found again
    # Not a hash anyone can compute: neither the plain SHA-256 nor an HMAC under the master key.
    assert seal != hashlib.sha256(b"token row").digest()
    if store_kind == "sqlite":
        assert seal != hmac_.new(master_key(home), b"token row", hashlib.sha256).digest()


def test_keys_kept_in_the_database_by_an_older_release_move_to_the_key_store(
        on_disk: World, home: Path) -> None:
    """What `ledesk init` does on upgrade: the wrapped keys of vault_keys go into the store and are erased."""
    _, hold_id = _preserved(on_disk)
    keys = on_disk.vault.keys
    legacy = os.urandom(32)
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    master = master_key(home)
    with on_disk.engine.begin() as conn:
        nonce = os.urandom(12)
        conn.execute(vault_blobs.insert().values(hold_id="H-LEGACY", part=0, nonce=nonce,
                                                 ciphertext=AESGCM(legacy).encrypt(nonce, b'{"old": 1}',
                                                                                   b"H-LEGACY:0")))
        conn.execute(vault_keys.insert().values(hold_id="H-LEGACY", wrapped_key=wrap(master, legacy, "H-LEGACY"),
                                                created_at=seoul(2026, 11, 1)))
    assert on_disk.services.admin.init()["keys_moved"] == 1
    assert on_disk.count("vault_keys") == 0 and {"H-LEGACY", hold_id} <= keys.key_ids()
    with on_disk.engine.connect() as conn:
        assert on_disk.vault.read(conn, "H-LEGACY") == [{"old": 1}]
    assert on_disk.services.admin.init()["keys_moved"] == 0


def test_the_embedded_store_is_private_and_a_bad_keystore_setting_is_refused(home: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from ledesk.vault.keystore import keystore

    store = keystore(home)
    assert isinstance(store, SqliteKeyStore)
    assert os.stat(store.path).st_mode & 0o777 == 0o600 and os.stat(store.path.parent).st_mode & 0o777 == 0o700
    monkeypatch.setenv("LEDESK_KEYSTORE", "vault://elsewhere")
    with pytest.raises(KeyStoreError, match="sqlite, sqlite:PATH or a pkcs11: URI"):
        keystore(home)
    with pytest.raises(KeyStoreError, match="token= and module-path="):
        Pkcs11Uri.parse("pkcs11:token=x")
    with pytest.raises(KeyStoreError, match="PIN"):
        Pkcs11Uri.parse("pkcs11:token=x?module-path=/lib/x.so")
    assert redacted("pkcs11:token=x?module-path=/m.so&pin-value=1234") == "pkcs11:token=x?module-path=/m.so"
    assert Pkcs11Uri.parse("pkcs11:token=my%20hsm;slot-id=3?module-path=/m.so&pin-value=9").token == "my hsm"
