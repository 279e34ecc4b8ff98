"""The official mailbox over IMAP, against a real Dovecot on loopback:

1. messages taken per second from a folder of 1,000 e-mailed requests (`Desk.take_mailbox`: fetch, e-mail
   intake, the exactly-once record, the move), next to the same 1,000 .eml files read from the drop folder;
2. the time from APPEND of an emergency to its page under `ledesk serve` (IMAP IDLE, the intake and
   emergency flows, delivery to the outbox), p50/p95 over 20, next to the same work done in-process with
   no IDLE and no Prefect (APPEND, one poll, deliver the page).

`python -m bench.mailbox [--messages N] [--emergencies N]`"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from email.message import EmailMessage
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).resolve().parents[1] / "ledesk" / "samples"
SUBJECT = "Law Enforcement Agency Disclosure Request"


def _mail(kind: str, reference: str) -> bytes:
    sub = json.loads((SAMPLES / f"{kind}.json").read_text(encoding="utf-8"))
    sub["reference"] = reference
    msg = EmailMessage()
    msg["From"] = "Kim Min-jun <minjun.kim@police.go.kr>"
    msg["Subject"] = SUBJECT
    msg["Message-ID"] = f"<{reference}@police.go.kr>"
    msg["Authentication-Results"] = "mail.ledesk.local; dmarc=pass header.from=police.go.kr"
    msg.set_content("Please find our request attached.")
    msg.add_attachment(json.dumps(sub).encode(), maintype="application", subtype="json", filename="request.json")
    return bytes(msg)


def _desk(home: Path) -> Any:
    from ledesk.bootstrap import Runtime
    from ledesk.models.migrate import upgrade

    rt = Runtime(f"sqlite:///{home / 'ledesk.db'}", home_override=home)
    upgrade(rt.engine)
    rt.services.admin.add_authority("police.go.kr", "KNPA", "KR", "police")
    return rt


def _throughput(dovecot: Any, root: Path, n: int) -> dict[str, Any]:
    from imapclient import IMAPClient

    from ledesk.intake.mailbox import MailboxConfig

    user, password = dovecot.user()
    client = IMAPClient("127.0.0.1", port=dovecot.port, ssl=False)
    client.login(user, password)
    mails = [_mail("preservation", f"BENCH-MB-{i:05d}") for i in range(n)]
    for data in mails:
        client.append("INBOX", data)
    client.logout()
    os.environ["LEDESK_HOME"] = str(root / "imap")
    (root / "imap").mkdir()
    rt = _desk(root / "imap")
    started = time.perf_counter()
    taken = list(rt.services.intake.take_mailbox(MailboxConfig.parse(dovecot.url(user), password)))
    imap_s = time.perf_counter() - started
    assert sum(1 for t in taken if t.get("status") == "opened") == n, taken[:3]
    home = root / "folder"
    (home / "inbox").mkdir(parents=True)
    for i, data in enumerate(mails):
        (home / "inbox" / f"{i:05d}.eml").write_bytes(data)
    os.environ["LEDESK_HOME"] = str(home)
    rt = _desk(home)
    started = time.perf_counter()
    files = list(rt.services.intake.take_inbox())
    folder_s = time.perf_counter() - started
    assert sum(1 for f in files if f.get("status") == "opened") == n
    return {"name": f"official mailbox over IMAP (Dovecot), {n:,} e-mailed requests taken and moved",
            "figure": round(n / imap_s), "unit": "messages/s", "reference": round(n / folder_s),
            "reference_name": "the same .eml files from the drop folder", "ratio": round(imap_s / folder_s, 2),
            "targets": "report only"}


def _pages(home: Path) -> set[str]:
    return {p.name for p in (home / "outbox").glob("*.eml") if b"X-LEDesk-Kind: emergency_page" in p.read_bytes()}


def _wait_page(home: Path, before: set[str], timeout: float = 60) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (home / "outbox").is_dir() and _pages(home) - before:
            return time.monotonic()
        time.sleep(0.05)
    raise TimeoutError("no page")


def _latency(dovecot: Any, root: Path, n: int) -> dict[str, Any]:
    from imapclient import IMAPClient

    from ledesk.intake.mailbox import MailboxConfig
    from ledesk.serve import free_port

    # The floor: the same APPEND, one poll and the page's delivery, in-process.
    user, password = dovecot.user()
    home = root / "floor"
    home.mkdir()
    os.environ["LEDESK_HOME"] = str(home)
    rt = _desk(home)
    cfg = MailboxConfig.parse(dovecot.url(user), password)
    client = IMAPClient("127.0.0.1", port=dovecot.port, ssl=False)
    client.login(user, password)
    floor = []
    for i in range(n):
        started = time.monotonic()
        client.append("INBOX", _mail("emergency", f"BENCH-FLOOR-{i}"))
        cases = [t["case_id"] for t in rt.services.intake.take_mailbox(cfg) if t.get("case_id")]
        rt.services.outbox.deliver(cases=cases)
        floor.append(time.monotonic() - started)
    client.logout()

    user, password = dovecot.user()
    home = root / "serve"
    home.mkdir()
    (root / "pw").write_text(password)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") and k != "LEDESK_NOW"}
    env.update({"LEDESK_HOME": str(home), "LEDESK_IMAP_URL": dovecot.url(user),
                "LEDESK_IMAP_PASSWORD_FILE": str(root / "pw")})
    _desk(home)
    port = free_port()
    log = (root / "serve.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "ledesk.cli", "serve", "--port", str(port), "--api-port", "0"],
                            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    times = []
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/api/deployments/filter", b"{}",
                                                 {"content-type": "application/json"})
                with urllib.request.urlopen(request, timeout=5) as response:
                    if any(d["name"] == "watch-inbox" for d in json.loads(response.read())):
                        break
            except OSError:
                pass
            time.sleep(0.5)
        time.sleep(3)
        client = IMAPClient("127.0.0.1", port=dovecot.port, ssl=False)
        client.login(user, password)
        for i in range(n):
            before = _pages(home) if (home / "outbox").is_dir() else set()
            started = time.monotonic()
            client.append("INBOX", _mail("emergency", f"BENCH-SERVE-{i}"))
            times.append(_wait_page(home, before) - started)
        client.logout()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=90)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()

    def pct(values: list[float], q: int) -> float:
        return round(statistics.quantiles(values, n=100)[q - 1] * 1000) if len(values) > 1 else round(values[0] * 1000)

    return {"name": f"emergency APPENDed to the mailbox until its page is in the outbox, under ledesk serve, {n}",
            "figure": pct(times, 50), "unit": "ms (p50)", "reference": pct(floor, 50),
            "reference_name": "APPEND + one poll + deliver, in-process (p50)", "ratio": round(
                statistics.median(times) / statistics.median(floor), 1), "p95_ms": pct(times, 95),
            "reference_p95_ms": pct(floor, 95), "targets": "within seconds"}


def run(messages: int = 1000, emergencies: int = 20) -> list[dict[str, Any]]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.servers import DovecotMissing, start_dovecot

    saved = os.environ.get("LEDESK_HOME")
    try:
        with tempfile.TemporaryDirectory() as tmp, start_dovecot() as dovecot:
            root = Path(tmp)
            return [_throughput(dovecot, root, messages), _latency(dovecot, root, emergencies)]
    except DovecotMissing as exc:
        print(f"{exc}: the mailbox benchmarks are left out")
        return []
    finally:
        if saved is None:
            os.environ.pop("LEDESK_HOME", None)
        else:
            os.environ["LEDESK_HOME"] = saved


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.mailbox")
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--emergencies", type=int, default=20)
    args = parser.parse_args()
    for result in run(args.messages, args.emergencies):
        print(json.dumps(result))
