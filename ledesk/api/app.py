"""The HTTP API (`/v1/`, OpenAPI at /openapi.json) and, from api.web, the reviewers' web UI: a thin shell
over the same domain calls as the CLI, so the same guards decide and the same audit log records.

Errors: 401 no or bad token, 403 the token's role may not, 404 nothing there (or not yours), 409 the
case's state does not allow it or someone changed the case at the same moment, 422 a rule refused (the
guard is named) or the input is malformed, 413 too large. No stack trace reaches a client."""


import base64
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from starlette.exceptions import HTTPException as StarletteHTTPException

from ledesk.cli.runtime import Runtime
from ledesk.states.errors import (
    BadInput,
    ConcurrentChange,
    GuardRefused,
    InvalidTrigger,
    LedeskError,
    NotFound,
    Refused,
)
from ledesk.states.tokens import Principal, resolve

log = logging.getLogger("ledesk.api")
MAX_JSON_BYTES = 1_000_000
MAX_UPLOAD_BYTES = 20_000_000  # a filled form with its attachments; the form guard has its own caps


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, guard: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.guard = status, code, message, guard


def _status_of(exc: LedeskError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, ConcurrentChange | InvalidTrigger):
        return 409
    if isinstance(exc, GuardRefused):
        return 403 if exc.guard == "actor_role" else 422
    if isinstance(exc, Refused):
        return 422
    return 422 if isinstance(exc, BadInput) else 400


def error_body(code: str, message: str, guard: str | None = None) -> dict[str, Any]:
    return {"error": message, "code": code, **({"guard": guard} if guard else {})}


# -- request models ----------------------------------------------------------------------------------
class AttachmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    filename: str = Field(min_length=1, max_length=200, pattern=r"^[^/\\\x00]+$")
    content_base64: str = Field(max_length=MAX_JSON_BYTES)


class TriggerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(default="", max_length=4000)
    failed: bool = False
    attachment: AttachmentIn | None = None


class NondisclosureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    until: str | None = Field(default=None, max_length=10, pattern=r"^\d{4}-\d{2}-\d{2}$")
    indefinite: bool = False
    reason: str = Field(default="", max_length=4000)


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reviewer: str = Field(min_length=1, max_length=100)


# -- the app ------------------------------------------------------------------------------------------
def create_app(rt: Runtime | None = None) -> FastAPI:
    rt = rt or Runtime()
    app = FastAPI(title="LE Desk", version="1", description=__doc__)
    app.state.rt = rt

    @app.middleware("http")
    async def limit_size(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        limit = MAX_UPLOAD_BYTES if request.url.path.startswith(("/v1/submissions", "/cases/")) else MAX_JSON_BYTES
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            return JSONResponse(error_body("too_large", f"request body over {limit:,} bytes"), status_code=413)
        try:
            return await call_next(request)
        except Exception:  # the last net: log it here, tell the client nothing about the inside
            log.exception("unhandled error on %s %s", request.method, request.url.path)
            return JSONResponse(error_body("internal", "internal error; it has been logged"), status_code=500)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse(error_body(exc.code, exc.message, exc.guard), status_code=exc.status, headers=headers)

    @app.exception_handler(LedeskError)
    async def _ledesk_error(request: Request, exc: LedeskError) -> Response:
        return JSONResponse(error_body(exc.code, exc.message, getattr(exc, "guard", None)),
                            status_code=_status_of(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:10])
        return JSONResponse(error_body("bad_input", problems), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        return JSONResponse(error_body("http", str(exc.detail)), status_code=exc.status_code)

    def principal(request: Request) -> Principal:
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else None
        if token is None:
            from ledesk.api.web import session_token

            token = session_token(request)
        if not token:
            raise ApiError(401, "unauthorized", "a bearer token is needed (ledesk tokens create ACTOR)")
        with rt.reader.connect() as conn:
            found = resolve(conn, token)
        if found is None:
            raise ApiError(401, "unauthorized", "the token is unknown or revoked")
        return found

    Who = Annotated[Principal, Depends(principal)]

    def staff(who: Principal) -> str:
        if who.actor is None:
            raise ApiError(403, "forbidden", "an authority token may only submit and read its own submissions")
        return who.actor

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    # -- authorities ------------------------------------------------------------------------------------
    @app.post("/v1/submissions", tags=["authorities"], status_code=201)
    async def submit(request: Request, who: Who) -> dict[str, Any]:
        """A request as JSON (the submission schema: `ledesk schema`) or a filled Word form
        (Content-Type application/vnd.openxmlformats-officedocument.wordprocessingml.document)."""
        if who.authority is None:
            raise ApiError(403, "forbidden", "only an authority's token submits requests")
        body = await request.body()
        if len(body) > MAX_UPLOAD_BYTES:
            raise ApiError(413, "too_large", f"request body over {MAX_UPLOAD_BYTES:,} bytes")
        kind = request.headers.get("content-type", "").split(";")[0].strip()
        filename = "submission.docx" if kind.endswith("wordprocessingml.document") else "submission.json"
        from ledesk.intake.channels import intake_bytes
        from ledesk.models.tables import cases

        with rt.engine.begin() as conn:
            result = intake_bytes(conn, filename, body, rt.clock.now(), rt.policy, rt.calendar)
            owner = conn.execute(select(cases.c.authority_domain).where(cases.c.case_id == result["case_id"])
                                 ).scalar() if result.get("case_id") else None
            if owner != who.authority:  # raising here rolls the whole intake back
                raise ApiError(403, "forbidden", "the submission's sender is not of the authority this token is for")
        return _status_view(result)

    @app.get("/v1/submissions/{case_id}", tags=["authorities"])
    def submission_status(case_id: str, who: Who) -> dict[str, Any]:
        from ledesk.models.tables import cases

        with rt.reader.connect() as conn:
            row = conn.execute(select(cases.c.case_id, cases.c.state, cases.c.kind, cases.c.received_at,
                                      cases.c.updated_at, cases.c.deficiencies, cases.c.authority_domain)
                               .where(cases.c.case_id == case_id)).first()
        # Another authority's case, or a staff member asking here, looks exactly like no case at all.
        if row is None or who.authority is None or row.authority_domain != who.authority:
            raise ApiError(404, "not_found", f"no submission {case_id}")
        return {"case_id": row.case_id, "status": row.state, "kind": row.kind,
                "received_at": _iso(row.received_at), "updated_at": _iso(row.updated_at),
                "deficiencies": row.deficiencies or []}

    # -- reviewers --------------------------------------------------------------------------------------
    @app.get("/v1/cases", tags=["reviewers"])
    def queue(who: Who, state: str | None = None, kind: str | None = None, due_before: datetime | None = None,
              assigned_to: str | None = None, open_only: bool = False, limit: int = 200) -> dict[str, Any]:
        from ledesk.states.queries import list_cases

        staff(who)
        if not 1 <= limit <= 1000:
            raise ApiError(422, "bad_input", "limit takes 1 to 1000")
        if due_before is not None and due_before.tzinfo is None:
            raise ApiError(422, "bad_input", "due_before needs an offset (e.g. 2026-12-01T09:00:00+09:00)")
        with rt.reader.connect() as conn:
            rows = list_cases(conn, state=state, due_before=due_before, limit=limit, open_only=open_only, kind=kind,
                              assigned_to=assigned_to)
        return {"cases": rows}

    @app.get("/v1/cases/{case_id}", tags=["reviewers"])
    def case_detail(case_id: str, who: Who) -> dict[str, Any]:
        staff(who)
        return show_case(rt, case_id, who.roles)

    @app.post("/v1/cases/{case_id}/triggers/{trigger}", tags=["reviewers"])
    def fire(case_id: str, trigger: str, body: TriggerIn, who: Who) -> dict[str, Any]:
        actor = staff(who)
        from ledesk.states.machine import TRIGGERS

        if trigger not in TRIGGERS:
            raise ApiError(404, "not_found", f"no trigger {trigger!r}; triggers are: {', '.join(TRIGGERS)}")
        attachment = None
        if body.attachment is not None:
            from ledesk.states.attempt import Attachment

            try:
                content = base64.b64decode(body.attachment.content_base64, validate=True)
            except ValueError:
                raise ApiError(422, "bad_input", "attachment.content_base64 is not base64") from None
            attachment = Attachment(body.attachment.filename, content)
        rt.desk().fire(case_id, trigger, actor, reason=body.reason, attachment=attachment, failed=body.failed)
        return show_case(rt, case_id, who.roles)

    @app.post("/v1/cases/{case_id}/nondisclosure", tags=["reviewers"])
    def nondisclosure(case_id: str, body: NondisclosureIn, who: Who) -> dict[str, Any]:
        from datetime import date

        from ledesk.states.engine import system_attempt
        from ledesk.states.nondisclosure import record_order

        actor = staff(who)
        _exists(rt, case_id)
        if (body.until is None) == (not body.indefinite):
            raise ApiError(422, "bad_input", "give exactly one of until (a date) or indefinite")
        try:
            until = date.fromisoformat(body.until) if body.until else None
        except ValueError:
            raise ApiError(422, "bad_input", f"until: {body.until!r} is not a date") from None
        attempt = system_attempt("nondisclosure", rt.clock.now(), rt.policy, rt.calendar, reason=body.reason)
        attempt.actor = actor
        with rt.engine.begin() as conn:
            record_order(conn, case_id, until, body.indefinite, attempt)
        return show_case(rt, case_id, who.roles)

    @app.post("/v1/cases/{case_id}/assign", tags=["reviewers"])
    def assign(case_id: str, body: AssignIn, who: Who) -> dict[str, Any]:
        from ledesk.states.admin import assign as assign_case

        actor = staff(who)
        if not who.roles & {"reviewer", "approver", "admin"}:
            raise ApiError(403, "forbidden", "assigning cases needs the reviewer, approver or admin role")
        with rt.engine.begin() as conn:
            return assign_case(conn, case_id, body.reviewer, actor, rt.clock.now())

    def compliance(who: Principal) -> str:
        from ledesk.api.web import REPORT_ROLES

        actor = staff(who)
        if not who.roles & REPORT_ROLES:
            raise ApiError(403, "forbidden", "reports need the reviewer, approver or admin role")
        return actor

    @app.get("/v1/reports/transparency", tags=["reports"])
    def transparency_rows(who: Who, date_from: Annotated[date, Query(alias="from")],
                          date_to: Annotated[date, Query(alias="to")]) -> dict[str, Any]:
        """The transparency report's rows (the CSV's), for Seoul dates `from` to `to`, both included."""
        from ledesk.reports import transparency

        compliance(who)
        with rt.reader.connect() as conn:
            return transparency.report(conn, date_from, date_to, rt.calendar)

    @app.get("/v1/reports/{ledger}", tags=["reports"])
    def statutory_figures(ledger: Literal["pcsa", "tba"], half: str, who: Who) -> dict[str, Any]:
        """A statutory half-year report's figures (half: YYYY-H1 or YYYY-H2). Reading them here does not
        count as producing the report: its reminder stands until the document is made."""
        from ledesk.reports import statutory

        compliance(who)
        with rt.reader.connect() as conn:
            return statutory.report(conn, ledger, half, rt.policy, rt.calendar, rt.clock.now())

    @app.get("/v1/cases/{case_id}/letters/{index}", tags=["reviewers"], response_class=FileResponse)
    def letter(case_id: str, index: int, who: Who) -> FileResponse:
        """The `index`-th letter of `show` as its rendered .docx; each download is an audit event."""
        actor = staff(who)
        path, kind = letter_file(rt, case_id, index, actor)
        return FileResponse(path, filename=f"{case_id}-{kind}.docx",
                            media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")

    @app.get("/v1/cases/{case_id}/export", tags=["reviewers"], response_class=Response)
    def export_package(case_id: str, who: Who) -> Response:
        """The disclosure package of a disclosed case as a zip (files, manifest.json with SHA-256, cover
        letter); the read of produced data is an audit event, as with `ledesk export`."""
        import io
        import tempfile
        import zipfile
        from pathlib import Path

        from ledesk.vault.production import export

        actor = staff(who)
        _exists(rt, case_id)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / case_id
            with rt.engine.begin() as conn:
                try:
                    export(conn, rt.vault(), case_id, folder, rt.clock.now(), actor)
                except LookupError as exc:
                    raise ApiError(409, "not_disclosed", str(exc)) from None
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in sorted(folder.rglob("*")):
                    if path.is_file():
                        archive.write(path, path.relative_to(folder.parent))
        return Response(buffer.getvalue(), media_type="application/zip",
                        headers={"Content-Disposition": f'attachment; filename="{case_id}.zip"'})

    from ledesk.api.web import mount_web

    mount_web(app, rt, principal)
    return app


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _status_view(result: dict[str, Any]) -> dict[str, Any]:
    """What an authority learns of its submission: the outcome, never our internal notes."""
    keep = ("case_id", "status", "state", "kind", "deficiencies", "duplicate_of", "linked_to")
    return {k: result[k] for k in keep if k in result}


def _exists(rt: Runtime, case_id: str) -> None:
    from ledesk.models.tables import cases

    with rt.reader.connect() as conn:
        if conn.execute(select(cases.c.case_id).where(cases.c.case_id == case_id)).first() is None:
            raise ApiError(404, "not_found", f"no case {case_id}")


def show_case(rt: Runtime, case_id: str, roles: frozenset[str]) -> dict[str, Any]:
    """The `show` document; an unknown case is NotFound from the store itself, which the API turns into 404."""
    from ledesk.states.queries import show

    with rt.reader.connect() as conn:
        return show(conn, case_id, rt.policy, rt.calendar, roles)


def letter_file(rt: Runtime, case_id: str, index: int, actor: str) -> tuple[str, str]:
    from pathlib import Path

    from ledesk.models.db import ledesk_home
    from ledesk.models.tables import letters
    from ledesk.states import audit

    _exists(rt, case_id)
    query = (select(letters.c.kind, letters.c.path, letters.c.docx_sha256)
             .where(letters.c.case_id == case_id).order_by(letters.c.id))
    with rt.reader.connect() as conn:
        rows = conn.execute(query).all()
    if not 0 <= index < len(rows):
        raise ApiError(404, "not_found", f"case {case_id} has {len(rows)} letters")
    if not rows[index].path or not Path(rows[index].path).is_file():  # rendered on first need
        from ledesk.letters.render import render_pending

        render_pending(rt.engine, ledesk_home(), rt.policy.provider_name, rt.calendar.zone)
        with rt.reader.connect() as conn:
            rows = conn.execute(query).all()
    row = rows[index]
    if not row.path or not Path(row.path).is_file():
        raise ApiError(404, "not_found", "the letter is not rendered yet")
    with rt.engine.begin() as conn:
        audit.append(conn, [audit.EventDraft(case_id, "letter_downloaded", actor, rt.clock.now(),
                                             reason=row.kind, data={"sha256": row.docx_sha256})])
    return str(row.path), str(row.kind)
