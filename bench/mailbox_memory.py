"""Memory of a mailbox poll over large messages, against a real Dovecot on loopback: the peak resident set
of a process that takes N messages of 27 MB each (under the 30 MB cap) through `take_mailbox` (one
message at a time, the body fetched in chunks), next to the naive way the poll used to fetch (the bodies
of a batch of 25 in one FETCH, only fetched, nothing taken) and to the floor (the same process, imports
done, fetching nothing). Each is measured in a process of its own (ru_maxrss never goes down).

`python -m bench.mailbox_memory [--messages N]`"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

MB = 2**20
SIZE = 27 * MB


def _big(index: int) -> bytes:
    """An e-mailed warrant with two scans attached (each under the 20 MB attachment limit), ~27 MB whole."""
    import base64

    from bench.mailbox import _mail

    head = _mail("warrant", f"BENCH-BIG-{index:03d}")
    boundary = head.split(b'boundary="', 1)[1].split(b'"', 1)[0]
    closing = b"--" + boundary + b"--"
    parts = b""
    for page in (1, 2):
        scan = os.urandom(int(SIZE * 3 / 8) - len(head))
        parts += (b"--" + boundary + b"\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
                  b"Content-Disposition: attachment; filename=\"scan-%d.pdf\"\r\n\r\n" % page
                  + base64.encodebytes(scan) + b"\r\n")
    return head.replace(closing, parts + closing)


def _child(mode: str, url: str, password: str, home: str) -> None:
    from imapclient import IMAPClient

    from bench.mailbox import _desk
    from ledesk.intake.mailbox import MailboxConfig, connect

    cfg = MailboxConfig.parse(url, password)
    if mode == "streamed":
        os.environ["LEDESK_HOME"] = home
        rt = _desk(Path(home))
        taken = list(rt.services.intake.take_mailbox(cfg))
        assert all(t.get("status") == "opened" for t in taken), taken
        count = len(taken)
    else:
        client: IMAPClient = connect(cfg)
        client.select_folder(cfg.folder, readonly=True)
        uids = sorted(client.search("ALL"))
        count = len(client.fetch(uids[:25], ["BODY.PEEK[]"])) if mode == "batch" else 0
        client.logout()
    print(json.dumps({"mode": mode, "messages": count,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def _measure(mode: str, url: str, password: str, home: Path) -> dict[str, Any]:
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-m", "bench.mailbox_memory", "--child", mode, url, password, str(home)],
                         cwd=root, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(root)})
    if out.returncode:
        raise RuntimeError(f"the {mode} measurement failed: {out.stderr[-2000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def run(messages: int = 8) -> list[dict[str, Any]]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from imapclient import IMAPClient

    from tests.servers import DovecotMissing, start_dovecot

    try:
        with tempfile.TemporaryDirectory() as tmp, start_dovecot() as dovecot:
            user, password = dovecot.user()
            client = IMAPClient("127.0.0.1", port=dovecot.port, ssl=False)
            client.login(user, password)
            for i in range(messages):
                client.append("INBOX", _big(i))
            client.logout()
            url = dovecot.url(user)
            floor = _measure("floor", url, password, Path(tmp))
            batch = _measure("batch", url, password, Path(tmp))  # reads only: the folder stays as it is
            streamed = _measure("streamed", url, password, Path(tmp))
    except DovecotMissing as exc:
        print(f"{exc}: the mailbox memory benchmark is left out")
        return []
    return [{"name": f"mailbox poll of {messages} messages of {SIZE // MB} MB: peak resident memory",
             "figure": round(streamed["peak_mb"], 1), "unit": "MB",
             "reference": round(batch["peak_mb"], 1),
             "reference_name": f"the old batch FETCH of {min(messages, 25)} bodies, fetch only",
             "ratio": round(streamed["peak_mb"] / batch["peak_mb"], 2),
             "floor_mb": round(floor["peak_mb"], 1),
             "above_floor_per_message_size": round((streamed["peak_mb"] - floor["peak_mb"]) / (SIZE / MB), 2),
             "targets": "bounded by one message (a multiple of 27 MB above the floor, whatever N), not by N"}]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.mailbox_memory")
    parser.add_argument("--messages", type=int, default=8)
    parser.add_argument("--child", nargs=4, metavar=("MODE", "URL", "PASSWORD", "HOME"))
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
    else:
        for result in run(args.messages):
            print(json.dumps(result))
