"""SCIM plumbing: error bodies, media type, authentication, request parsing, paging."""

import inspect
import json
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import ValidationError
from scim2_models import Error, SCIMException
from starlette.exceptions import HTTPException as StarletteHTTPException

from resonance.ambassadors.domain.scim_protocol import ScimConflict, ScimRefused
from resonance.ambassadors.service.scim_resources import StoredResourceInvalid
from resonance.ambassadors.service.scim_search import Page
from resonance.common.auth import Principal, Role, authenticate, bearer_scheme
from resonance.common.domain_errors import DomainError, Invalid
from resonance.common.errors import Problem

SCIM_JSON = "application/scim+json"
SCIM_PREFIX = "/scim/v2"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


class ScimError(Exception):
    """Raise inside /scim/v2 to answer with an RFC 7644 §3.12 error body."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type

    @classmethod
    def from_exception(cls, exc: SCIMException) -> "ScimError":
        error = exc.to_error()
        return cls(int(error.status or 400), error.detail or str(exc), error.scim_type)

    @classmethod
    def from_validation(cls, exc: ValidationError) -> "ScimError":
        errors = Error.from_validation_errors(exc)
        first = errors[0] if errors else None
        detail = "; ".join(e.detail or "" for e in errors) or "invalid resource"
        return cls(
            int(first.status or 400) if first else 400,
            detail,
            (first.scim_type if first else None) or "invalidValue",
        )


def scim_error_of(exc: DomainError) -> ScimError:
    """A refusal of the use cases in SCIM's terms: what breaks a rule is a 400 `invalidValue`
    (RFC 7644 §3.12 has no 422), SCIM's own refusals keep their scimType, the rest keeps its
    status with no scimType."""
    scim_type: str | None = None
    if isinstance(exc, ScimRefused | ScimConflict):
        scim_type = exc.scim_type
    elif isinstance(exc, Invalid):
        scim_type = "invalidValue"
    return ScimError(400 if isinstance(exc, Invalid) else exc.status, exc.detail, scim_type)


def error_body(status: int, detail: str, scim_type: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    return body


def scim_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(body, status_code=status, media_type=SCIM_JSON, headers=headers)


async def _delegate(handler: Any, request: Request, exc: Exception) -> Response:
    """Hands an error outside /scim/v2 back to the problem+json handler it had before."""
    answered = handler(request, exc)
    response: Response = await answered if inspect.isawaitable(answered) else answered
    return response


def install_scim_errors(app: FastAPI) -> None:
    """SCIM clients read SCIM error bodies: refusals of the use cases and framework errors
    under /scim/v2 (unknown route, wrong method, unparsable parameter) are answered in that
    format too."""

    def answer(exc: ScimError) -> Response:
        headers = {"WWW-Authenticate": 'Bearer realm="resonance"'} if exc.status == 401 else None
        return scim_response(error_body(exc.status, exc.detail, exc.scim_type), exc.status, headers)

    @app.exception_handler(ScimError)
    async def _scim_error(request: Request, exc: ScimError) -> Response:
        return answer(exc)

    problem_domain = app.exception_handlers[DomainError]
    problem_http = app.exception_handlers[StarletteHTTPException]
    problem_validation = app.exception_handlers[RequestValidationError]

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        if not request.url.path.startswith(SCIM_PREFIX):
            return await _delegate(problem_domain, request, exc)
        return answer(scim_error_of(exc))

    @app.exception_handler(StoredResourceInvalid)
    async def _unrepresentable(request: Request, exc: StoredResourceInvalid) -> Response:
        return answer(ScimError(500, str(exc)))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if not request.url.path.startswith(SCIM_PREFIX):
            return await _delegate(problem_http, request, exc)
        detail = exc.detail if isinstance(exc.detail, str) else "request refused"
        return scim_response(
            error_body(exc.status_code, detail), exc.status_code, getattr(exc, "headers", None)
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        if not request.url.path.startswith(SCIM_PREFIX):
            return await _delegate(problem_validation, request, exc)
        detail = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors()
        )
        return scim_response(error_body(400, detail or "invalid request", "invalidValue"), 400)


async def scim_principal(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer_scheme)
) -> Principal:
    """Bearer token of an HR integration (or an admin); the tenant comes from the token."""
    try:
        principal = await authenticate(request, credentials)
    except Problem as exc:
        raise ScimError(exc.status, exc.detail or exc.title) from exc
    if not principal.has_any(Role.INTEGRATION, Role.ADMIN):
        raise ScimError(403, "requires the integration role")
    return principal


async def read_json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        payload = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ScimError(400, "request body is not valid JSON", "invalidSyntax") from exc
    if not isinstance(payload, dict):
        raise ScimError(400, "request body must be a JSON object", "invalidSyntax")
    return payload


def _int_param(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise ScimError(400, f"{name} must be an integer", "invalidValue") from exc


@dataclass(frozen=True)
class Search:
    """A query, from GET parameters or a POST /.search body (RFC 7644 §3.4.2, §3.4.3)."""

    filter: str | None
    start: int
    count: int
    attributes: list[str] | None = None
    excluded_attributes: list[str] | None = None

    @property
    def page(self) -> Page:
        return Page(self.start, self.count)


def _paged(start: int | None, count: int | None, max_results: int) -> tuple[int, int]:
    """startIndex is 1-based and below 1 means 1; count below 0 means 0 (RFC 7644 §3.4.2.4)."""
    first = max(start or 1, 1)
    size = max_results if count is None else min(max(count, 0), max_results)
    return first, size


def search_from_query(request: Request, max_results: int) -> Search:
    start, count = _paged(
        _int_param(request, "startIndex"), _int_param(request, "count"), max_results
    )
    return Search(
        filter=request.query_params.get("filter") or None,
        start=start,
        count=count,
        attributes=attribute_list(request, "attributes"),
        excluded_attributes=attribute_list(request, "excludedAttributes"),
    )


def _body_int(payload: dict[str, Any], name: str) -> int | None:
    value = payload.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScimError(400, f"{name} must be an integer", "invalidValue")
    return value


def _body_names(payload: dict[str, Any], name: str) -> list[str] | None:
    value = payload.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ScimError(400, f"{name} must be a list of attribute names", "invalidValue")
    return value or None


def search_from_body(payload: dict[str, Any], max_results: int) -> Search:
    raw_filter = payload.get("filter")
    if raw_filter is not None and not isinstance(raw_filter, str):
        raise ScimError(400, "filter must be a string", "invalidFilter")
    start, count = _paged(
        _body_int(payload, "startIndex"), _body_int(payload, "count"), max_results
    )
    return Search(
        filter=raw_filter or None,
        start=start,
        count=count,
        attributes=_body_names(payload, "attributes"),
        excluded_attributes=_body_names(payload, "excludedAttributes"),
    )


def list_response(resources: list[dict[str, Any]], total: int, start: int) -> dict[str, Any]:
    return {
        "schemas": [LIST_RESPONSE],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


def attribute_list(request: Request, name: str) -> list[str] | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    return [a.strip() for a in raw.split(",") if a.strip()]
