"""An e-mail finds its case by the authority's whole reference: the candidates are runs of whole tokens."""

from __future__ import annotations

from ledesk.intake.channels import reference_candidates


def test_a_reference_is_a_run_of_whole_tokens_never_part_of_one() -> None:
    found = reference_candidates("Re: supplement to SMPA-2026-CY-0980, see 2026/CY/17 (urgent)")
    assert {"SMPA-2026-CY-0980", "2026/CY/17", "supplement to SMPA-2026-CY-0980"} <= found
    assert "SMPA-2026-CY-098" not in found and "MPA-2026-CY-0980" not in found and "CY" in found
    assert all("\n" not in c for c in reference_candidates("A-1\nB-2"))


def test_a_huge_body_is_not_searched_whole() -> None:
    assert len(reference_candidates(" ".join(f"w{i}" for i in range(100_000)))) == 5000


def test_the_disclosure_letter_says_per_target_what_was_produced_and_withheld() -> None:
    from ledesk.policy.schema import LogRetentionRule
    from ledesk.vault.production import OUTCOME_LETTER, per_target

    kept = LogRetentionRule(internet_logs_months=3, ip_access_months=3, call_detail_months=12)
    scope = [
        {"value": "+821012345678", "outcome": "produce", "produced": [{"category": "ip_logs", "records": 1}],
         "withheld": [{"category": "content", "why": "the search_warrant does not permit it"}]},
        {"value": "other@example.com", "outcome": "no_data", "produced": [],
         "withheld": [{"category": "ip_logs", "why": "no such account"}]},
        {"value": "old@example.com", "outcome": "out_of_retention", "produced": [{"category": "ip_logs", "records": 0}],
         "withheld": []}]
    assert per_target(scope, kept).splitlines() == [
        "+821012345678: produced ip_logs (1 records); withheld content: the search_warrant does not permit it",
        "other@example.com: no records",
        "old@example.com: no records: the records asked for are older than we keep them (internet and IP access "
        "logs 3 months, call detail 12 months)"]
    assert per_target(scope, kept, "ko").splitlines()[:2] == ["+821012345678: 제공 ip_logs (1건); 미제공 content",
                                                              "other@example.com: 자료 없음"]
    # A target that is produced gets no outcome letter; every other outcome gets exactly one kind.
    assert "produce" not in OUTCOME_LETTER and OUTCOME_LETTER["redirected"] == OUTCOME_LETTER["not_held"] == "redirect"
