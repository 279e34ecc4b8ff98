"""Where hold keys live: create one, use it, destroy it. Never in the case database.

A hold's key (and a production's) encrypts its parts with AES-256-GCM. Destroying the key is what makes a
purge final (crypto-shredding), so each store is built for that one act:

- `SqliteKeyStore`, the embedded default: LEDESK_HOME/keys/holds.db, a SQLite file of its own with
  `secure_delete` (a deleted key's bytes are overwritten with zeros in the file) and a rollback journal that
  is deleted at each commit (no WAL that would keep old pages while another process holds the file open).
  Each key is stored wrapped by the master key, so a copy of this file alone decrypts nothing.
- `Pkcs11KeyStore`, for a real deployment: each key a non-extractable, sensitive AES key object in an HSM
  over PKCS#11 (SoftHSM2 in tests); encryption happens inside the HSM and destroy is C_DestroyObject.

LEDESK_KEYSTORE chooses: `sqlite` (the default), `sqlite:/path/holds.db`, or an RFC 7512 PKCS#11 URI such
as `pkcs11:token=ledesk?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=/run/secrets/hsm-pin`."""

from __future__ import annotations

import hashlib
import hmac
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ledesk.vault.keys import master_key, unwrap, wrap
from ledesk.vault.signing import Signer

PRODUCTION_KEY = "production-signing"  # signs productions' manifests
AUDIT_KEY = "audit-signing"  # signs the audit log's checkpoints; a key of its own, never the production key
# Seals API tokens and web sessions: the database keeps only HMACs under this key, so a row written into
# the database by someone who has the database alone names a secret nobody can present.
TOKEN_KEY = "token-seal"


class KeyStoreError(ValueError):
    code = "bad_input"


class HoldCipher(Protocol):
    """AES-256-GCM under one hold's key; the output is ciphertext followed by the 16-byte tag."""

    def encrypt(self, nonce: bytes, data: bytes, aad: bytes) -> bytes: ...

    def decrypt(self, nonce: bytes, data: bytes, aad: bytes) -> bytes: ...


class KeyStore(Protocol):
    @property
    def name(self) -> str:
        """Which store, for the destruction certificate: "sqlite:/…/holds.db", "pkcs11:token=…"."""
        ...

    @property
    def method(self) -> str:
        """How a key is destroyed there, in the certificate's words."""
        ...

    def create(self, key_id: str) -> HoldCipher: ...

    def cipher(self, key_id: str) -> HoldCipher:
        """The key's cipher; LookupError when the store has no such key (purged, or never made)."""
        ...

    def destroy(self, key_id: str) -> bool:
        """Erase the key; False when it was already gone (destroying twice is not an error)."""
        ...

    def key_ids(self) -> set[str]: ...

    def adopt(self, key_id: str, key: bytes) -> None:
        """Take in a key made before key stores existed (it was kept wrapped in the case database)."""
        ...

    def signer(self, name: str = PRODUCTION_KEY) -> Signer:
        """One of the provider's signing keys (Ed25519) by name, made on first use."""
        ...

    def seal(self, data: bytes, name: str = TOKEN_KEY) -> bytes:
        """HMAC-SHA256 of `data` under one of the provider's secret keys by name, made on first use; the
        key never leaves the store."""
        ...


# -- the embedded store ------------------------------------------------------------------------------
@dataclass
class SqliteKeyStore:
    path: Path
    master: bytes
    method: str = ("key row deleted from the key store's own SQLite file with secure_delete (its bytes "
                   "overwritten with zeros) and the rollback journal removed at commit")
    _lock: Any = field(default_factory=threading.RLock, repr=False)
    _db: sqlite3.Connection | None = field(default=None, repr=False)
    _signers: dict[str, Signer] = field(default_factory=dict, repr=False)
    _secrets: dict[str, bytes] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.path.parent, 0o700)
        if not self.path.exists():
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        if self.path.stat().st_mode & 0o077:
            raise KeyStoreError(f"{self.path} is readable by others; it must be mode 0600")
        with self._connect() as db:
            db.execute("create table if not exists hold_keys (key_id text primary key, wrapped blob not null)")
            db.execute("create table if not exists signing_keys (name text primary key, wrapped blob not null)")
            db.execute("create table if not exists secret_keys (name text primary key, wrapped blob not null)")

    @property
    def name(self) -> str:
        return f"sqlite:{self.path}"

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """The store's one connection, opened on first use and shared by this object's threads in turn.
        Idle, it holds no lock and no page (a rollback journal, not a WAL)."""
        with self._lock:
            if self._db is None:
                db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
                db.execute("pragma secure_delete = on")
                db.execute("pragma journal_mode = delete")
                self._db = db
            yield self._db

    def create(self, key_id: str) -> HoldCipher:
        key = AESGCM.generate_key(bit_length=256)
        self.adopt(key_id, key)
        return AESGCM(key)

    def adopt(self, key_id: str, key: bytes) -> None:
        with self._connect() as db:
            db.execute("insert into hold_keys (key_id, wrapped) values (?, ?)",
                       (key_id, wrap(self.master, key, key_id)))

    def cipher(self, key_id: str) -> HoldCipher:
        with self._connect() as db:
            row = db.execute("select wrapped from hold_keys where key_id = ?", (key_id,)).fetchone()
        if row is None:
            raise LookupError(f"hold {key_id} has no key: it was purged, or never preserved")
        return AESGCM(unwrap(self.master, row[0], key_id))

    def destroy(self, key_id: str) -> bool:
        with self._connect() as db:
            return db.execute("delete from hold_keys where key_id = ?", (key_id,)).rowcount > 0

    def key_ids(self) -> set[str]:
        with self._connect() as db:
            return {row[0] for row in db.execute("select key_id from hold_keys")}

    def signer(self, name: str = PRODUCTION_KEY) -> Signer:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        if name in self._signers:
            return self._signers[name]
        query = "select wrapped from signing_keys where name = ?"
        with self._connect() as db:
            row = db.execute(query, (name,)).fetchone()
            if row is None:  # the first process to ask makes the key; any other keeps the one stored
                fresh = Ed25519PrivateKey.generate().private_bytes_raw()
                db.execute("insert or ignore into signing_keys (name, wrapped) values (?, ?)",
                           (name, wrap(self.master, fresh, name)))
                row = db.execute(query, (name,)).fetchone()
        made = _SoftSigner(Ed25519PrivateKey.from_private_bytes(unwrap(self.master, row[0], name)))
        self._signers[name] = made
        return made

    def seal(self, data: bytes, name: str = TOKEN_KEY) -> bytes:
        if name not in self._secrets:
            query = "select wrapped from secret_keys where name = ?"
            with self._connect() as db:
                row = db.execute(query, (name,)).fetchone()
                if row is None:
                    db.execute("insert or ignore into secret_keys (name, wrapped) values (?, ?)",
                               (name, wrap(self.master, os.urandom(32), "secret:" + name)))
                    row = db.execute(query, (name,)).fetchone()
            self._secrets[name] = unwrap(self.master, row[0], "secret:" + name)
        return hmac.new(self._secrets[name], data, hashlib.sha256).digest()


class _SoftSigner:
    def __init__(self, key: Any) -> None:
        self._key = key

    def sign(self, data: bytes) -> bytes:
        out: bytes = self._key.sign(data)
        return out

    def public_raw(self) -> bytes:
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        out: bytes = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return out


# -- an HSM over PKCS#11 -----------------------------------------------------------------------------
@dataclass
class Pkcs11Uri:
    token: str
    module: str
    pin: str
    slot: str | None = None

    @classmethod
    def parse(cls, uri: str) -> Pkcs11Uri:
        """RFC 7512: `pkcs11:` path attributes (`token=`, `slot-id=`) separated by `;`, then `?` query
        attributes `module-path=`, `pin-value=` or `pin-source=` (a file holding the PIN)."""
        body = uri.removeprefix("pkcs11:")
        path, _, query = body.partition("?")
        attrs = dict(part.split("=", 1) for part in path.split(";") if "=" in part)
        params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        token = unquote(attrs.get("token", ""))
        module = params.get("module-path") or os.environ.get("LEDESK_PKCS11_MODULE", "")
        if not token or not module:
            raise KeyStoreError(f"LEDESK_KEYSTORE {redacted(uri)!r} needs token= and module-path= "
                                "(for example pkcs11:token=ledesk?module-path=/usr/lib/softhsm/libsofthsm2.so"
                                "&pin-source=/run/secrets/hsm-pin)")
        if "pin-value" in params:
            pin = params["pin-value"]
        elif "pin-source" in params:
            source = Path(params["pin-source"].removeprefix("file:"))
            try:
                pin = source.read_text().strip()
            except OSError as exc:
                raise KeyStoreError(f"cannot read the HSM PIN from {source}: {exc.strerror}") from None
        else:
            pin = os.environ.get("LEDESK_PKCS11_PIN", "")
        if not pin:
            raise KeyStoreError("the HSM PIN is missing: give pin-source= (a file) in LEDESK_KEYSTORE, "
                                "or LEDESK_PKCS11_PIN")
        return cls(token, module, pin, attrs.get("slot-id"))


def redacted(uri: str) -> str:
    """A PKCS#11 URI fit for logs and certificates: never the PIN."""
    path, _, query = uri.partition("?")
    kept = [p for p in query.split("&") if p and not p.startswith("pin-value=")]
    return path + ("?" + "&".join(kept) if kept else "")


class _HsmCipher:
    """AES-GCM done inside the HSM; the key object never leaves it."""

    def __init__(self, store: Pkcs11KeyStore, key: Any) -> None:
        self._store, self._key = store, key

    def encrypt(self, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        from pkcs11 import GCMParams, Mechanism

        with self._store._lock:
            out: bytes = self._key.encrypt(data, mechanism=Mechanism.AES_GCM, mechanism_param=GCMParams(nonce, aad))
        return out

    def decrypt(self, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        from pkcs11 import GCMParams, Mechanism

        with self._store._lock:
            out: bytes = self._key.decrypt(data, mechanism=Mechanism.AES_GCM, mechanism_param=GCMParams(nonce, aad))
        return out


class Pkcs11KeyStore:
    LABEL = "ledesk-hold:"  # every object LE Desk makes is labelled with this prefix and its key id
    method = "AES key object destroyed in the HSM (C_DestroyObject); it was non-extractable and never left it"

    def __init__(self, uri: str) -> None:
        import pkcs11

        self.uri = Pkcs11Uri.parse(uri)
        self.name = redacted(uri).partition("?")[0]
        try:
            lib = pkcs11.lib(self.uri.module)
            token = lib.get_token(token_label=self.uri.token)
            try:
                self._session = token.open(rw=True, user_pin=self.uri.pin)
            except pkcs11.exceptions.UserAlreadyLoggedIn:
                # A PKCS#11 login belongs to the whole process: a second store on the same token
                # (another Runtime in this worker) shares it.
                self._session = token.open(rw=True)
        except (pkcs11.PKCS11Error, RuntimeError, OSError) as exc:
            raise KeyStoreError(f"cannot open the HSM token {self.uri.token!r} through {self.uri.module}: "
                                f"{exc.__class__.__name__} {exc}") from None
        # One session per process; PKCS#11 sessions are not to be used by two threads at once.
        self._lock = threading.RLock()
        # Object handles already found (a search walks every object on a software token): filled by
        # create and by key_ids, which a purge calls first. A handle is only a name for the object.
        self._handles: dict[str, Any] = {}
        self._signers: dict[str, Signer] = {}
        self._secrets: dict[str, Any] = {}

    def _find(self, key_id: str) -> list[Any]:
        from pkcs11 import Attribute, ObjectClass

        with self._lock:
            if key_id in self._handles:
                return [self._handles[key_id]]
            return list(self._session.get_objects({Attribute.CLASS: ObjectClass.SECRET_KEY,
                                                   Attribute.LABEL: self.LABEL + key_id}))

    def _template(self) -> dict[Any, Any]:
        from pkcs11 import Attribute

        return {Attribute.TOKEN: True, Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False,
                Attribute.ENCRYPT: True, Attribute.DECRYPT: True, Attribute.PRIVATE: True}

    def create(self, key_id: str) -> HoldCipher:
        from pkcs11 import KeyType

        with self._lock:
            key = self._session.generate_key(KeyType.AES, 256, label=self.LABEL + key_id, id=key_id.encode(),
                                             store=True, template=self._template())
            self._handles[key_id] = key
        return _HsmCipher(self, key)

    def adopt(self, key_id: str, key: bytes) -> None:
        from pkcs11 import Attribute, KeyType, ObjectClass

        with self._lock:
            self._session.create_object({Attribute.CLASS: ObjectClass.SECRET_KEY, Attribute.KEY_TYPE: KeyType.AES,
                                         Attribute.VALUE: key, Attribute.LABEL: self.LABEL + key_id,
                                         Attribute.ID: key_id.encode(), **self._template()})

    def cipher(self, key_id: str) -> HoldCipher:
        found = self._find(key_id)
        if not found:
            raise LookupError(f"hold {key_id} has no key: it was purged, or never preserved")
        return _HsmCipher(self, found[0])

    def destroy(self, key_id: str) -> bool:
        from pkcs11 import PKCS11Error

        found = self._find(key_id)
        destroyed = False
        with self._lock:
            self._handles.pop(key_id, None)
            for key in found:
                try:
                    key.destroy()
                    destroyed = True
                except PKCS11Error:  # a stale handle (another process destroyed it): search afresh, once
                    for fresh in self._find(key_id):
                        fresh.destroy()
                        destroyed = True
        return destroyed

    def signer(self, name: str = PRODUCTION_KEY) -> Signer:
        """An EdDSA key pair on the token (non-extractable private key), made on first use."""
        from asn1crypto.core import OctetString  # type: ignore[import-untyped]
        from asn1crypto.keys import PrivateKeyAlgorithmId  # type: ignore[import-untyped]
        from pkcs11 import Attribute, KeyType, ObjectClass
        from pkcs11.util.ec import encode_named_curve_parameters

        if name in self._signers:
            return self._signers[name]
        label = "ledesk-" + name
        public: Any
        private: Any
        with self._lock:
            privates = list(self._session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY,
                                                       Attribute.LABEL: label}))
            publics = list(self._session.get_objects({Attribute.CLASS: ObjectClass.PUBLIC_KEY,
                                                      Attribute.LABEL: label}))
            if not privates or not publics:
                params = self._session.create_domain_parameters(KeyType.EC_EDWARDS, {
                    Attribute.EC_PARAMS: encode_named_curve_parameters(PrivateKeyAlgorithmId.unmap("ed25519"))},
                    local=True)
                public, private = params.generate_keypair(
                    store=True, label=label, id=name.encode(),
                    public_template={Attribute.TOKEN: True},
                    private_template={Attribute.TOKEN: True, Attribute.SENSITIVE: True,
                                      Attribute.EXTRACTABLE: False, Attribute.PRIVATE: True})
            else:
                public, private = publics[0], privates[0]
            point = bytes(public[Attribute.EC_POINT])
        raw = bytes(OctetString.load(point)) if len(point) != 32 else point
        made = _HsmSigner(self, private, raw)
        self._signers[name] = made
        return made

    def seal(self, data: bytes, name: str = TOKEN_KEY) -> bytes:
        """HMAC-SHA256 inside the HSM under a generic secret key that can sign and nothing else."""
        from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass

        label = "ledesk-" + name
        with self._lock:
            if name not in self._secrets:
                found = list(self._session.get_objects({Attribute.CLASS: ObjectClass.SECRET_KEY,
                                                        Attribute.LABEL: label}))
                self._secrets[name] = found[0] if found else self._session.generate_key(
                    KeyType.GENERIC_SECRET, 256, label=label, id=name.encode(), store=True,
                    template={Attribute.TOKEN: True, Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False,
                              Attribute.PRIVATE: True, Attribute.SIGN: True, Attribute.VERIFY: True,
                              Attribute.ENCRYPT: False, Attribute.DECRYPT: False})
            out: bytes = self._secrets[name].sign(data, mechanism=Mechanism.SHA256_HMAC)
        return out

    def key_ids(self) -> set[str]:
        from pkcs11 import Attribute, ObjectClass

        with self._lock:
            objects = self._session.get_objects({Attribute.CLASS: ObjectClass.SECRET_KEY})
            labelled = ((str(obj[Attribute.LABEL]), obj) for obj in objects)
            found = {label.removeprefix(self.LABEL): obj for label, obj in labelled if label.startswith(self.LABEL)}
            self._handles = found
        return set(found)


class _HsmSigner:
    def __init__(self, store: Pkcs11KeyStore, private: Any, public_raw: bytes) -> None:
        self._store, self._private, self._public = store, private, public_raw

    def sign(self, data: bytes) -> bytes:
        from pkcs11 import Mechanism

        with self._store._lock:
            out: bytes = self._private.sign(data, mechanism=Mechanism.EDDSA)
        return out

    def public_raw(self) -> bytes:
        return self._public


_opened: dict[str, KeyStore] = {}
_opening = threading.Lock()


def keystore(home: Path) -> KeyStore:
    """The key store LEDESK_KEYSTORE names, opened once per process: an HSM session is costly to open, and
    the embedded store's file, tables and connection are not set up again on every request."""
    configured = os.environ.get("LEDESK_KEYSTORE", "").strip() or "sqlite"
    with _opening:
        if configured.startswith("pkcs11:"):
            if configured not in _opened:
                _opened[configured] = Pkcs11KeyStore(configured)
            return _opened[configured]
    if configured == "sqlite":
        path = home / "keys" / "holds.db"
    elif configured.startswith("sqlite:"):
        path = Path(configured.removeprefix("sqlite:")).expanduser()
    else:
        raise KeyStoreError(f"LEDESK_KEYSTORE must be sqlite, sqlite:PATH or a pkcs11: URI, not {configured!r}")
    master = master_key(home)
    name = f"sqlite:{path.resolve()}:{hashlib.sha256(master).hexdigest()}"
    with _opening:
        if name not in _opened or not path.exists():
            _opened[name] = SqliteKeyStore(path, master)
        return _opened[name]


class OpenedOnUse:
    """A key store opened the first time a key is asked of it: the services are built with their vault
    once per process, and a command that takes no snapshot and reads no production (an order, a web page)
    never reads the master key nor opens an HSM session."""

    def __init__(self, open_store: Callable[[], KeyStore]) -> None:
        self._open = open_store
        self._store: KeyStore | None = None

    @property
    def store(self) -> KeyStore:
        if self._store is None:
            self._store = self._open()
        return self._store

    @property
    def name(self) -> str:
        return self.store.name

    @property
    def method(self) -> str:
        return self.store.method

    def create(self, key_id: str) -> HoldCipher:
        return self.store.create(key_id)

    def cipher(self, key_id: str) -> HoldCipher:
        return self.store.cipher(key_id)

    def destroy(self, key_id: str) -> bool:
        return self.store.destroy(key_id)

    def key_ids(self) -> set[str]:
        return self.store.key_ids()

    def adopt(self, key_id: str, key: bytes) -> None:
        self.store.adopt(key_id, key)

    def signer(self, name: str = PRODUCTION_KEY) -> Signer:
        return self.store.signer(name)

    def seal(self, data: bytes, name: str = TOKEN_KEY) -> bytes:
        return self.store.seal(data, name)
