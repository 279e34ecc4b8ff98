"""A case page and its actions: exactly the triggers this person could fire now, in the legal team's words;
those that need a document as upload forms; the call-back as its own form."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ledesk.api.bodies import read_upload
from ledesk.api.deps import Rt
from ledesk.api.i18n import CONFIRM, refusal
from ledesk.api.web.session import StaffSession, csrf_of, form_sender, lang, page
from ledesk.intake.email import safe_name
from ledesk.models.enums import CaseState, Trigger
from ledesk.states.attempt import Attachment
from ledesk.states.errors import LedeskError
from ledesk.states.machine import TAKES_DOCUMENT

router = APIRouter(include_in_schema=False)
APPROVALS = {"approve_disclosure", "emergency_disclose"}
# Until a case is decided, its page shows what the data source holds and what notice an approval would plan.
UNDECIDED = {CaseState.RECEIVED, CaseState.INCOMPLETE, CaseState.PRESERVED, CaseState.AWAITING_LEGAL_PROCESS}


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: str, rt: Rt, who: StaffSession, done: str | None = None,
              error: str | None = None, guard: str | None = None, code: str | None = None) -> Response:
    doc = rt.services.queries.show(case_id, who.roles)
    me = who.actor or ""
    # Each trigger is tried under this person's name, so approving one's own recommendation is not offered;
    # the triggers that read a document are offered as upload forms instead.
    plain = [t for t in doc["allowed_triggers"] if t not in TAKES_DOCUMENT]
    buttons = rt.services.cases.pressable(case_id, plain, me, who.roles)
    uploads = [t for t in doc["allowed_triggers"] if t in TAKES_DOCUMENT]
    recommendation = next((h for h in reversed(doc["history"]) if h["trigger"] == "recommend_disclosure"), None)
    waiting_for_other = (doc["recommended_by"] == me and doc["state"] == CaseState.RECEIVED
                         and not any(b in APPROVALS for b in buttons))
    return page(request, rt, "case.html", who=who, case=doc, buttons=buttons, uploads=uploads, confirm=CONFIRM,
                recommendation=recommendation, waiting_for_other=waiting_for_other,
                reviewers=rt.services.queries.reviewers(),
                before=rt.services.queries.before_deciding(case_id) if doc["state"] in UNDECIDED else None,
                states=[s.value for s in CaseState], done=done, csrf=csrf_of(request),
                error=refusal(error, guard, lang(request), code) if error else None)


def _back(case_id: str, done: str | None = None, error: str | LedeskError | None = None) -> Response:
    where = f"/cases/{quote(case_id)}"
    if isinstance(error, LedeskError):  # the rule that refused travels with its message, to be said in words
        guard = getattr(error, "guard", None)
        return RedirectResponse(f"{where}?error={quote(error.message)}&code={quote(error.code)}"
                                + (f"&guard={quote(guard)}" if guard else ""), status_code=303)
    if error is not None:
        return RedirectResponse(f"{where}?error={quote(error)}", status_code=303)
    return RedirectResponse(f"{where}?done={quote(done or '')}", status_code=303)


@router.post("/cases/{case_id}/triggers/{trigger}")
def press(request: Request, case_id: str, trigger: str, rt: Rt, csrf: str = Form(max_length=100),
          reason: str = Form(default="", max_length=4000), failed: bool = Form(default=False),
          number_called: str = Form(default="", max_length=60), result: str = Form(default="", max_length=20),
          confirmed: str = Form(default="", max_length=10)) -> Response:
    who = form_sender(request, rt, csrf)
    if isinstance(who, Response):
        return who
    if trigger == Trigger.VERIFY_CALLBACK and (number_called or result):
        # The call-back form: the number called and the result go into the audit record with who answered.
        failed = failed or result == "failed"
        reason = f"called {number_called.strip() or '(number not given)'}: {reason.strip()}".strip()
    try:
        if confirmed != "yes":
            # No letter without a look: a step that sends one (or cannot be undone) shows what it sends first.
            letters = rt.services.cases.preview(case_id, trigger, who.actor or "", reason=reason, failed=failed)
            if letters or trigger in CONFIRM:
                plan = rt.services.queries.before_deciding(case_id)["notice"] if trigger in APPROVALS else None
                return page(request, rt, "preview.html", who=who, case_id=case_id, trigger=trigger, reason=reason,
                            failed=failed, letters=letters, csrf=csrf_of(request), plan=plan)
        rt.services.cases.fire(case_id, trigger, who.actor or "", reason=reason, failed=failed)
    except LedeskError as exc:
        return _back(case_id, error=exc)
    return _back(case_id, done=trigger)


@router.post("/cases/{case_id}/assign")
def assign(request: Request, case_id: str, rt: Rt, csrf: str = Form(max_length=100),
           reviewer: str = Form(max_length=100)) -> Response:
    """Give the case to a reviewer, as `ledesk assign` does (case staff only; the audit log keeps the history)."""
    who = form_sender(request, rt, csrf)
    if isinstance(who, Response):
        return who
    try:
        rt.services.cases.assign(case_id, reviewer, who.actor or "")
    except LedeskError as exc:
        return _back(case_id, error=exc)
    return _back(case_id, done="assigned")


@router.post("/cases/{case_id}/documents/{trigger}")
async def press_with_document(request: Request, case_id: str, trigger: str, rt: Rt,
                              csrf: Annotated[str, Form(max_length=100)],
                              file: Annotated[UploadFile | None, File()] = None,
                              reason: Annotated[str, Form(max_length=4000)] = "",
                              staged: Annotated[str, Form(max_length=40)] = "") -> Response:
    """cure, attach_legal_process, extend: the same triggers, with the document they read. The upload is
    held while its letters are shown (no letter without a look); "Confirm" fires the step with it."""
    from ledesk.api.web import staging

    who = form_sender(request, rt, csrf)
    if isinstance(who, Response):
        return who
    if trigger not in TAKES_DOCUMENT:
        return _back(case_id, error=f"{trigger} takes no document")
    me = who.actor or ""
    try:
        if staged:
            name, content = staging.take(staged, me)
            rt.services.cases.fire(case_id, trigger, me, reason=reason, attachment=Attachment(name, content))
            return _back(case_id, done=trigger)
        if file is None:
            return _back(case_id, error="choose the document to upload")
        name, content = await read_upload(file)
        letters = rt.services.cases.preview(case_id, trigger, me, reason=reason,
                                            attachment=Attachment(name, content))
        ticket = staging.stage(name, content, me)
    except LedeskError as exc:
        return _back(case_id, error=exc)
    return page(request, rt, "preview.html", who=who, case_id=case_id, trigger=trigger, reason=reason, failed=False,
                letters=letters, csrf=csrf_of(request), staged=ticket, document=name,
                action=f"/cases/{quote(case_id)}/documents/{trigger}")


@router.get("/cases/{case_id}/attachments/{index}")
def attachment(request: Request, case_id: str, index: int, rt: Rt, who: StaffSession) -> Response:
    name, content = rt.services.productions.document(case_id, index, who.actor or "")
    return Response(content, media_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{safe_name(name, index)}"',
                             "X-Content-Type-Options": "nosniff"})
