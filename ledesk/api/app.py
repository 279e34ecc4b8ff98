"""The HTTP API (`/v1/`, OpenAPI at /openapi.json) and the reviewers' web UI (ledesk.api.web): thin
shells over the same service layer as the CLI, so the same guards decide and the same audit log records.
api.errors says how each refusal is answered."""

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from ledesk.api import errors
from ledesk.api.errors import error_body
from ledesk.api.limits import RequestLimits
from ledesk.api.routes import cases, health, reports, submissions
from ledesk.api.web import mount_web
from ledesk.bootstrap import Runtime, private_files

log = logging.getLogger("ledesk.api")


def create_app(rt: Runtime | None = None) -> FastAPI:
    private_files()
    app = FastAPI(title="LE Desk", version="1", description=__doc__)
    app.state.rt = rt or Runtime()

    @app.middleware("http")
    async def last_net(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        try:
            return await call_next(request)
        except Exception:  # the last net: log it here, tell the client nothing about the inside
            log.exception("unhandled error on %s %s", request.method, request.url.path)
            return JSONResponse(error_body("internal", "internal error; it has been logged"), status_code=500)

    errors.install(app)
    for router in (health.router, submissions.router, cases.router, reports.router):
        app.include_router(router)
    mount_web(app)
    described = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:  # built once (FastAPI keeps it): add what the submission body refers to
            described().setdefault("components", {}).setdefault("schemas", {}).update(
                submissions.schema_components())
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_middleware(RequestLimits)  # outermost: limits hold before anything reads the body
    return app
