"""The queue: open cases, nearest deadline first, with the emergencies waiting for a decision on top."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ledesk.api.deps import Rt
from ledesk.api.web.session import csrf_of, page, signed_in, to_signin

router = APIRouter(include_in_schema=False)
QUEUE_LIMIT = 200


@router.get("/", response_class=HTMLResponse)
def queue_page(request: Request, rt: Rt, state: str | None = None, kind: str | None = None) -> Response:
    from ledesk.states.queries import list_cases

    who = signed_in(request, rt)
    if who is None:
        return to_signin()
    with rt.reader.connect() as conn:
        rows = list_cases(conn, state=state or None, kind=kind or None, limit=QUEUE_LIMIT, open_only=not state)
    emergencies = [r for r in rows if r["kind"] == "emergency" and r["state"] == "received"]
    return page(request, rt, "queue.html", who=who, rows=rows, emergencies=emergencies, state=state or "",
                kind=kind or "", csrf=csrf_of(request))
