"""`OPTIONS` on any /scim/v2 resource: 204 with an `Allow` header naming every method the
resource supports (without it, the framework answers 405 naming a single method)."""

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.routing import Match

from resonance.ambassadors.api.scim_support import ScimError, error_body, scim_response

PREFIX = "/scim/v2"
router = APIRouter(prefix=PREFIX, tags=["scim"])
CANDIDATES = ("GET", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> list[str]:
    """The methods some route of the app answers at the request's path (asking the router
    itself, so included routers and path parameters match as they do for real requests)."""
    # This module's own catch-all matches everything: it is the route that matches a path
    # no resource has.
    nowhere = {**request.scope, "path": f"{PREFIX}/-/no/such/resource", "method": "GET"}
    routes = [r for r in request.app.router.routes if r.matches(nowhere)[0] != Match.FULL]
    allowed = [
        method
        for method in CANDIDATES
        if any(r.matches({**request.scope, "method": method})[0] == Match.FULL for r in routes)
    ]
    return [*allowed, "OPTIONS"] if allowed else []


@router.api_route("/{path:path}", methods=["OPTIONS", *CANDIDATES], include_in_schema=False)
async def options(path: str, request: Request) -> Response:
    """Registered last, so it sees only what no other SCIM route answered: OPTIONS anywhere,
    and other methods at paths or with methods nothing serves (404, or 405 with `Allow`)."""
    allowed = allowed_methods(request)
    if not allowed:
        raise ScimError(404, f"no SCIM resource at {request.url.path}")
    header = {"Allow": ", ".join(allowed)}
    if request.method == "OPTIONS":
        return Response(status_code=204, headers=header)
    detail = f"{request.method} is not supported here"
    return scim_response(error_body(405, detail), 405, headers=header)
