"""`/v1/cases`: the reviewers' queue, a case, its triggers, orders, assignment, letters and export."""

from __future__ import annotations

import base64
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse, StreamingResponse

from ledesk.api.bodies import AssignIn, NondisclosureIn, TriggerIn
from ledesk.api.deps import Rt, Who, staff
from ledesk.api.errors import ApiError
from ledesk.models.views import CaseList, CaseView
from ledesk.states.attempt import Attachment
from ledesk.states.machine import TRIGGERS

router = APIRouter(prefix="/v1/cases", tags=["reviewers"])
MAX_QUEUE = 1000
DOCX_MEDIA = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@router.get("")
def queue(who: Who, rt: Rt, state: str | None = None, kind: str | None = None, due_before: datetime | None = None,
          assigned_to: str | None = None, open_only: bool = False, limit: int = 200) -> CaseList:
    staff(who)
    if not 1 <= limit <= MAX_QUEUE:
        raise ApiError(422, "bad_input", f"limit takes 1 to {MAX_QUEUE}")
    if due_before is not None and due_before.tzinfo is None:
        raise ApiError(422, "bad_input", "due_before needs an offset (e.g. 2026-12-01T09:00:00+09:00)")
    return {"cases": rt.services.queries.cases(state=state, due_before=due_before, limit=limit,
                                               open_only=open_only, kind=kind, assigned_to=assigned_to)}


@router.get("/{case_id}")
def case_detail(case_id: str, who: Who, rt: Rt) -> CaseView:
    staff(who)
    return rt.services.queries.show(case_id, who.roles)


@router.post("/{case_id}/triggers/{trigger}")
def fire(case_id: str, trigger: str, body: TriggerIn, who: Who, rt: Rt) -> CaseView:
    actor = staff(who)
    if trigger not in TRIGGERS:
        raise ApiError(404, "not_found", f"no trigger {trigger!r}; triggers are: {', '.join(TRIGGERS)}")
    rt.services.cases.fire(case_id, trigger, actor, reason=body.reason, attachment=_attachment(body),
                           failed=body.failed)
    return rt.services.queries.show(case_id, who.roles)


def _attachment(body: TriggerIn) -> Attachment | None:
    if body.attachment is None:
        return None
    try:
        content = base64.b64decode(body.attachment.content_base64, validate=True)
    except ValueError:
        raise ApiError(422, "bad_input", "attachment.content_base64 is not base64") from None
    return Attachment(body.attachment.filename, content)


@router.post("/{case_id}/nondisclosure")
def nondisclosure(case_id: str, body: NondisclosureIn, who: Who, rt: Rt) -> CaseView:
    actor = staff(who)
    rt.services.queries.exists(case_id)
    if (body.until is None) == (not body.indefinite):
        raise ApiError(422, "bad_input", "give exactly one of until (a date) or indefinite")
    try:
        until = date.fromisoformat(body.until) if body.until else None
    except ValueError:
        raise ApiError(422, "bad_input", f"until: {body.until!r} is not a date") from None
    rt.services.cases.record_order(case_id, actor, until, body.indefinite, body.reason, reference=body.reference)
    return rt.services.queries.show(case_id, who.roles)


@router.post("/{case_id}/followup")
def followup(case_id: str, body: TriggerIn, who: Who, rt: Rt) -> CaseView:
    """The follow-up legal process of a disclosed emergency, as `attachment` (JSON with its legal basis)."""
    actor = staff(who)
    rt.services.cases.attach_followup(case_id, actor, _attachment(body), body.reason)
    return rt.services.queries.show(case_id, who.roles)


@router.post("/{case_id}/assign")
def assign(case_id: str, body: AssignIn, who: Who, rt: Rt) -> dict[str, Any]:
    return rt.services.cases.assign(case_id, body.reviewer, staff(who))


@router.get("/{case_id}/letters/{index}", response_class=FileResponse)
def letter(case_id: str, index: int, who: Who, rt: Rt) -> FileResponse:
    """The `index`-th letter of `show` as its rendered .docx; each download is an audit event."""
    path, kind = rt.services.productions.letter(case_id, index, staff(who))
    return FileResponse(path, filename=f"{case_id}-{kind}.docx", media_type=DOCX_MEDIA)


@router.get("/{case_id}/export", response_class=StreamingResponse)
def export_package(case_id: str, who: Who, rt: Rt) -> StreamingResponse:
    """The disclosure package of a disclosed case as a zip (files, manifest.json with SHA-256, cover
    letter), streamed from memory: no plaintext is written to a temporary folder. The read of produced
    data is an audit event, as with `ledesk export`, committed before the first byte is sent."""
    from ledesk.services.productions import NotDisclosed

    actor = staff(who)
    try:
        built = rt.services.productions.package(case_id, actor, "the API (download)")
    except NotDisclosed as exc:
        raise ApiError(409, "not_disclosed", exc.message) from None
    return StreamingResponse(built.zip_chunks(), media_type="application/zip",
                             headers={"Content-Disposition": f'attachment; filename="{case_id}.zip"'})
