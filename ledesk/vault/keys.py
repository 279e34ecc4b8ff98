"""The master key that wraps every hold's own key in the embedded key store. Where it comes from, first
found first: LEDESK_MASTER_KEY (the key itself), LEDESK_MASTER_KEY_FILE (a file holding it, outside
LEDESK_HOME), a systemd credential (`LoadCredential=ledesk-master-key:...`, read from
$CREDENTIALS_DIRECTORY), or else LEDESK_HOME/master.key, made with mode 0600 on first use. That last one
sits beside the data it protects, so a copy of LEDESK_HOME decrypts the holds: it works, with a warning
at every start. With an HSM key store (LEDESK_KEYSTORE=pkcs11:...) no master key is ever made."""

from __future__ import annotations

import base64
import binascii
import logging
import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

WRAP_CONTEXT = b"ledesk hold key v1"
log = logging.getLogger(__name__)


class MasterKeyError(ValueError):
    code = "bad_input"


def _decode(text: str) -> bytes:
    text = text.strip()
    for decode in (bytes.fromhex, base64.b64decode):
        try:
            key = decode(text)
        except (ValueError, binascii.Error):
            continue
        if len(key) == 32:
            return key
    raise MasterKeyError("LEDESK_MASTER_KEY must be 32 bytes, as 64 hex digits or base64")


CREDENTIAL = "ledesk-master-key"
_warned: set[Path] = set()


def where(home: Path) -> str:
    """Where the master key is read from, in words for `ledesk init` and the start-up warning."""
    if os.environ.get("LEDESK_MASTER_KEY"):
        return "LEDESK_MASTER_KEY"
    if os.environ.get("LEDESK_MASTER_KEY_FILE"):
        return f"LEDESK_MASTER_KEY_FILE ({os.environ['LEDESK_MASTER_KEY_FILE']})"
    credentials = os.environ.get("CREDENTIALS_DIRECTORY")
    if credentials and (Path(credentials) / CREDENTIAL).exists():
        return f"the systemd credential {CREDENTIAL}"
    return f"{home / 'master.key'} (inside LEDESK_HOME)"


def _read_file(path: Path, named: str) -> bytes:
    try:
        if path.stat().st_mode & 0o077:
            raise MasterKeyError(f"{path} is readable by others; it must be mode 0600")
        return _decode(path.read_text())
    except OSError as exc:
        raise MasterKeyError(f"cannot read the master key from {named} {path}: {exc.strerror}") from None


def master_key(home: Path) -> bytes:
    configured = os.environ.get("LEDESK_MASTER_KEY")
    if configured:
        return _decode(configured)
    if os.environ.get("LEDESK_MASTER_KEY_FILE"):
        return _read_file(Path(os.environ["LEDESK_MASTER_KEY_FILE"]).expanduser(), "LEDESK_MASTER_KEY_FILE")
    credentials = os.environ.get("CREDENTIALS_DIRECTORY")
    if credentials and (Path(credentials) / CREDENTIAL).exists():
        # systemd makes the credential file readable by the service alone; its mode is systemd's business
        return _decode((Path(credentials) / CREDENTIAL).read_text())
    if os.environ.get("LEDESK_KEYSTORE", "").strip().startswith("pkcs11:"):
        raise MasterKeyError("the key store is an HSM: no master key is made. Hold keys an older release kept in "
                             "the database need the master key they were wrapped with: give it as "
                             "LEDESK_MASTER_KEY_FILE")
    path = home / "master.key"
    if path.resolve() not in _warned:
        _warned.add(path.resolve())
        log.warning("the master key is %s, beside the data it protects: a copy of LEDESK_HOME decrypts every "
                    "hold. Move it out and name it with LEDESK_MASTER_KEY_FILE (or a systemd credential %s)",
                    path, CREDENTIAL)
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first; read theirs
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(AESGCM.generate_key(bit_length=256).hex() + "\n")
    if path.stat().st_mode & 0o077:
        raise MasterKeyError(f"{path} is readable by others; it must be mode 0600")
    return _decode(path.read_text())


def wrap(master: bytes, hold_key: bytes, hold_id: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(master).encrypt(nonce, hold_key, WRAP_CONTEXT + hold_id.encode())


def unwrap(master: bytes, wrapped: bytes, hold_id: str) -> bytes:
    from cryptography.exceptions import InvalidTag

    try:
        return AESGCM(master).decrypt(wrapped[:12], wrapped[12:], WRAP_CONTEXT + hold_id.encode())
    except InvalidTag:
        # The usual cause is a second process started with another LEDESK_MASTER_KEY (or without it, so
        # reading LEDESK_HOME/master.key) than the one that made the key.
        raise MasterKeyError(f"the key {hold_id} was wrapped with another master key: every process of this "
                             "deployment must use the same LEDESK_MASTER_KEY (or LEDESK_HOME/master.key)") from None
