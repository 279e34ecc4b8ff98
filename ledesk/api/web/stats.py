"""The operators' picture as a page, and as the chart the Prefect UI's image artifact shows."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ledesk.api.deps import Rt, principal
from ledesk.api.errors import ApiError
from ledesk.api.i18n import state_words, value_words
from ledesk.api.web.session import StaffSession, csrf_of, lang, local, page
from ledesk.bootstrap import Runtime
from ledesk.states.principal import Principal

router = APIRouter(include_in_schema=False)


@router.get("/stats", response_class=HTMLResponse)
def stats_page(request: Request, rt: Rt, who: StaffSession) -> Response:
    doc = rt.services.reports.picture()
    return page(request, rt, "stats.html", who=who, doc=doc, csrf=csrf_of(request))


def _staff_or_none(request: Request, rt: Runtime) -> Principal | None:
    try:
        who = principal(request, rt)  # a bearer token or the session cookie
    except ApiError:
        return None
    return who if who.actor is not None else None


@router.get("/stats/picture.png")
def stats_png(request: Request, rt: Rt) -> Response:
    """The operators' picture as a chart; the Prefect UI's image artifact points here."""
    from ledesk.reports.chart import operators_picture

    if _staff_or_none(request, rt) is None:
        return Response("sign in first", status_code=401)
    doc = rt.services.reports.picture()
    chosen = lang(request)  # the page's language: its <img> carries ?lang=, else the cookie says
    png = operators_picture(doc, local(doc["at"], rt.policy.timezone), chosen,
                            {**value_words(chosen), **state_words(chosen)})
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})
