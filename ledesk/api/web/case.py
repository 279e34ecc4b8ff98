"""A case page and its buttons: exactly the triggers this person could fire now."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ledesk.api.deps import Rt
from ledesk.api.reads import show_case
from ledesk.api.web.session import csrf_of, form_sender, page, signed_in, to_signin
from ledesk.models.enums import CaseState
from ledesk.states.errors import LedeskError

router = APIRouter(include_in_schema=False)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: str, rt: Rt, done: str | None = None, error: str | None = None) -> Response:
    from ledesk.states.machine import mermaid

    who = signed_in(request, rt)
    if who is None:
        return to_signin()
    doc = show_case(rt, case_id, who.roles)
    # Triggers that need a document go through the API, not a button; approving one's own
    # recommendation is not offered (each trigger is tried under this person's name).
    buttons = rt.desk(with_vault=False).pressable(case_id, doc["allowed_triggers"], who.actor or "", who.roles)
    return page(request, rt, "case.html", who=who, case=doc, buttons=buttons, diagram=mermaid(doc["state"]),
                states=[s.value for s in CaseState], done=done, error=error, csrf=csrf_of(request))


@router.post("/cases/{case_id}/triggers/{trigger}")
def press(request: Request, case_id: str, trigger: str, rt: Rt, csrf: str = Form(max_length=100),
          reason: str = Form(default="", max_length=4000), failed: bool = Form(default=False)) -> Response:
    who = form_sender(request, rt, csrf)
    if isinstance(who, Response):
        return who
    where = f"/cases/{quote(case_id)}"
    try:
        rt.desk().fire(case_id, trigger, who.actor or "", reason=reason, failed=failed)
    except LedeskError as exc:
        return RedirectResponse(f"{where}?error={quote(exc.message)}", status_code=303)
    return RedirectResponse(f"{where}?done={quote(trigger)}", status_code=303)
