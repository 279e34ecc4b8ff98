"""The official mailbox over IMAP, against a real Dovecot on loopback:

1. messages taken per second from a folder of 1,000 e-mailed requests (`Desk.take_mailbox`: fetch, e-mail
   intake, the exactly-once record, the move), next to the same 1,000 .eml files read from the drop folder;
2. the time from an emergency's arrival to its page in the outbox under `ledesk serve`, p95 and p50 over 50,
   for each channel: APPENDed to the mailbox (IMAP IDLE), dropped in the inbox folder, posted to the portal
   API; next to the same steps done in-process with no IDLE and no Prefect. The page leaves right after
   the commit that opened the case; the intake flow run records it afterwards.

`python -m bench.mailbox [--messages N] [--emergencies N]`"""

from __future__ import annotations

import argparse
import json
import os
import signal
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
        time.sleep(0.005)
    raise TimeoutError("no page")


def _pct(values: list[float], q: int) -> int:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] * 1000)


def _serve(home: Path, root: Path, env_extra: dict[str, str], name: str) -> tuple[subprocess.Popen[bytes], int, Any]:
    """`ledesk serve` on its own Prefect server, with the API; returns once its deployments are up."""
    from ledesk.serve import free_port

    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") and k != "LEDESK_NOW"
           and k not in ("LEDESK_IMAP_URL", "LEDESK_IMAP_PASSWORD_FILE")}
    env.update({"LEDESK_HOME": str(home), **env_extra})
    port, api_port = free_port(), free_port()
    log = (root / f"serve-{name}.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "ledesk.cli", "serve", "--port", str(port), "--api-port",
                             str(api_port)], env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
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
    return proc, api_port, log


def _stop(proc: subprocess.Popen[bytes], log: Any) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=90)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def _portal_post(api_port: int, token: str, reference: str) -> None:
    sub = json.loads((SAMPLES / "emergency.json").read_text(encoding="utf-8"))
    sub["reference"] = reference
    request = urllib.request.Request(f"http://127.0.0.1:{api_port}/v1/submissions", json.dumps(sub).encode(),
                                     {"content-type": "application/json", "authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201


def _result(channel: str, n: int, times: list[float], floor: list[float]) -> dict[str, Any]:
    return {"name": f"emergency {channel} until its page is in the outbox, under ledesk serve, {n}",
            "figure": _pct(times, 95), "unit": "ms (p95)", "reference": _pct(floor, 95),
            "reference_name": "the same steps in-process, no Prefect (p95)",
            "ratio": round(_pct(times, 95) / max(_pct(floor, 95), 1), 1), "p50_ms": _pct(times, 50),
            "reference_p50_ms": _pct(floor, 50), "targets": "p95 < 500 ms and within 5x of in-process"}


def _latency(dovecot: Any, root: Path, n: int) -> list[dict[str, Any]]:
    from imapclient import IMAPClient

    from ledesk.intake.mailbox import MailboxConfig

    # The floors: the same arrival, its intake and the page's delivery, in-process.
    user, password = dovecot.user()
    home = root / "floor"
    home.mkdir()
    os.environ["LEDESK_HOME"] = str(home)
    rt = _desk(home)
    token = rt.services.admin.create_token(authority="police.go.kr", officer="Kim Min-jun",
                                           badge="12-3456")["token"]
    cfg = MailboxConfig.parse(dovecot.url(user), password)
    client = IMAPClient("127.0.0.1", port=dovecot.port, ssl=False)
    client.login(user, password)
    floors: dict[str, list[float]] = {"mail": [], "folder": [], "portal": []}
    sub = json.loads((SAMPLES / "emergency.json").read_text(encoding="utf-8"))
    for i in range(n):
        started = time.monotonic()
        client.append("INBOX", _mail("emergency", f"BENCH-FLOOR-{i}"))
        assert [t for t in rt.services.intake.take_mailbox(cfg) if t.get("page")]
        floors["mail"].append(time.monotonic() - started)
        started = time.monotonic()
        (home / "inbox").mkdir(exist_ok=True)
        (home / "inbox" / f"e{i}.json").write_text(json.dumps({**sub, "reference": f"BENCH-FOLDER-FLOOR-{i}"}))
        assert [t for t in rt.services.intake.take_inbox() if t.get("page")]
        floors["folder"].append(time.monotonic() - started)
        started = time.monotonic()
        rt.services.intake.take("e.json", json.dumps({**sub, "reference": f"BENCH-PORTAL-FLOOR-{i}"}).encode(),
                                authority="police.go.kr", officer=("Kim Min-jun", "12-3456"))
        floors["portal"].append(time.monotonic() - started)
    client.logout()

    # Under `ledesk serve` with the official mailbox: APPENDed mail, and the portal's API.
    user, password = dovecot.user()
    home = root / "serve"
    home.mkdir()
    (root / "pw").write_text(password)
    served = _desk(home)
    token = served.services.admin.create_token(authority="police.go.kr", officer="Kim Min-jun",
                                               badge="12-3456")["token"]
    proc, api_port, log = _serve(home, root, {"LEDESK_IMAP_URL": dovecot.url(user),
                                              "LEDESK_IMAP_PASSWORD_FILE": str(root / "pw")}, "mailbox")
    times: dict[str, list[float]] = {"mail": [], "folder": [], "portal": []}
    try:
        client = IMAPClient("127.0.0.1", port=dovecot.port, ssl=False)
        client.login(user, password)
        for i in range(n):
            before = _pages(home) if (home / "outbox").is_dir() else set()
            started = time.monotonic()
            client.append("INBOX", _mail("emergency", f"BENCH-SERVE-{i}"))
            times["mail"].append(_wait_page(home, before) - started)
        client.logout()
        for i in range(n):
            before = _pages(home)
            started = time.monotonic()
            _portal_post(api_port, token, f"BENCH-PORTAL-{i}")
            times["portal"].append(_wait_page(home, before) - started)
    finally:
        _stop(proc, log)
    # Under `ledesk serve` on one machine: the drop folder.
    home = root / "serve-folder"
    home.mkdir()
    _desk(home)
    (home / "inbox").mkdir()
    proc, _, log = _serve(home, root, {}, "folder")
    try:
        for i in range(n):
            before = _pages(home) if (home / "outbox").is_dir() else set()
            started = time.monotonic()
            staged = home / f".e{i}.json"
            staged.write_text(json.dumps({**sub, "reference": f"BENCH-FOLDER-{i}"}))
            staged.rename(home / "inbox" / f"e{i}.json")  # arrives whole, as a file moved in
            times["folder"].append(_wait_page(home, before) - started)
    finally:
        _stop(proc, log)
    return [_result("APPENDed to the mailbox (IMAP IDLE)", n, times["mail"], floors["mail"]),
            _result("dropped in the inbox folder", n, times["folder"], floors["folder"]),
            _result("submitted on the portal API", n, times["portal"], floors["portal"])]


def run(messages: int = 1000, emergencies: int = 50) -> list[dict[str, Any]]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.servers import DovecotMissing, start_dovecot

    saved = os.environ.get("LEDESK_HOME")
    try:
        with tempfile.TemporaryDirectory() as tmp, start_dovecot() as dovecot:
            root = Path(tmp)
            return [_throughput(dovecot, root, messages), *_latency(dovecot, root, emergencies)]
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
    parser.add_argument("--emergencies", type=int, default=50)
    args = parser.parse_args()
    for result in run(args.messages, args.emergencies):
        print(json.dumps(result))
