"""The vault on a real database: real bytes preserved that only LE Desk can read, destroyed provably."""

from __future__ import annotations

import os
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from ledesk.models.tables import vault_blobs
from ledesk.states.errors import LedeskError
from tests.factories import legal_process_document, sample, seoul
from tests.integration.conftest import World

ACCOUNT = {"account_id": "acct-42", "phone": "+82 10 1234 5678", "email": "suspect@example.com",
           "subscriber": {"name": "Hong Gil-dong", "address": "1 Sejong-daero"},
           "access_logs": [{"at": "2026-08-15T03:00:00+00:00", "ip": "198.51.100.1"},     # before the period
                           {"at": "2026-08-31T15:30:00+00:00", "ip": "203.0.113.77"},   # 1 Sep 00:30 Seoul
                           {"at": "2026-11-30T15:30:00+00:00", "ip": "203.0.113.78"}],  # 1 Dec 00:30 Seoul
           "content": [{"name": "plan.txt", "text": "secret plan", "created_at": "2026-10-01T00:00:00+00:00"}]}


@pytest.fixture
def vaulted(world: World) -> World:
    world.source.load([ACCOUNT])
    return world


def preserved(world: World) -> tuple[str, str]:
    case_id = world.intake("preservation")["case_id"]
    world.fire(case_id, "preserve", "alice")
    return case_id, world.show(case_id)["holds"][0]["hold_id"]


def test_preserve_snapshots_exactly_the_requested_period_encrypted(vaulted: World) -> None:
    case_id, hold_id = preserved(vaulted)
    with vaulted.engine.connect() as conn:
        parts = vaulted.vault.read(conn, hold_id)
        blobs = b"".join(r.ciphertext for r in conn.execute(select(vault_blobs)))
    assert [p["category"] for p in parts] == ["ip_logs"]
    assert parts[0]["account_id"] == "acct-42"
    assert [r["ip"] for r in parts[0]["records"]] == ["203.0.113.77"]
    for plain in (b"203.0.113.77", b"acct-42", b"1234", b"Hong"):
        assert plain not in blobs
    assert [h["trigger"] for h in vaulted.show(case_id)["history"]][-2:] == ["preserve", "snapshot_taken"]
    assert os.stat(vaulted.home / "master.key").st_mode & 0o777 == 0o600


def test_the_snapshot_survives_the_data_sources_own_retention(vaulted: World) -> None:
    _, hold_id = preserved(vaulted)
    deleted = vaulted.vault.source.apply_retention(seoul(2027, 1, 5), {"ip_logs": 3, "access_logs": 3,
                                                                       "traffic_data": 12})
    assert deleted == 2
    with vaulted.engine.connect() as conn:
        assert [r["ip"] for r in vaulted.vault.read(conn, hold_id)[0]["records"]] == ["203.0.113.77"]


def test_two_holds_on_one_account_share_nothing(vaulted: World) -> None:
    _, first = preserved(vaulted)
    raw = sample("preservation")
    raw["reference"], raw["targets"][0]["value"] = "OTHER-1", "+82 10 1234 5678"
    other = vaulted.submit(raw)["case_id"]
    vaulted.fire(other, "preserve", "rita")
    second = vaulted.show(other)["holds"][0]["hold_id"]
    assert vaulted.vault.keys.key_ids() >= {first, second}
    assert vaulted.count("vault_keys") == 0  # keys never go into the case database
    bodies = [r[0] for r in vaulted.rows("select body from letters where case_id = :c", c=other)]
    assert not any(first in b or "SMPA-2026-CY-0931" in b for b in bodies)
    assert first != second


def test_a_lapsed_preservation_is_purged_once_with_a_certificate(vaulted: World) -> None:
    case_id, hold_id = preserved(vaulted)
    vaulted.sweep(seoul(2027, 3, 3, 0))
    assert vaulted.desk.purge().purged == [{"case_id": case_id, "hold_id": hold_id}]
    assert vaulted.desk.purge().purged == []
    assert hold_id not in vaulted.vault.keys.key_ids() and vaulted.count("vault_blobs") == 0
    record = vaulted.rows("select blobs, ciphertext_sha256 from destructions")[0]
    assert record[0] == 1 and len(record[1]) == 64
    assert vaulted.show(case_id)["holds"][0]["status"] == "purged"
    assert vaulted.rows("select count(*) from letters where kind = 'destruction_certificate'")[0][0] == 1
    with vaulted.engine.connect() as conn, pytest.raises(LookupError, match="purged"):
        vaulted.vault.read(conn, hold_id)


def test_a_purge_killed_half_way_finishes_on_the_next_run(vaulted: World, monkeypatch: pytest.MonkeyPatch) -> None:
    import ledesk.vault.purge as purging

    case_id, hold_id = preserved(vaulted)
    vaulted.sweep(seoul(2027, 3, 3, 0))
    real_destroy = purging.destroy

    def dies_after_destroying(conn, hold):  # type: ignore[no-untyped-def]
        real_destroy(conn, hold)
        raise SystemExit("killed")

    monkeypatch.setattr(purging, "destroy", dies_after_destroying)
    with pytest.raises(SystemExit):
        vaulted.desk.purge()
    monkeypatch.undo()
    assert hold_id in vaulted.vault.keys.key_ids()  # rolled back whole: the key kept
    assert vaulted.count("vault_blobs") == 1
    assert vaulted.desk.purge().purged == [{"case_id": case_id, "hold_id": hold_id}]


def race(world: World, case_id: str, at: object) -> dict[str, object]:
    """A reviewer attaches legal process while the sweep expires the case and the purge runs, each on
    its own thread and connection, released at the same instant."""
    outcomes: dict[str, object] = {}
    start = threading.Barrier(2)

    def attach() -> None:
        start.wait()
        try:
            world.fire(case_id, "attach_legal_process", "alice",
                       attachment=legal_process_document(valid_until="2027-03-31"))
            outcomes["attach"] = "ok"
        except LedeskError as exc:
            outcomes["attach"] = exc.code

    def expire_and_purge() -> None:
        start.wait()
        world.sweep(at)
        outcomes["purged"] = world.desk.purge().purged  # the sweep set the clock to `at`

    threads = [threading.Thread(target=attach), threading.Thread(target=expire_and_purge)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def test_a_hold_with_legal_process_is_never_purged_even_in_a_race(vaulted: World) -> None:
    for attempt in range(6):
        raw = sample("preservation")
        raw["reference"], raw["targets"][0]["value"] = f"RACE-{attempt}", f"010-5555-000{attempt}"
        vaulted.clock.set(seoul(2026, 12, 1))  # before intake: its respond-by date must not have passed
        case_id = vaulted.submit(raw)["case_id"]
        vaulted.fire(case_id, "preserve", "alice")
        at = seoul(2027, 3, 3, 0)
        vaulted.clock.set(at)
        outcomes = race(vaulted, case_id, at)
        doc = vaulted.show(case_id)
        if outcomes["attach"] == "ok":
            assert doc["state"] == "received" and doc["holds"][0]["status"] == "converted"
        else:
            assert doc["state"] == "expired" and doc["holds"][0]["status"] == "purged"
        assert not (doc["holds"][0]["status"] == "purged" and any(
            h["trigger"] == "attach_legal_process" for h in doc["history"]))
    vaulted.clock.set(seoul(2026, 12, 1) + timedelta(days=1))


def test_a_disclosure_is_produced_from_the_hold_and_exports_against_its_manifest(vaulted: World,
                                                                                  tmp_path: Path) -> None:
    import hashlib
    import json as _json

    from ledesk.vault.production import export

    case_id, _hold_id = preserved(vaulted)
    vaulted.intake("legal_process_for_preservation", kind="legal_process", related_case=case_id,
                   sender={"email": "minjun.kim@police.go.kr"})
    vaulted.fire(case_id, "recommend_disclosure", "alice", reason="warrant covers the preserved logs")
    vaulted.fire(case_id, "approve_disclosure", "bob")
    vaulted.sweep(seoul(2026, 12, 9))
    doc = vaulted.show(case_id)
    assert doc["state"] == "disclosed" and [t["outcome"] for t in doc["targets"]] == ["produce"]
    assert {"preserved_data_read", "production_built"} <= {h["trigger"] for h in doc["history"]}
    from zoneinfo import ZoneInfo

    from ledesk.letters.render import render_pending

    render_pending(vaulted.engine, vaulted.home, "LE Desk Cloud", ZoneInfo("Asia/Seoul"))
    with vaulted.engine.begin() as conn:
        result = export(conn, vaulted.vault, case_id, tmp_path / "package", seoul(2026, 12, 10), "alice")
    manifest = _json.loads((tmp_path / "package" / "manifest.json").read_text())
    for entry in manifest["files"]:
        assert hashlib.sha256((tmp_path / "package" / entry["name"]).read_bytes()).hexdigest() == entry["sha256"]
    produced = _json.loads((tmp_path / "package" / manifest["files"][0]["name"]).read_text())
    assert [r["ip"] for r in produced["records"]] == ["203.0.113.77"]
    # Every file is in the signed manifest, the public key too, but the manifest and its signature; the
    # letter is sent as the disclosure letter, not packed (it names the manifest, which cannot list it).
    assert result["files"] == len(manifest["files"]) + 2
    assert {p.name for p in (tmp_path / "package").iterdir()} == {
        *(f["name"] for f in manifest["files"]), "manifest.json", "manifest.sig"}
    assert vaulted.show(case_id)["history"][-1]["trigger"] == "produced_data_read"


def test_outcomes_per_target_from_the_data_source(vaulted: World) -> None:
    vaulted.vault.source.load([{"account_id": "corp-1", "email": "ceo@customer.example", "subscriber": {},
                                "customer_controlled": True}])
    raw = sample("court_permission")
    raw["targets"] = [{"type": "email", "value": "suspect@example.com", "known_info": ""},
                      {"type": "email", "value": "nobody@example.com", "known_info": ""},
                      {"type": "email", "value": "ceo@customer.example", "known_info": ""}]
    raw["data_requested"][0].update({"from": "2026-05-01", "to": "2026-06-30"})
    case_id = vaulted.submit(raw)["case_id"]
    vaulted.fire(case_id, "recommend_disclosure", "alice", reason="court permission covers IP logs")
    vaulted.fire(case_id, "approve_disclosure", "bob")
    doc = vaulted.show(case_id)
    # Older than the logs are kept; an identifier that exists nowhere; an enterprise customer's own data.
    assert [t["outcome"] for t in doc["targets"]] == ["out_of_retention", "no_data", "redirected"]
    assert {"no_records", "redirect"} <= {letter["kind"] for letter in doc["letters"]}
    # One target, one story: each target is in at most one outcome letter, and every letter naming it
    # says of it exactly what the disclosure letter says.
    bodies = {r.kind: r.body for r in vaulted.rows(
        f"select kind, body from letters where case_id = '{case_id}' and kind in "
        "('disclosure_cover', 'redirect', 'no_records')")}
    cover = {line.split(": ", 1)[0]: line for line in bodies["disclosure_cover"].splitlines()
             if line.split(": ", 1)[0] in {t["value"] for t in raw["targets"]}}
    assert set(cover) == {t["value"] for t in raw["targets"]}
    for target, said in cover.items():
        naming = [kind for kind in ("redirect", "no_records")
                  if any(line.startswith(f"{target}:") for line in bodies[kind].splitlines())]
        assert len(naming) == 1, (target, naming)
        assert said in bodies[naming[0]].splitlines()
    assert "older than we keep them" in cover["suspect@example.com"]
    assert "ask that customer" in cover["ceo@customer.example"]


def test_every_letter_the_flows_write_renders_from_its_template(vaulted: World) -> None:
    from zoneinfo import ZoneInfo

    from ledesk.letters.render import render_pending

    incomplete = vaulted.intake("incomplete")["case_id"]
    case_id, _ = preserved(vaulted)
    vaulted.fire(case_id, "extend", "alice", reason="renewed request")
    warrant = vaulted.intake("warrant")["case_id"]
    vaulted.fire(warrant, "recommend_disclosure", "alice", reason="ok")
    vaulted.fire(warrant, "approve_disclosure", "bob")
    foreign = vaulted.intake("foreign_direct")["case_id"]
    vaulted.fire(foreign, "require_legal_process", "alice", reason="foreign direct: MLAT")
    vaulted.fire(vaulted.intake("court_permission")["case_id"], "reject", "alice", reason="other: withdrawn")
    emergency = vaulted.intake("emergency")["case_id"]
    vaulted.fire(emergency, "verify_callback", "olga", reason="called the station")
    vaulted.fire(emergency, "emergency_disclose", "bob")
    for day in (seoul(2026, 12, 13, 0), seoul(2026, 12, 16, 0), seoul(2027, 5, 18, 0), seoul(2027, 6, 1, 0)):
        vaulted.sweep(day)
    vaulted.clock.set(seoul(2027, 6, 1, 1))
    vaulted.desk.purge()
    done = render_pending(vaulted.engine, vaulted.home, "LE Desk Cloud", ZoneInfo("Asia/Seoul"))
    kinds = {d["kind"] for d in done}
    assert {"acknowledgement", "deficiency", "cure_reminder", "lapsed", "preservation_confirmation",
            "extension_confirmation", "expiry_warning", "release", "destruction_certificate", "user_notice",
            "disclosure_cover", "mlat_redirect", "rejection", "followup_documents_request"} <= kinds
    assert vaulted.rows("select count(*) from letters where rendered_at is null")[0][0] == 0
    letters = vaulted.show(case_id)["letters"]
    assert all(letter["template_version"] and len(letter["sha256"]) == 64 and Path(letter["path"]).exists()
               for letter in letters)
    assert render_pending(vaulted.engine, vaulted.home, "LE Desk Cloud", ZoneInfo("Asia/Seoul")) == []
    assert incomplete and foreign
    # The e-mail's own text says a day as people write it: never an ISO day, a UTC stamp or an offset.
    import re

    bodies = vaulted.rows("select kind, body from outbox where channel in ('email', 'user_notice')")
    assert {k for k, _ in bodies} >= {"destruction_certificate", "disclosure_cover", "deficiency", "expiry_warning"}
    stamped = [(k, m) for k, b in bodies for m in re.findall(r"(?<![A-Z]-)\d{4}-\d\d-\d\d\S*", b)]
    assert stamped == [], stamped
