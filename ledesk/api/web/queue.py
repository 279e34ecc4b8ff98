"""The queue: open cases, nearest deadline first, with the emergencies waiting for a decision on top."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ledesk.api.deps import Rt
from ledesk.api.web.session import StaffSession, csrf_of, page

router = APIRouter(include_in_schema=False)
QUEUE_LIMIT = 200


FILTERS = ("state", "kind", "q", "mine")
FILTER_COOKIE = "queue_filters"


@router.get("/", response_class=HTMLResponse)
def queue_page(request: Request, rt: Rt, who: StaffSession) -> Response:
    """The filters a reviewer set stay (a cookie) until changed or cleared."""
    from urllib.parse import parse_qs, urlencode

    asked = {k: request.query_params.get(k, "") for k in FILTERS}
    if "clear" in request.query_params:
        chosen = dict.fromkeys(FILTERS, "")
    elif any(k in request.query_params for k in FILTERS):
        chosen = asked
    else:
        kept = parse_qs(request.cookies.get(FILTER_COOKIE, ""))
        chosen = {k: kept.get(k, [""])[0][:200] for k in FILTERS}
    state, kind, q, mine = chosen["state"], chosen["kind"], chosen["q"], chosen["mine"]
    rows = rt.services.queries.cases(state=state or None, kind=kind or None, limit=QUEUE_LIMIT,
                                     open_only=not state and not q, search=q or None,
                                     assigned_to=(who.actor or "-") if mine else None)
    emergencies = [r for r in rows if r["kind"] == "emergency" and r["state"] == "received"]
    response = page(request, rt, "queue.html", who=who, rows=rows, emergencies=emergencies, state=state,
                    kind=kind, q=q, mine=mine, csrf=csrf_of(request))
    response.set_cookie(FILTER_COOKIE, urlencode({k: v for k, v in chosen.items() if v}), httponly=True,
                        samesite="strict")
    return response
