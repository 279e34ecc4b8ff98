"""How the API answers a refusal: 401 no or bad token, 403 the token's role may not (the role guard),
404 nothing there (or not yours), 409 the case's state does not allow it or someone changed the case at
the same moment, 422 a rule refused (the guard is named) or the input is malformed, 413 too large, 429
too many failed tokens from one address or for one token id (api.throttle). No stack trace reaches a client."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ledesk.states.errors import (
    BadInput,
    ConcurrentChange,
    GuardRefused,
    InvalidTrigger,
    LedeskError,
    NotFound,
    Refused,
)

ROLE_GUARDS = frozenset({"actor_role", "known_actor"})  # states.roles: answered 403 everywhere


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, guard: str | None = None,
                 retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.guard = status, code, message, guard
        self.retry_after = retry_after


def status_of(exc: LedeskError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if exc.code == "download_closed":  # the production was given out for a window that is over
        return 410
    if isinstance(exc, ConcurrentChange | InvalidTrigger):
        return 409
    if isinstance(exc, GuardRefused):
        return 403 if exc.guard in ROLE_GUARDS else 422
    if isinstance(exc, Refused):
        return 422
    return 422 if isinstance(exc, BadInput) else 400


def error_body(code: str, message: str, guard: str | None = None) -> dict[str, Any]:
    return {"error": message, "code": code, **({"guard": guard} if guard else {})}


def _a_page(request: Request) -> bool:
    """A person's browser asked (the web UI or the portal), not a script (the API under /v1)."""
    return not request.url.path.startswith(("/v1", "/health", "/openapi", "/docs"))


def _not_found_page(request: Request) -> Response:
    from ledesk.api.web.session import not_found

    return not_found(request, request.app.state.rt)


def install(app: FastAPI) -> None:
    """The exception handlers that turn every refusal into its status and a JSON error body."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
        if exc.retry_after:
            headers["Retry-After"] = str(exc.retry_after)
        return JSONResponse(error_body(exc.code, exc.message, exc.guard), status_code=exc.status, headers=headers)

    @app.exception_handler(LedeskError)
    async def _ledesk_error(request: Request, exc: LedeskError) -> Response:
        if isinstance(exc, NotFound) and _a_page(request):
            return _not_found_page(request)
        return JSONResponse(error_body(exc.code, exc.message, getattr(exc, "guard", None)),
                            status_code=status_of(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:10])
        return JSONResponse(error_body("bad_input", problems), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404 and _a_page(request):
            return _not_found_page(request)
        return JSONResponse(error_body("http", str(exc.detail)), status_code=exc.status_code)
