"""An uploaded document held while its sender looks at the letters it would send: the preview page names it
by a random ticket, and "Confirm" takes it (once) to fire the step. Held as a private file under
LEDESK_HOME/staged, never in the case database (nothing has happened yet), and gone after an hour."""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path

from ledesk.models.db import ledesk_home
from ledesk.states.errors import BadInput

KEPT_SECONDS = 3600


def _folder() -> Path:
    folder = ledesk_home() / "staged"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _forget_old(folder: Path) -> None:
    cutoff = time.time() - KEPT_SECONDS
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:  # another request took or removed it first
            pass


def stage(name: str, content: bytes, who: str) -> str:
    """Hold `content` for `who`; the ticket the preview page carries."""
    folder = _folder()
    _forget_old(folder)
    ticket = secrets.token_hex(16)
    for suffix, data in ((".json", json.dumps({"name": name, "who": who}).encode()), (".bin", content)):
        fd = os.open(folder / f"{ticket}{suffix}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    return ticket


def take(ticket: str, who: str) -> tuple[str, bytes]:
    """The document held under `ticket` for `who`, removed as it is taken: a ticket confirms one step once."""
    if len(ticket) != 32 or not all(c in "0123456789abcdef" for c in ticket):
        raise BadInput("that upload is not held any more: upload the document again")
    folder = _folder()
    meta, blob = folder / f"{ticket}.json", folder / f"{ticket}.bin"
    try:
        held = json.loads(meta.read_bytes())
        content = blob.read_bytes()
    except FileNotFoundError:
        raise BadInput("that upload is not held any more (over an hour, or already used): upload it again") from None
    if held.get("who") != who:
        raise BadInput("that upload was made by someone else: upload the document yourself")
    meta.unlink(missing_ok=True)
    blob.unlink(missing_ok=True)
    return str(held["name"]), content
