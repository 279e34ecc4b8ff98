"""The CLI's text output reads like the web UI: Seoul time to the minute (UTC with --utc), – for nothing,
plain text when piped."""

from __future__ import annotations

from ledesk.cli.render import show_times_in, table, when


def test_instants_read_in_the_legal_teams_zone_to_the_minute() -> None:
    show_times_in("Asia/Seoul")
    assert when("2026-12-01T11:52:20.075533+00:00") == "2026-12-01 20:52 KST"
    assert when(None) == "–" and when("") == "–" and when("SMPA-2026") == "SMPA-2026" and when(3) == "3"
    show_times_in("UTC")
    assert when("2026-12-01T11:52:20+00:00") == "2026-12-01 11:52 UTC"
    show_times_in("Asia/Seoul")


def test_a_piped_table_is_plain_text() -> None:
    text = table([{"case_id": "LE-1", "next_deadline": "2026-12-01T00:00:00+00:00", "assigned": None}],
                 ["case_id", "next_deadline", "assigned"])
    assert text.splitlines()[2].split() == ["LE-1", "2026-12-01", "09:00", "KST", "–"]
    assert "┃" not in text
