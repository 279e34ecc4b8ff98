"""A production contains exactly what the instrument names, and nothing is kept longer than the law allows
(issue 14, sections 1, 3 and 6), on a real database with the vault and the embedded data source."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from ledesk.states.errors import GuardRefused
from ledesk.vault.production import export
from tests.factories import legal_process_document, sample, seoul
from tests.integration.conftest import World
from tests.integration.test_vault import vaulted  # noqa: F401  (the fixture)

OTHER = {"account_id": "acct-43", "phone": "010-9999-0000", "email": "other@example.com", "subscriber": {},
         "access_logs": [{"at": "2026-10-10T01:00:00+00:00", "ip": "192.0.2.43"}]}


def two_target_preservation(world: World) -> tuple[str, str]:
    world.vault.source.load([OTHER])
    raw = sample("preservation")
    raw["targets"].append({"type": "phone", "value": "010-9999-0000", "known_info": ""})
    case_id = world.submit(raw)["case_id"]
    world.fire(case_id, "preserve", "alice")
    return case_id, world.show(case_id)["holds"][0]["hold_id"]


def disclosed_with(world: World, case_id: str, process: Any) -> dict[str, Any]:
    world.fire(case_id, "attach_legal_process", "alice", attachment=process)
    world.fire(case_id, "recommend_disclosure", "alice", reason="the warrant covers it")
    world.fire(case_id, "approve_disclosure", "bob")
    world.sweep(seoul(2026, 12, 9))  # the lead time is over
    return world.show(case_id)


def test_only_the_targets_categories_and_periods_the_process_names_are_produced(vaulted: World,  # noqa: F811
                                                                                 tmp_path: Path) -> None:
    case_id, _ = two_target_preservation(vaulted)
    process = legal_process_document(
        targets=[{"type": "phone", "value": "+82-10-1234-5678", "known_info": ""}],  # acct-42, written otherwise
        data_requested=[{"category": "ip_logs", "from": "2026-09-02", "to": "2026-11-30"},
                        {"category": "content", "from": "2026-09-01", "to": "2026-11-30"}])
    doc = disclosed_with(vaulted, case_id, process)
    assert doc["state"] == "disclosed" and [(t["value"], t["outcome"]) for t in doc["targets"]] == [
        ("+821012345678", "produce")]
    with vaulted.engine.begin() as conn:
        result = export(conn, vaulted.vault, case_id, tmp_path / "package", seoul(2026, 12, 10), "alice")
    parts = [json.loads((tmp_path / "package" / f["name"]).read_text()) for f in result["manifest"]["files"]
             if f["name"].endswith(".json")]
    by_category = {p["category"]: p for p in parts}
    assert set(by_category) == {"ip_logs", "content"}
    assert {p["account_id"] for p in parts} == {"acct-42"}  # the other preserved account is never read in
    # The hold kept 1 September 00:30 Seoul; the warrant's period starts on 2 September.
    assert by_category["ip_logs"]["source"] == "hold" and by_category["ip_logs"]["records"] == []
    assert by_category["content"]["source"] == "datasource"  # never preserved: collected as usual
    assert [r["name"] for r in by_category["content"]["records"]] == ["plan.txt"]
    manifest = json.loads((tmp_path / "package" / "manifest.json").read_text())
    lines = {(t["type"], t["value"]): t for t in manifest["targets"]}
    assert [p["category"] for p in lines[("phone", "+82-10-1234-5678")]["produced"]] == ["ip_logs", "content"]
    withheld = lines[("phone", "+821099990000")]
    assert withheld["outcome"] == "withheld" and "does not name" in withheld["withheld"][0]["why"]
    blob = b"".join((tmp_path / "package" / f["name"]).read_bytes() for f in result["manifest"]["files"])
    assert b"192.0.2.43" not in blob


def test_the_snapshot_is_destroyed_once_the_production_is_sealed_and_the_production_after_retention(
        vaulted: World, tmp_path: Path) -> None:  # noqa: F811
    case_id, hold_id = two_target_preservation(vaulted)
    doc = disclosed_with(vaulted, case_id, legal_process_document())
    assert doc["holds"][0]["status"] == "purged"
    assert hold_id not in vaulted.vault.keys.key_ids()
    assert vaulted.rows("select count(*) from destructions where hold_id = :h", h=hold_id)[0][0] == 1
    assert "destruction_certificate" in {letter["kind"] for letter in doc["letters"]}
    production = vaulted.rows("select production_id, destroy_on from productions where case_id = :c", c=case_id)[0]
    vaulted.clock.set(seoul(2027, 3, 8, 23))  # 90 days from 9 December end with 9 March
    assert vaulted.desk.purge().productions_destroyed == []
    vaulted.clock.set(seoul(2027, 3, 10, 0, 1))
    assert vaulted.desk.purge().productions_destroyed == [{"case_id": case_id,
                                                          "production_id": production.production_id}]
    assert vaulted.rows("select count(*) from vault_blobs where hold_id = :p", p=production.production_id)[0][0] == 0
    with pytest.raises(LookupError, match="destroyed"), vaulted.engine.begin() as conn:
        export(conn, vaulted.vault, case_id, tmp_path / "late", vaulted.clock.now(), "alice")


def test_a_case_rejected_after_legal_process_arrived_is_purged_like_any_other(vaulted: World) -> None:  # noqa: F811
    case_id, hold_id = two_target_preservation(vaulted)
    vaulted.fire(case_id, "attach_legal_process", "alice", attachment=legal_process_document())
    assert vaulted.show(case_id)["holds"][0]["status"] == "converted"
    vaulted.fire(case_id, "reject", "alice", reason="other: the authority withdrew the warrant")
    vaulted.clock.advance(timedelta(minutes=5))
    assert vaulted.desk.purge().purged == [{"case_id": case_id, "hold_id": hold_id}]


def test_no_repeat_215_2_request_is_judged_per_data_not_per_account(vaulted: World) -> None:  # noqa: F811
    first = vaulted.intake("preservation_statutory")["case_id"]
    vaulted.fire(first, "preserve", "alice")
    same = vaulted.intake("preservation_statutory", reference="SMPA-REPEAT")["case_id"]
    with pytest.raises(GuardRefused) as info:
        vaulted.fire(same, "preserve", "alice")
    assert info.value.guard == "no_repeat_statutory_request" and first in info.value.message
    raw = sample("preservation_statutory", reference="SMPA-OTHER-DATA")
    raw["data_requested"] = [{**raw["data_requested"][0], "category": "subscriber_info"}]
    other_data = vaulted.submit(raw)["case_id"]
    vaulted.fire(other_data, "preserve", "alice")
    assert vaulted.show(other_data)["state"] == "preserved"
