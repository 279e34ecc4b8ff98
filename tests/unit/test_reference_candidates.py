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
