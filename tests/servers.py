"""Real servers the tests (and benchmarks) start on loopback for themselves."""

from __future__ import annotations

import getpass
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def prefect_post(url: str, body: dict[str, Any], patience: float = 30) -> Any:
    """POST to a Prefect server's API, asking again while it answers 503: a Prefect server on SQLite
    answers that while its database is busy (a scheduled run or the vacuum writing)."""
    deadline = time.monotonic() + patience
    while True:
        request = urllib.request.Request(url, json.dumps(body).encode(), {"content-type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            if exc.code != 503 or time.monotonic() > deadline:
                raise
            time.sleep(0.3)


class Dovecot:
    """A real IMAP server (Debian's dovecot-imapd) on a loopback port of its own, with a user per test."""

    def __init__(self, home: Path, port: int) -> None:
        self.home, self.port, self._n = home, port, 0

    USERS = 200  # made before the server starts: dovecot notices a changed passwd file only by the second

    def user(self) -> tuple[str, str]:
        self._n += 1
        assert self._n <= self.USERS, "more mailbox tests than test users"
        return f"legal{self._n}", f"pw-{self._n}"

    def url(self, user: str, folder: str = "INBOX") -> str:
        return f"imap://{user}@127.0.0.1:{self.port}/{folder}"


class DovecotMissing(RuntimeError):
    pass


@contextmanager
def start_dovecot() -> Iterator[Dovecot]:
    binary = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)
    if binary is None:
        raise DovecotMissing("Dovecot is not installed (Debian: apt-get install dovecot-imapd); the IMAP mailbox "
                             "tests need it")

    # LE Desk's entry points, called in this process by the tests, make their own files private (umask 077);
    # dovecot's auth and mail processes run as other users and must read its files, and what it makes.
    previous = os.umask(0o022)
    try:
        home, port, proc = _start(binary)
    finally:
        os.umask(previous)
    try:
        yield Dovecot(home, port)
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(home, ignore_errors=True)


def _start(binary: str) -> tuple[Path, int, subprocess.Popen[bytes]]:
    # Not under pytest's own temporary folder (0700): dovecot's auth and mail processes run as other users.
    home = Path(tempfile.mkdtemp(prefix="ledesk-dovecot-"))
    home.chmod(0o755)
    for sub in ("run", "state", "mail"):
        (home / sub).mkdir()
    (home / "passwd").write_text("".join(f"legal{n}:{{PLAIN}}pw-{n}\n" for n in range(1, Dovecot.USERS + 1)))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    if os.geteuid() == 0:  # dovecot never gives mail to uid 0: the mail belongs to nobody
        uid, gid, users = 65534, 65534, ""
        os.chown(home / "mail", uid, gid)
    else:
        me = getpass.getuser()
        uid, gid, users = os.getuid(), os.getgid(), f"default_internal_user = {me}\ndefault_login_user = {me}\n"
    (home / "dovecot.conf").write_text(f"""
base_dir = {home / 'run'}
state_dir = {home / 'state'}
log_path = {home / 'dovecot.log'}
{users}protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {home / 'passwd'}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={home / 'mail'}/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {port}
  }}
}}
service anvil {{
  chroot =
}}
""")
    proc = subprocess.Popen([binary, "-F", "-c", str(home / "dovecot.conf")], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None:
                said = proc.stderr.read().decode() if proc.stderr else ""
                raise RuntimeError(f"dovecot did not start: {said}") from None
            time.sleep(0.1)
    return home, port, proc
