"""`/v1/reports`: the transparency report's rows and the statutory half-year figures, for scripts."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from ledesk.api.deps import Rt, Who, compliance

router = APIRouter(prefix="/v1/reports", tags=["reports"])


@router.get("/transparency")
def transparency_rows(who: Who, rt: Rt, date_from: Annotated[date, Query(alias="from")],
                      date_to: Annotated[date, Query(alias="to")]) -> dict[str, Any]:
    """The transparency report's rows (the CSV's), for Seoul dates `from` to `to`, both included."""
    compliance(who)
    return rt.services.reports.transparency_rows(date_from, date_to)


@router.get("/{ledger}")
def statutory_figures(ledger: Literal["pcsa", "tba"], half: str, who: Who, rt: Rt) -> dict[str, Any]:
    """A statutory half-year report's figures (half: YYYY-H1 or YYYY-H2). Reading them here does not
    count as producing the report: its reminder stands until the document is made."""
    compliance(who)
    return rt.services.reports.statutory_figures(ledger, half)
