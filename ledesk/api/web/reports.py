"""The reports page: download the transparency report, produce the statutory half-year reports."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from ledesk.api.deps import Rt
from ledesk.api.web.session import StaffSession, csrf_of, form_sender, page, signed_in, to_signin
from ledesk.states import roles
from ledesk.states.errors import GuardRefused, LedeskError
from ledesk.states.principal import Principal

router = APIRouter(include_in_schema=False)
MEDIA = {"csv": "text/csv; charset=utf-8", "md": "text/markdown; charset=utf-8", "png": "image/png",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def _refused(who: Principal) -> Response | None:
    """The role guard's refusal as a page, or None when this person may produce reports."""
    try:
        roles.require(who.actor or "", who.roles, roles.CASE_STAFF, "reports")
    except GuardRefused as exc:
        return Response(exc.message, status_code=403)
    return None


def _back(message: str) -> Response:
    return RedirectResponse(f"/reports?error={quote(message)}", status_code=303)


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, rt: Rt, who: StaffSession, error: str | None = None) -> Response:
    from ledesk.states import statutory

    today = rt.calendar.local_date(rt.clock.now())
    first, last = statutory.bounds(statutory.previous(statutory.half_of(today)))
    return page(request, rt, "reports.html", who=who, error=error, first=first, last=last,
                half=statutory.half_of(first), csrf=csrf_of(request))


@router.get("/reports/transparency")
def transparency_file(request: Request, rt: Rt, date_from: str = Query(alias="from", max_length=20),
                      date_to: str = Query(alias="to", max_length=20),
                      fmt: str = Query(default="docx", alias="format", max_length=10)) -> Response:
    from ledesk.states.clock import parse_day

    who = signed_in(request, rt)
    if who is None:
        return to_signin()
    refused = _refused(who)
    if refused is not None:
        return refused
    try:
        first, last = parse_day(date_from), parse_day(date_to)
        doc = rt.services.reports.transparency(first, last, [fmt])
    except LedeskError as exc:
        return _back(exc.message)
    return FileResponse(doc["path"], filename=Path(doc["path"]).name, media_type=MEDIA[fmt])


@router.post("/reports/statutory")
def statutory_file(request: Request, rt: Rt, csrf: str = Form(max_length=100), ledger: str = Form(max_length=10),
                   half: str = Form(max_length=20),
                   fmt: str = Form(default="docx", alias="format", max_length=10)) -> Response:
    who = form_sender(request, rt, csrf)
    if isinstance(who, Response):
        return who
    refused = _refused(who)
    if refused is not None:
        return refused
    if ledger not in ("pcsa", "tba"):
        return _back("ledger is pcsa or tba")
    try:
        # producing it is recorded: its reminder is then not sent
        doc = rt.services.reports.produce_statutory(ledger, half, fmt, who.actor or "")
    except LedeskError as exc:
        return _back(exc.message)
    return FileResponse(doc["path"], filename=Path(doc["path"]).name, media_type=MEDIA[fmt])
