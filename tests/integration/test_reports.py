"""Reports on a real database: a small known data set against a hand-written CSV, a generated year
against counts the test keeps itself, the provision ledgers and their half-year reports, reminders and
retention, and invoices."""

from __future__ import annotations

import csv
import io
import random
import shutil
import subprocess
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ledesk.adapters import admin
from ledesk.adapters import ledger as ledgers
from ledesk.adapters import statutory as calendar_of_reports
from ledesk.models.db import reader
from ledesk.models.tables import ledger, outbox, statutory_reports
from ledesk.reports import render, statutory, transparency
from ledesk.states.errors import GuardRefused
from tests.factories import policy, sample, seoul
from tests.integration.conftest import World

EXPECTED = Path(__file__).resolve().parents[1] / "data" / "transparency_small.csv"

ACCOUNTS = [
    {"account_id": "acct-hong", "email": "hong.gildong@example.com", "subscriber": {"name": "Hong Gil-dong"},
     "access_logs": [{"at": "2026-10-10T01:00:00+00:00", "ip": "203.0.113.5"}],
     "content": [{"name": "plan.txt", "text": "plan", "created_at": "2026-10-01T00:00:00+00:00"}]},
    {"account_id": "acct-77120", "subscriber": {"name": "Kim"},
     "content": [{"name": "note.txt", "text": "note", "created_at": "2026-10-05T00:00:00+00:00"}]},
    {"account_id": "acct-biz", "email": "biz@corp.example", "subscriber": {"name": "Corp"},
     "customer_controlled": True},
    {"account_id": "acct-river", "username": "quiet_river", "subscriber": {"name": "River"}},
    {"account_id": "acct-seller", "email": "seller@example.com", "subscriber": {"name": "Seller"}},
]


def vaulted(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **overrides: Any) -> World:
    world.source.load(ACCOUNTS)
    if overrides:
        world.rebuild(policy=policy(**overrides))
    with world.engine.begin() as conn:
        admin.add_authority(conn, "moj.go.kr", "Ministry of Justice", "KR", "other", world.clock.now())
    return world


LATER = "2028-12-31"


def valid_longer(raw: dict[str, Any]) -> dict[str, Any]:
    """The samples' process is valid until late December 2026; the generated year needs longer (and a
    response date that has not passed, which would be a deficiency). Each request brings a warrant of its
    own: one warrant executed once is spent (Supreme Court 99모161)."""
    return {**raw, "respond_by": "2028-12-31",
            "legal_basis": {**raw["legal_basis"], "valid_until": "2028-12-31",
                            "document_reference": f"2027-SW-{raw['reference']}"}}


def mlat_request(origin: str = "US") -> dict[str, Any]:
    raw = sample("warrant", mlat={"origin_country": origin, "korean_process_reference": "2026-MLAT-3"})
    raw["legal_basis"] = {**raw["legal_basis"], "instrument": "mlat"}
    # The Korean approval of an MLAT request covers subscriber data (MLAT Act art. 17(2)); more needs
    # Korean court process attached.
    raw["data_requested"] = [d for d in raw["data_requested"] if d["category"] == "subscriber_info"]
    raw["sender"] = {"email": "treaty@moj.go.kr"}
    raw["officer"] = {**raw["officer"], "email": "treaty@moj.go.kr"}
    return raw


def report_rows(world: World, first: date, last: date) -> list[dict[str, Any]]:
    with reader(world.engine).connect() as conn:
        rows: list[dict[str, Any]] = transparency.report(conn, first, last, world.calendar)["rows"]
        return rows


def small_data_set(world: World) -> None:
    """Thirteen submissions in December 2026; what each should count as is in the expected CSV."""
    w1 = world.intake("warrant")["case_id"]                       # produced, the user notified
    world.fire(w1, "recommend_disclosure", "alice", reason="warrant covers both")
    world.fire(w1, "approve_disclosure", "bob")
    w2 = world.intake("warrant_with_gag_order")["case_id"]       # produced under an NDO: notice delayed
    world.fire(w2, "recommend_disclosure", "alice", reason="ok")
    world.fire(w2, "approve_disclosure", "bob")
    w3 = world.intake("warrant", targets=[{"type": "email", "value": "biz@corp.example"}],
                      reference="SMPA-BIZ")["case_id"]            # an enterprise customer's data: redirected
    world.fire(w3, "recommend_disclosure", "alice", reason="ok")
    world.fire(w3, "approve_disclosure", "bob")
    f1 = world.intake("foreign_direct")["case_id"]                # foreign direct: rejected
    world.fire(f1, "reject", "alice", reason="foreign_direct_request")
    s1 = world.intake("statutory_subscriber_request")["case_id"]  # declined by policy
    world.fire(s1, "reject", "alice", reason="insufficient_instrument")
    world.intake("court_permission")                              # pending
    world.submit(mlat_request("US"))                              # pending, counted under the US
    e1 = world.intake("emergency")["case_id"]                     # emergency produced
    world.fire(e1, "verify_callback", "olga", reason="called the station; desk sergeant confirmed")
    world.fire(e1, "emergency_disclose", "bob")
    e2 = world.intake("emergency", reference="KNPA-EMG-2")["case_id"]  # the call-back failed: rejected
    world.fire(e2, "verify_callback", "olga", reason="number does not answer", failed=True)
    world.fire(e2, "reject", "bob", reason="verification_failed")
    p1 = world.intake("preservation")["case_id"]                  # preserved
    world.fire(p1, "preserve", "alice")
    p2 = world.intake("preservation", reference="SMPA-P2",
                      targets=[{"type": "email", "value": "hong.gildong@example.com"}])["case_id"]
    world.fire(p2, "preserve", "alice")
    linked = world.intake("warrant", related_case=p2, reference="SMPA-P2",  # counted once, as legal process
                          targets=[{"type": "email", "value": "hong.gildong@example.com"}])
    assert linked["case_id"] == p2
    world.submit(sample("lookalike_sender"))                      # not reviewed: internal figure only
    world.clock.set(seoul(2026, 12, 9, 10))                       # the notice lead time is over
    world.sweep()


def test_small_data_set_matches_the_hand_written_csv_cell_by_cell(world: World, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    small_data_set(vaulted(world, tmp_path, monkeypatch))
    got = list(csv.reader(io.StringIO(render.csv_text(report_rows(world, date(2026, 7, 1), date(2027, 6, 30))))))
    want = list(csv.reader(EXPECTED.read_text(encoding="utf-8").splitlines()))
    assert got[0] == want[0]
    for number, (got_row, want_row) in enumerate(zip(got, want, strict=False), 1):
        assert got_row == want_row, f"line {number}: got {got_row}, expected {want_row}"
    assert len(got) == len(want)


def test_every_table_adds_up_as_requests_and_as_accounts(world: World, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    small_data_set(vaulted(world, tmp_path, monkeypatch))
    rows = report_rows(world, date(2026, 12, 1), date(2026, 12, 31))
    assert_adds_up(rows)


def assert_adds_up(rows: list[dict[str, Any]]) -> None:
    cells = {(r["table"], r["period"], r["country"], r["instrument"], r["measure"]): r for r in rows}
    groups = {k[:4] for k in cells if k[0] in transparency.OUTCOMES}
    for group in groups:
        outcomes = transparency.OUTCOMES[group[0]]
        received = cells[(*group, "received")]
        assert received["requests"] == sum(cells[(*group, o)]["requests"] for o in outcomes), group
        assert received["accounts"] == sum(cells[(*group, o)]["accounts"] for o in outcomes), group
        if group[0] != transparency.PRESERVATION:
            produced = cells[(*group, "produced")]["requests"]
            split = [cells[(*group, f"produced_{kind}")]["requests"] for kind in ("content", "non_content")]
            assert produced == sum(split), group
    reasons: Counter[tuple[str, str, str]] = Counter()
    for r in rows:
        if r["table"] == transparency.REJECTION_REASONS:
            reasons[(r["period"], r["country"], r["instrument"])] += r["requests"]
    rejected: Counter[tuple[str, str, str]] = Counter()
    for r in rows:
        if r["measure"] == "rejected":
            rejected[(r["period"], r["country"], r["instrument"])] += r["requests"]
    assert reasons == +rejected


def test_a_generated_year_matches_counts_kept_by_the_test(world: World, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """About 150 requests over 2027, each handled at random; the test counts what it did, per half-year,
    country, instrument and outcome, and the report must say the same."""
    world = vaulted(world, tmp_path, monkeypatch)
    rng = random.Random(20270101)
    expected: Counter[tuple[str, str, str, str, str]] = Counter()
    unreviewed: Counter[str] = Counter()
    days = sorted(date(2027, 1, 1) + timedelta(days=rng.randrange(365)) for _ in range(150))
    for n, day in enumerate(days):
        world.clock.set(seoul(day.year, day.month, day.day, 10, n % 50))
        half = f"{day.year}-H{1 if day.month <= 6 else 2}"
        choice = rng.choice(["warrant", "warrant", "foreign", "mlat", "emergency", "preservation", "junk"])
        ref = f"GEN-{n}"
        action = rng.choice(["leave", "reject", "decide"])
        if choice == "junk":
            world.submit(sample("lookalike_sender", reference=ref))
            unreviewed[half] += 1
            continue
        if choice == "warrant":
            case_id = world.submit(valid_longer(sample("warrant_with_gag_order", reference=ref)))["case_id"]
            key = ("legal_process", "KR", "search_warrant")
        elif choice == "foreign":
            case_id = world.intake("foreign_direct", reference=ref, respond_by=LATER)["case_id"]
            key = ("legal_process", "US", "search_warrant")
        elif choice == "mlat":
            origin = rng.choice(["US", "JP"])
            case_id = world.submit(valid_longer({**mlat_request(origin), "reference": ref}))["case_id"]
            key = ("legal_process", origin, "mlat")
        elif choice == "emergency":
            case_id, key = world.intake("emergency", reference=ref, respond_by=LATER)["case_id"], (
                "emergency", "KR", "emergency")
        else:
            case_id, key = world.intake("preservation", reference=ref, respond_by=LATER)["case_id"], (
                "preservation", "KR", "preservation_request")
        assert case_id, choice
        outcome = "pending"
        if action == "reject":
            world.fire(case_id, "reject", "alice", reason="vague_or_overbroad")
            outcome = "rejected"
        elif action == "decide" and choice == "preservation":
            world.fire(case_id, "preserve", "alice")
            outcome = "preserved"
        elif action == "decide" and choice == "emergency":
            world.fire(case_id, "verify_callback", "olga", reason="confirmed by the duty officer")
            world.fire(case_id, "emergency_disclose", "bob")
            outcome = "produced"   # quiet_river is held: subscriber data
        elif action == "decide" and choice in ("warrant", "mlat"):
            world.fire(case_id, "recommend_disclosure", "alice", reason="ok")
            world.fire(case_id, "approve_disclosure", "bob")
            outcome = "disclosed"  # produced or no data: read back from the targets below
        expected[(key[0], half, key[1], key[2], outcome)] += 1
    world.sweep(at=seoul(2028, 1, 20))  # notice lead times over
    rows = report_rows(world, date(2027, 1, 1), date(2027, 12, 31))
    assert_adds_up(rows)
    cell = {(r["table"], r["period"], r["country"], r["instrument"], r["measure"]): r["requests"] for r in rows}
    groups = {k[:4] for k in expected}
    assert groups == {k[:4] for k in cell if k[0] in transparency.OUTCOMES}
    for group in groups:
        assert cell[(*group, "received")] == sum(v for k, v in expected.items() if k[:4] == group), group
        assert cell[(*group, "rejected")] == expected[(*group, "rejected")], group
        assert cell[(*group, "pending")] == expected[(*group, "pending")], group
        if group[0] == "preservation":
            assert cell[(*group, "preserved")] == expected[(*group, "preserved")], group
        else:
            decided = expected[(*group, "disclosed")] + expected[(*group, "produced")]
            assert cell[(*group, "produced")] + cell[(*group, "no_data")] == decided, group
    internal = {r["period"]: r["requests"] for r in rows if r["table"] == "internal"}
    assert internal == {"2027-H1": unreviewed["2027-H1"], "2027-H2": unreviewed["2027-H2"]}
    produced_accounts = world.rows("select count(*) from targets where outcome = 'produce'")[0][0]
    assert sum(r["accounts"] for r in rows if r["measure"] == "produced") == produced_accounts
    # A report of one half-year holds exactly that half's share of the year.
    first_half = report_rows(world, date(2027, 1, 1), date(2027, 6, 30))
    assert [r for r in first_half if r["table"] != "internal"] == [
        r for r in rows if r["period"] == "2027-H1" and r["table"] != "internal"]


# -- provision ledgers and the statutory half-year reports ----------------------------------------------------
def test_a_disclosure_under_court_permission_is_entered_in_the_pcsa_ledger_and_reported(
        world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world = vaulted(world, tmp_path, monkeypatch, tba83__comply=True)
    permission = world.intake("court_permission", targets=[{"type": "email", "value": "hong.gildong@example.com"}])
    world.fire(permission["case_id"], "recommend_disclosure", "alice", reason="permission covers the IP logs")
    world.fire(permission["case_id"], "approve_disclosure", "bob")
    subscriber = world.intake("statutory_subscriber_request", approver={"name": "Park", "rank": "superintendent"})
    world.fire(subscriber["case_id"], "recommend_disclosure", "alice", reason="TBA 83(3) request")
    world.fire(subscriber["case_id"], "approve_disclosure", "bob")  # the user is told first: 7 days' lead time
    world.sweep(at=seoul(2026, 12, 9))
    assert world.show(permission["case_id"])["state"] == "disclosed"
    assert world.show(subscriber["case_id"])["state"] == "disclosed"
    entries = world.rows("select ledger, case_id, provided_on, purge_on, accounts_provided from ledger order by ledger")
    assert [(e.ledger, e.case_id, e.provided_on, e.purge_on) for e in entries] == [
        ("pcsa", permission["case_id"], "2026-12-01", "2033-12-02"),
        ("tba", subscriber["case_id"], "2026-12-09", "2027-12-10")]
    assert [e.accounts_provided for e in entries] == [1, 1]
    with world.engine.begin() as conn:
        doc = statutory.report(conn, "pcsa", "2026-H2", world.policy, world.calendar, world.clock.now())
    assert doc["due_on"] == "2027-02-01"
    assert doc["rows"] == [{"authority_type": "police", "authority": "Korean National Police Agency", "requests": 1,
                            "requests_with_data": 1, "accounts_requested": 1, "accounts_provided": 1}]
    assert doc["complete"] is False


def test_ledger_entries_are_purged_after_one_year_tba_and_seven_years_pcsa(
        world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world = vaulted(world, tmp_path, monkeypatch)
    now = world.clock.now()
    base = {"provided_at": now, "authority_name": "KNPA", "authority_type": "police", "reference": "r",
            "document_reference": "d", "categories": ["ip_logs"], "accounts_requested": 1, "accounts_provided": 1}
    case_id = world.intake("court_permission")["case_id"]
    with world.engine.begin() as conn:
        conn.execute(ledger.insert(), [
            {**base, "ledger": "pcsa", "case_id": case_id, "provided_on": "2026-12-01", "purge_on": "2033-12-02"},
            {**base, "ledger": "tba", "case_id": case_id, "provided_on": "2026-12-01", "purge_on": "2027-12-02"}])

    def purge_on(day: date) -> dict[str, int]:
        with world.engine.begin() as conn:
            return ledgers.purge(conn, day, seoul(day.year, day.month, day.day))

    assert purge_on(date(2027, 12, 1)) == {}
    assert purge_on(date(2027, 12, 2)) == {"tba": 1}
    assert purge_on(date(2033, 12, 1)) == {}
    assert purge_on(date(2033, 12, 2)) == {"pcsa": 1}
    assert world.count("ledger") == 0
    purged = world.rows("select data from events where action = 'ledger_purged' order by seq")
    assert len(purged) == 2


def test_the_compliance_lead_is_reminded_once_fourteen_days_before_each_due_date(world: World) -> None:
    def remind(at: Any) -> list[dict[str, Any]]:
        with world.engine.begin() as conn:
            return calendar_of_reports.remind(conn, at, world.policy, world.calendar)

    assert remind(seoul(2027, 1, 18, 8, 59)) == []              # due Monday 1 Feb 2027; reminder 18 Jan 09:00
    with world.engine.begin() as conn:
        doc = statutory.report(conn, "tba", "2026-H2", world.policy, world.calendar, world.clock.now())
        statutory.record_produced(conn, doc, b"already filed", "carol", world.clock.now(), world.policy,
                                  world.calendar)
    sent = remind(seoul(2027, 1, 18, 9, 0))
    assert [(s["ledger"], s["half"], s["due_on"]) for s in sent] == [("pcsa", "2026-H2", "2027-02-01")]
    assert remind(seoul(2027, 1, 19)) == []                      # once
    with reader(world.engine).connect() as conn:
        mail = conn.execute(select(outbox.c.to, outbox.c.subject, outbox.c.body)
                            .where(outbox.c.kind == "statutory_report_reminder")).all()
        planned = conn.execute(select(statutory_reports.c.half, statutory_reports.c.ledger)
                               .order_by(statutory_reports.c.half, statutory_reports.c.ledger)).all()
    assert [(m.to, m.subject) for m in mail] == [
        ("compliance@provider.example", "Due 2027-02-01: PCSA half-year report for 2026-H2")]
    assert "ledesk report pcsa --half 2026-H2" in mail[0].body
    assert [tuple(p) for p in planned] == [("2026-H2", "pcsa"), ("2026-H2", "tba"), ("2027-H1", "pcsa"),
                                           ("2027-H1", "tba")]


# -- cost recovery ------------------------------------------------------------------------------------------------
def test_an_invoice_prices_reviewer_minutes_and_bills_mlat_to_the_requesting_state(
        world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world = vaulted(world, tmp_path, monkeypatch)
    case_id = world.submit(mlat_request("JP"))["case_id"]
    world.fire(case_id, "recommend_disclosure", "alice", reason="treaty request in order", minutes=50)
    world.fire(case_id, "approve_disclosure", "bob")  # no minutes recorded: the policy's 20 for this action
    world.sweep(at=seoul(2026, 12, 9))  # lead time over
    doc = world.desk.invoice(case_id, "alice")
    assert [(line["action"], line["minutes"], line["recorded"]) for line in doc["lines"]] == [
        ("recommend_disclosure", 50, True), ("approve_disclosure", 20, False)]
    assert doc["reviewer_cost"] == 70 * 60000 // 60
    assert doc["bytes_produced"] > 0 and doc["gigabytes_billed"] == 1 and doc["data_cost"] == 20000
    assert doc["total"] == 70000 + 20000
    assert doc["bill_to"]["country"] == "JP" and "requesting state" in doc["bill_to"]["party"]
    letters = world.rows("select kind, body from letters where case_id = :c and kind = 'cost_invoice'", c=case_id)
    assert len(letters) == 1 and "KRW 90,000" in letters[0].body and "requesting state (JP)" in letters[0].body
    with pytest.raises(GuardRefused, match="already invoiced"):
        world.desk.invoice(case_id, "alice")
    emergency = world.intake("emergency")["case_id"]
    with pytest.raises(GuardRefused, match="not invoiced"):
        world.desk.invoice(emergency, "alice")
    with pytest.raises(GuardRefused, match="issuing an invoice needs the role") as refused:
        world.desk.invoice(case_id, "olga")
    assert refused.value.guard == "actor_role"



def test_a_preservation_followed_by_legal_process_in_a_case_of_its_own_is_counted_once(
        world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world = vaulted(world, tmp_path, monkeypatch)
    kept = world.intake("preservation")["case_id"]
    world.fire(kept, "preserve", "alice")
    world.fire(kept, "reject", "alice", reason="other: the authority withdrew it")  # closed: no attaching
    follow_up = world.intake("warrant", related_case=kept, reference="SMPA-FOLLOW")
    assert follow_up["case_id"] != kept
    alone = world.intake("preservation", reference="SMPA-ALONE")["case_id"]
    rows = report_rows(world, date(2026, 12, 1), date(2026, 12, 31))
    received = {(r["table"], r["instrument"]): r["requests"] for r in rows if r["measure"] == "received"}
    assert received == {("legal_process", "search_warrant"): 1, ("preservation", "preservation_request"): 1}
    assert world.show(alone)["state"] == "received"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_the_report_documents_open_in_an_office_suite(world: World, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    small_data_set(vaulted(world, tmp_path, monkeypatch))
    rows = report_rows(world, date(2026, 7, 1), date(2026, 12, 31))
    (tmp_path / "transparency.docx").write_bytes(render.docx_bytes(rows, "Transparency report", None))
    with world.engine.begin() as conn:
        doc = statutory.report(conn, "pcsa", "2026-H2", world.policy, world.calendar, world.clock.now())
    (tmp_path / "pcsa.docx").write_bytes(statutory.docx_bytes(doc))
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(tmp_path / "transparency.docx"), str(tmp_path / "pcsa.docx")],
                   check=True, capture_output=True, timeout=180)
    assert (tmp_path / "transparency.pdf").stat().st_size > 5000
    assert (tmp_path / "pcsa.pdf").stat().st_size > 1000
