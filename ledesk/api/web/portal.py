"""The authority portal under /portal: an officer signs in with their own token (issued with `ledesk tokens
create --authority DOMAIN --officer NAME --badge ID`), submits requests, follows them, answers deficiency
letters and sends legal process by upload, and downloads the signed production. An officer sees only their
authority's requests; anything else is not found. Its session cookie is its own: a portal session is never
a reviewer's, and a reviewer's never an officer's."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response, StreamingResponse

from ledesk.api.bodies import read_upload
from ledesk.api.deps import PORTAL_COOKIE, Rt
from ledesk.api.i18n import refusal, words
from ledesk.api.routes.submissions import officer_of
from ledesk.api.web.session import (
    CSRF_FAILED,
    OfficerSession,
    csrf_of,
    csrf_ok,
    end_session,
    form_sender,
    lang,
    not_found,
    page,
    token_signin,
)
from ledesk.bootstrap import Runtime
from ledesk.states.errors import BadInput, LedeskError, NotFound
from ledesk.states.principal import Principal

router = APIRouter(prefix="/portal", include_in_schema=False)
ACCEPTED = (".docx", ".json")


def _poster(request: Request, rt: Runtime, csrf: str) -> Principal | Response:
    return form_sender(request, rt, csrf, portal=True)


async def _upload(file: UploadFile) -> tuple[str, bytes]:
    if not (file.filename or "").lower().endswith(ACCEPTED):
        raise BadInput("upload a filled form (.docx) or a submission (.json)")
    return await read_upload(file)


def _mine(rt: Runtime, who: Principal) -> list[dict[str, object]]:
    """The officer's authority's requests, newest first."""
    assert who.authority is not None
    return rt.services.queries.requests_of(who.authority)


def _said(request: Request, message: str, guard: object = None, code: str | None = None) -> str:
    """A refusal to the officer: by its rule (or kind) in Korean on a Korean page, the details after."""
    return refusal(message, str(guard) if guard else None, lang(request), code)


def _render(request: Request, rt: Runtime, who: Principal, name: str, **context: object) -> Response:
    return page(request, rt, name, officer=who, csrf=csrf_of(request, PORTAL_COOKIE), **context)


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request, rt: Rt) -> Response:
    return page(request, rt, "portal_signin.html", error=None)


@router.post("/signin")
def signin(request: Request, rt: Rt, token: str = Form(max_length=200)) -> Response:
    return token_signin(request, rt, token, portal=True, template="portal_signin.html")


@router.post("/signout")
def signout(request: Request, rt: Rt, csrf: str = Form(max_length=100)) -> Response:
    if not csrf_ok(request, csrf, PORTAL_COOKIE):
        return Response(CSRF_FAILED, status_code=403)
    response = RedirectResponse("/portal/signin", status_code=303)
    end_session(response, request, rt, PORTAL_COOKIE)
    return response


@router.get("", response_class=HTMLResponse)
def requests(request: Request, rt: Rt, who: OfficerSession) -> Response:
    mine = _mine(rt, who)
    return _render(request, rt, who, "portal.html", requests=mine, done=request.query_params.get("done"),
                   error=None)


@router.post("/submit")
async def submit(request: Request, rt: Rt, file: Annotated[UploadFile, File()],
                 csrf: Annotated[str, Form(max_length=100)]) -> Response:
    who = _poster(request, rt, csrf)
    if isinstance(who, Response):
        return who
    assert who.authority is not None
    try:
        name, data = await _upload(file)
        result = rt.services.intake.take(name, data, authority=who.authority, officer=officer_of(who))
    except LedeskError as exc:
        mine = _mine(rt, who)
        return _render(request, rt, who, "portal.html", requests=mine, done=None,
                       error=_said(request, exc.message, getattr(exc, "guard", None), exc.code))
    if not result.get("case_id"):
        mine = _mine(rt, who)
        return _render(request, rt, who, "portal.html", requests=mine, done=None,
                       error=_said(request, str(result.get("reason") or result.get("status")), result.get("guard")))
    return RedirectResponse(f"/portal/{result['case_id']}?done={result.get('status', '')}", status_code=303)


MAX_FIELDS = 200  # the form has about 70 fields


@router.get("/new", response_class=HTMLResponse)
def new_request(request: Request, rt: Rt, who: OfficerSession) -> Response:
    """The request form as a page: the same fields as the .docx forms, from the same table."""
    from ledesk.intake.forms.fields import REPEATING, SECTIONS

    return _render(request, rt, who, "portal_new.html", sections=SECTIONS, repeating=REPEATING, error=None,
                   given=_from_token(who))


def _from_token(who: Principal) -> dict[str, str]:
    """The officer the token was issued to fills the form's officer (the submission is theirs whatever is typed)."""
    return {k: v for k, v in (("officer.name", who.officer), ("officer.badge_number", who.badge)) if v}


@router.post("/new")
async def new_request_sent(request: Request, rt: Rt) -> Response:
    import json

    from ledesk.intake.forms.fields import REPEATING, SECTIONS
    from ledesk.intake.forms.guard import FormError
    from ledesk.intake.forms.parse import read_fields
    from ledesk.intake.forms.problems import field_problems, labels

    async with request.form(max_fields=MAX_FIELDS, max_files=0) as form:
        given = {k: v for k, v in form.items() if isinstance(v, str)}
    who = _poster(request, rt, given.get("csrf", ""))
    if isinstance(who, Response):
        return who
    assert who.authority is not None
    problems = field_problems(given)
    if problems:
        return _render(request, rt, who, "portal_new.html", sections=SECTIONS, repeating=REPEATING, given=given,
                       error=words(lang(request))["fix_fields"], problems=problems, labels=labels(lang(request)))
    try:
        raw = read_fields(given)
        result = rt.services.intake.take("portal-form.json", json.dumps(raw).encode(),
                                         authority=who.authority, officer=officer_of(who))
    except (LedeskError, FormError) as exc:
        message = (_said(request, exc.message, getattr(exc, "guard", None), exc.code)
                   if isinstance(exc, LedeskError) else _said(request, str(exc), code="bad_input"))
        return _render(request, rt, who, "portal_new.html", sections=SECTIONS, repeating=REPEATING, error=message,
                       given=given)
    if not result.get("case_id"):
        return _render(request, rt, who, "portal_new.html", sections=SECTIONS, repeating=REPEATING,
                       error=str(result.get("reason") or result.get("status")), given=given)
    return RedirectResponse(f"/portal/{result['case_id']}?done={result.get('status', '')}", status_code=303)


def _one(rt: Runtime, who: Principal, case_id: str) -> dict[str, Any] | None:
    assert who.authority is not None
    return rt.services.queries.request_of(who.authority, case_id)


@router.get("/{case_id}", response_class=HTMLResponse)
def request_page(request: Request, case_id: str, rt: Rt, who: OfficerSession) -> Response:
    found = _one(rt, who, case_id)
    if found is None:
        return not_found(request, rt, portal=True)
    return _render(request, rt, who, "portal_case.html", r=found, done=request.query_params.get("done"), error=None)


@router.post("/{case_id}/document")
async def document(request: Request, case_id: str, rt: Rt, file: Annotated[UploadFile, File()],
                   csrf: Annotated[str, Form(max_length=100)]) -> Response:
    """The answer to a deficiency letter, or the legal process for a preservation: the same rules as the
    reviewers' `cure` and `attach_legal_process` (through intake, as an e-mail naming the case would)."""
    who = _poster(request, rt, csrf)
    if isinstance(who, Response):
        return who
    found = _one(rt, who, case_id)
    if found is None:
        return not_found(request, rt, portal=True)
    try:
        name, data = await _upload(file)
        result = rt.services.intake.take(name, data, authority=who.authority, officer=officer_of(who),
                                         related_case=case_id)
    except LedeskError as exc:
        return _render(request, rt, who, "portal_case.html", r=found, done=None,
                       error=_said(request, exc.message, getattr(exc, "guard", None), exc.code))
    if result.get("case_id") != case_id:  # it did not supplement this request (it opened another, or none)
        return _render(request, rt, who, "portal_case.html", r=_one(rt, who, case_id), done=None,
                       error=str(result.get("reason") or "the document does not answer this request"))
    if result.get("status") not in ("linked",):
        return _render(request, rt, who, "portal_case.html", r=_one(rt, who, case_id), done=None,
                       error=_said(request, str(result.get("reason") or result.get("status")), result.get("guard")))
    return RedirectResponse(f"/portal/{case_id}?done=linked", status_code=303)


@router.get("/{case_id}/letters/{index}")
def letter(request: Request, case_id: str, index: int, rt: Rt, who: OfficerSession) -> Response:
    """A letter the provider sent this authority about its request (never the user's notice)."""
    found = _one(rt, who, case_id)
    if found is None or index not in {x["index"] for x in found["letters"]}:
        return not_found(request, rt, portal=True)
    path, kind = rt.services.productions.letter(case_id, index, who.name)
    return FileResponse(path, filename=f"{case_id}-{kind}.docx",
                        media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")


@router.get("/{case_id}/production")
def production(request: Request, case_id: str, rt: Rt, who: OfficerSession) -> Response:
    assert who.authority is not None
    try:
        built = rt.services.productions.download(case_id, who.authority, who.name)
    except NotFound:
        return not_found(request, rt, portal=True)
    except LedeskError as exc:
        return Response(exc.message, status_code=410)
    return StreamingResponse(built.zip_chunks(), media_type="application/zip",
                             headers={"Content-Disposition": f'attachment; filename="{case_id}-production.zip"'})


@router.post("/{case_id}/receipt")
def receipt(request: Request, case_id: str, rt: Rt, csrf: str = Form(max_length=100)) -> Response:
    who = _poster(request, rt, csrf)
    if isinstance(who, Response):
        return who
    assert who.authority is not None
    try:
        rt.services.productions.confirm_receipt(case_id, who.authority, who.name)
    except NotFound:
        return not_found(request, rt, portal=True)
    return RedirectResponse(f"/portal/{case_id}?done=received", status_code=303)
