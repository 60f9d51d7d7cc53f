"""Tracked links: the public redirect behind every shared post's link.

`GET /l/{code}` is one of two routes without a bearer token (with the OAuth callback): the
people clicking a post's link are the public, not users of ours. It reveals nothing but the
item's public address, codes are unguessable (72 random bits), and it never writes in the
request: counting happens later, from an in-process queue (service/links.py).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse

from resonance.sharing.api.deps import Rt
from resonance.sharing.service import links

router = APIRouter(tags=["links"])

# A code is 12 URL-safe characters; anything else is refused before any lookup.
Code = Annotated[str, Path(min_length=1, max_length=64, examples=["Xc8_k2LmQw0a"])]


DESCRIPTION = (
    "Answers 302 to the shared item's address with `utm_source` (the network), "
    "`utm_medium`, `utm_campaign` (the campaign, if any) and `utm_content` (the share id) "
    "added; the address's own parameters are kept. Only a GET by a person counts as a "
    "click: HEAD, bots and link unfurlers, prefetches and repeat visits by the same "
    "visitor within the click window do not. No address or user agent is stored: a "
    "visitor is a salted hash that changes every day."
)
RESPONSES: dict[int | str, dict[str, Any]] = {
    302: {"description": "To the item, with UTM parameters"},
    404: {"description": "No such link (`link-not-found`)"},
}


async def _redirect(code: str, request: Request, rt: Rt) -> RedirectResponse:
    location = await links.follow(
        rt,
        code,
        method=request.method,
        ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
        headers=request.headers,
    )
    # Nobody should cache the redirect: each click must reach us to be counted.
    return RedirectResponse(location, status_code=302, headers={"Cache-Control": "no-store"})


@router.get(
    "/l/{code}",
    status_code=302,
    response_class=RedirectResponse,
    summary="Follow a tracked link (public, no token)",
    description=DESCRIPTION,
    responses=RESPONSES,
    openapi_extra={"security": []},
)
async def follow(code: Code, request: Request, rt: Rt) -> RedirectResponse:
    return await _redirect(code, request, rt)


@router.head(
    "/l/{code}",
    status_code=302,
    response_class=RedirectResponse,
    summary="Probe a tracked link (link checkers, unfurlers): same answer, never counted",
    description=DESCRIPTION,
    responses=RESPONSES,
    openapi_extra={"security": []},
)
async def probe(code: Code, request: Request, rt: Rt) -> RedirectResponse:
    return await _redirect(code, request, rt)
