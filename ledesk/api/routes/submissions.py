"""`/v1/submissions`: what an authority's token may do: submit, and read the status of its own requests."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from ledesk.api.bodies import MAX_UPLOAD_BYTES
from ledesk.api.deps import Rt, Who
from ledesk.api.errors import ApiError
from ledesk.services.intake import IntakeResult
from ledesk.states.principal import Principal

router = APIRouter(prefix="/v1/submissions", tags=["authorities"])
DOCX = "wordprocessingml.document"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument." + DOCX


def schema_components() -> dict[str, Any]:
    """The submission's JSON schema (`ledesk schema`) as OpenAPI components: the body the route declares.
    The route reads its body itself (JSON or a .docx form), so the declaration is for readers and clients."""
    from ledesk.models.submission import Submission

    schema = Submission.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
    defs = schema.pop("$defs", {})
    return {**defs, "Submission": schema}


BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/Submission"}},
    DOCX_TYPE: {"schema": {"type": "string", "format": "binary"}}}}}


@router.post("", status_code=201, openapi_extra=BODY)
async def submit(request: Request, who: Who, rt: Rt) -> dict[str, Any]:
    """A request as JSON (the submission schema: `ledesk schema`) or a filled Word form
    (Content-Type application/vnd.openxmlformats-officedocument.wordprocessingml.document)."""
    if who.authority is None:
        raise ApiError(403, "forbidden", "only an authority's token submits requests")
    body = await request.body()
    if len(body) > MAX_UPLOAD_BYTES:
        raise ApiError(413, "too_large", f"request body over {MAX_UPLOAD_BYTES:,} bytes")
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    filename = "submission.docx" if kind.endswith(DOCX) else "submission.json"
    return _status_view(rt.services.intake.take(filename, body, authority=who.authority, officer=officer_of(who)))


def officer_of(who: Principal) -> tuple[str, str] | None:
    """The officer an authority token was issued to: the submission names them."""
    return (who.officer, who.badge or "") if who.officer else None


@router.get("/{case_id}/production", response_class=StreamingResponse)
def production(case_id: str, who: Who, rt: Rt) -> StreamingResponse:
    """The signed production package (zip: data files and the production key, every one listed in
    manifest.json, and manifest.sig), for the authority of the case only, until the download window ends (410 after).
    Each download is an audit event."""
    if who.authority is None:
        raise ApiError(404, "not_found", f"no submission {case_id}")
    built = rt.services.productions.download(case_id, who.authority, who.name)
    return StreamingResponse(built.zip_chunks(), media_type="application/zip",
                             headers={"Content-Disposition": f'attachment; filename="{case_id}-production.zip"'})


@router.post("/{case_id}/production/receipt")
def production_receipt(case_id: str, who: Who, rt: Rt) -> dict[str, Any]:
    """The authority confirms it received the production."""
    if who.authority is None:
        raise ApiError(404, "not_found", f"no submission {case_id}")
    return rt.services.productions.confirm_receipt(case_id, who.authority, who.name)


@router.get("/{case_id}")
def submission_status(case_id: str, who: Who, rt: Rt) -> dict[str, Any]:
    # Another authority's case, or a staff member asking here, looks exactly like no case at all.
    found = rt.services.queries.requests_of(who.authority, case_id) if who.authority is not None else []
    if not found:
        raise ApiError(404, "not_found", f"no submission {case_id}")
    r = found[0]
    return {"case_id": r["case_id"], "status": r["state"], "kind": r["kind"], "received_at": r["received_at"],
            "updated_at": r["updated_at"], "deficiencies": r["missing"]}


def _status_view(result: IntakeResult) -> dict[str, Any]:
    """What an authority learns of its submission: the outcome, never our internal notes."""
    keep = ("case_id", "status", "state", "kind", "deficiencies", "duplicate_of", "linked_to")
    return {k: v for k, v in result.items() if k in keep}
