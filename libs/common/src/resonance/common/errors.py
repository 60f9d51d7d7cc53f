"""RFC 9457 problem+json for every error a service returns."""

import logging
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from resonance.common.db import RETRYABLE_CLASSES, sqlstate
from resonance.common.domain_errors import DomainError

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


def utc_now() -> datetime:
    return datetime.now(UTC)


PROBLEM_BASE = "https://resonance.dev/problems/"


class Problem(Exception):
    """Raise from anywhere in a request to answer with a problem document."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        type_: str | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail or title)
        self.headers = headers
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type_ or PROBLEM_BASE + title.lower().replace(" ", "-")
        self.extensions = extensions


def problem_response(
    status: int,
    title: str,
    detail: str | None = None,
    type_: str = "about:blank",
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update(extensions)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _titles(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _transient(state: str) -> bool:
    """Worth a retry by the client (the database was away, or picked this transaction as a
    deadlock's victim)."""
    return state[:2] in RETRYABLE_CLASSES


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        headers = None
        retry_at = getattr(exc, "retry_at", None)
        if retry_at is not None:
            headers = {"Retry-After": str(max(0, int((retry_at - utc_now()).total_seconds())))}
        return problem_response(
            exc.status,
            exc.title,
            exc.detail,
            PROBLEM_BASE + exc.slug,
            request.url.path,
            headers=headers,
            **exc.extensions,
        )

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(
            exc.status,
            exc.title,
            exc.detail,
            exc.type,
            request.url.path,
            headers=exc.headers,
            **exc.extensions,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else None
        return problem_response(
            exc.status_code,
            _titles(exc.status_code),
            detail,
            instance=request.url.path,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "location": [str(p) for p in err.get("loc", ())],
                "message": err.get("msg", ""),
                "type": err.get("type", ""),
            }
            for err in exc.errors()
        ]
        return problem_response(
            422,
            "Request validation failed",
            f"{len(errors)} invalid field(s)",
            PROBLEM_BASE + "validation",
            request.url.path,
            errors=errors,
        )

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> JSONResponse:
        # The transaction has rolled back, so nothing stored is lost; what remains is to say
        # whose fault it was. SQLSTATE class 22 (data exception: NUL byte in text, value out
        # of range, ...) and 23 (integrity) come from the request's content.
        state = sqlstate(exc)
        if state.startswith("22"):
            return problem_response(
                422,
                "Unprocessable value",
                "a value in the request cannot be stored (for example a NUL character)",
                PROBLEM_BASE + "unprocessable-value",
                request.url.path,
            )
        if state.startswith("23"):
            return problem_response(
                409,
                "Conflict",
                "the request conflicts with data already stored",
                PROBLEM_BASE + "conflict",
                request.url.path,
            )
        log.exception("database error on %s %s", request.method, request.url.path)
        return problem_response(
            503 if _transient(state) else 500,
            _titles(503 if _transient(state) else 500),
            instance=request.url.path,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(500, "Internal Server Error", instance=request.url.path)
