"""The master key that wraps every hold's own key: LEDESK_MASTER_KEY, or a key file made with mode 0600."""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

WRAP_CONTEXT = b"ledesk hold key v1"


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


def master_key(home: Path) -> bytes:
    configured = os.environ.get("LEDESK_MASTER_KEY")
    if configured:
        return _decode(configured)
    path = home / "master.key"
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
