"""Connections: an ambassador links their LinkedIn, X or Mastodon account (OAuth 2.0 with
PKCE), lists and disconnects them. Share-intent networks (Facebook, Instagram, WhatsApp,
XING) need no connection.

The callback is the one route without a bearer token: the network redirects the browser
there and cannot carry our token. The `state` parameter is the binding instead: random,
stored hashed, single use, tied to the ambassador who started the authorization and
expiring after 10 minutes (`oauth_state_ttl_s`); the PKCE verifier never leaves the server.
"""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import RedirectResponse, Response

from resonance.common.domain_errors import DomainError
from resonance.common.paging import DEFAULT_LIMIT, MAX_LIMIT
from resonance.sharing.api.deps import Ambassador, Nets, Rt
from resonance.sharing.api.schemas_connections import (
    AuthorizationOut,
    ConnectionOut,
    ConnectionPageOut,
)
from resonance.sharing.service import connections
from resonance.sharing.store.tables import Connection

router = APIRouter(prefix="/v1/connections", tags=["connections"])

NetworkName = Annotated[
    str,
    Path(
        pattern=r"^[a-z]{1,20}$",
        description="linkedin, x or mastodon",
        examples=["linkedin"],
    ),
]
PROBLEMS = {
    404: {"description": "No such connection of the caller (or another tenant's)"},
    422: {"description": "Unknown network, or one shared through its share page"},
}


def _out(row: Connection) -> ConnectionOut:
    return ConnectionOut(
        id=row.id,
        network=row.network,
        network_user_id=row.network_user_id,
        display_name=row.display_name,
        username=row.username,
        audience_size=row.audience_size,
        status=row.status,
        reason=row.reason,
        scopes=list(row.scopes),
        expires_at=row.expires_at,
        connected_at=row.connected_at,
    )


@router.post(
    "/{network}/authorize",
    response_model=AuthorizationOut,
    summary="Start connecting an account: the URL to open in the browser",
    responses={422: PROBLEMS[422]},
)
async def authorize(
    network: NetworkName, principal: Ambassador, rt: Rt, nets: Nets
) -> AuthorizationOut:
    async with rt.unit_of_work() as uow:
        started = await connections.start_authorization(uow, nets, principal, network)
    return AuthorizationOut(authorization_url=started.url, expires_in=started.expires_in)


@router.get(
    "/{network}/callback",
    response_model=ConnectionOut,
    summary="Where the network sends the browser back (no bearer token: `state` binds it)",
    description=(
        "Completes the connection: consumes the single-use `state`, trades the code (PKCE), "
        "reads the account and stores the tokens sealed. Answers the connection as JSON, or "
        "303 to the configured app page (`connected_redirect_url`) with `network`, "
        "`connection` and `status` (or `error`, a problem slug) in the query."
    ),
    responses={
        303: {"description": "Back to the app (when connected_redirect_url is set)"},
        422: {"description": "Unknown, used or expired state; access refused"},
        503: {"description": "The network did not answer"},
    },
)
async def callback(
    network: NetworkName,
    rt: Rt,
    nets: Nets,
    state: Annotated[str, Query(min_length=8, max_length=200)],
    code: Annotated[str | None, Query(max_length=2000)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> Response | ConnectionOut:
    back = rt.settings.connected_redirect_url
    try:
        done = await connections.complete_authorization(
            rt, nets, network, code=code, state=state, error=error
        )
    except DomainError as exc:
        if not back:
            raise
        query = urlencode({"network": network, "error": exc.slug})
        return RedirectResponse(f"{back}?{query}", status_code=status.HTTP_303_SEE_OTHER)
    if done.return_to:
        query = urlencode(
            {"network": network, "connection": done.connection.id, "status": "connected"}
        )
        return RedirectResponse(f"{done.return_to}?{query}", status_code=status.HTTP_303_SEE_OTHER)
    return _out(done.connection)


@router.get(
    "",
    response_model=ConnectionPageOut,
    summary="The caller's connected accounts, by network",
    responses={422: {"description": "A cursor this service did not issue (`invalid-cursor`)"}},
)
async def list_connections(
    principal: Ambassador,
    rt: Rt,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None, Query(min_length=1, max_length=200, description="next_cursor of the last page")
    ] = None,
) -> ConnectionPageOut:
    async with rt.unit_of_work() as uow:
        page = await connections.list_connections(uow, principal, limit, cursor)
    return ConnectionPageOut(
        items=[_out(r) for r in page.connections], next_cursor=page.next_cursor
    )


@router.delete(
    "/{connection_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Disconnect: revoke at the network where possible and delete the tokens",
    responses={404: PROBLEMS[404]},
)
async def disconnect(
    connection_id: Annotated[str, Path(max_length=64)], principal: Ambassador, rt: Rt, nets: Nets
) -> Response:
    await connections.disconnect(rt, nets, principal, connection_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
