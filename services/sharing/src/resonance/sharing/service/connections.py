"""Connecting, listing and disconnecting an ambassador's social accounts.

OAuth 2.0 authorization code with PKCE: `start_authorization` records a single-use `state`
(stored hashed) bound to the ambassador, with the PKCE verifier sealed, for 10 minutes;
`complete_authorization` consumes it, trades the code, reads the account and stores the
tokens sealed. Tokens never leave this module's callers in clear except towards the network.

Use cases that call a network take the runtime and open short units of work around the call
themselves: no transaction (nor row lock) stays open while a network answers, except the
X refresh, which must hold the connection's lock (see tokens.py).
"""

import hashlib
import secrets
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeAlias

from resonance.common.auth import Principal
from resonance.common.domain_errors import Invalid, NotFound, Unavailable
from resonance.common.events.catalogue import ConnectionConnected, ConnectionDisconnected
from resonance.common.paging import decode_cursor, next_cursor
from resonance.common.service import Runtime
from resonance.common.unit_of_work import UnitOfWork
from resonance.sharing.connectors.base import NetworkError, Rejected, Tokens, Unauthorized
from resonance.sharing.service.callers import ambassador_id_of as ambassador_of
from resonance.sharing.service.networks import Networks
from resonance.sharing.settings import SharingSettings
from resonance.sharing.store import connections as store
from resonance.sharing.store import views
from resonance.sharing.store.tables import CONNECTED, DISCONNECTED, Connection, OAuthState

Uow: TypeAlias = UnitOfWork[SharingSettings]
Rt: TypeAlias = Runtime[SharingSettings]


class AuthorizationRefused(Invalid):
    """The callback cannot be honoured: unknown, used or expired state, or a refused grant."""


@dataclass(frozen=True)
class Authorization:
    url: str
    expires_in: int


@dataclass(frozen=True)
class Connected:
    connection: Connection
    # Where to send the browser afterwards (None: answer JSON).
    return_to: str | None


def hash_state(state: str) -> str:
    # Stored hashed: a database read alone cannot complete someone else's authorization.
    return hashlib.sha256(state.encode()).hexdigest()


def redirect_uri(settings: SharingSettings, network: str) -> str:
    return f"{settings.redirect_uri_base.rstrip('/')}/v1/connections/{network}/callback"


async def start_authorization(
    uow: Uow, networks: Networks, actor: Principal, network: str
) -> Authorization:
    connector = networks.connector(network)
    ambassador_id = await ambassador_of(uow, actor)
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)  # 86 characters: within RFC 7636's 43 to 128
    ttl = uow.settings.oauth_state_ttl_s
    now = uow.now()
    await store.purge_states(uow.session, now - timedelta(days=1))
    uri = redirect_uri(uow.settings, connector.network)
    uow.session.add(
        OAuthState(
            state_hash=hash_state(state),
            tenant=actor.tenant,
            ambassador_id=ambassador_id,
            network=connector.network,
            code_verifier_sealed=networks.secrets.seal(verifier),
            redirect_uri=uri,
            return_to=uow.settings.connected_redirect_url or None,
            created_at=now,
            expires_at=now + timedelta(seconds=ttl),
        )
    )
    url = await connector.authorization_url(state, verifier, uri)
    return Authorization(url=url, expires_in=ttl)


async def _consume_state(uow: Uow, networks: Networks, network: str, state: str) -> OAuthState:
    row = await store.state(uow.session, hash_state(state))
    if row is None or row.network != network:
        raise AuthorizationRefused(
            "unknown authorization state", slug="authorization-state-unknown"
        )
    if row.used_at is not None:
        raise AuthorizationRefused(
            "this authorization was already completed", slug="authorization-state-used"
        )
    if row.expires_at <= uow.now():
        raise AuthorizationRefused("this authorization expired", slug="authorization-expired")
    row.used_at = uow.now()
    return row


async def complete_authorization(
    runtime: Rt,
    networks: Networks,
    network: str,
    *,
    code: str | None,
    state: str,
    error: str | None = None,
) -> Connected:
    """The callback: the state is the only binding to the ambassador (no bearer token can
    come with a browser redirect from the network)."""
    connector = networks.connector(network)
    async with runtime.unit_of_work() as uow:
        row = await _consume_state(uow, networks, connector.network, state)
        verifier = networks.secrets.open(row.code_verifier_sealed)
        tenant, ambassador_id = row.tenant, row.ambassador_id
        uri, return_to = row.redirect_uri, row.return_to
    if error or not code:
        raise AuthorizationRefused(
            f"the network did not grant access ({(error or 'no code')[:60]})",
            slug="authorization-denied",
        )
    try:
        tokens = await connector.exchange_code(code, verifier, uri)
        account = await connector.account(tokens.access_token)
    except (Rejected, Unauthorized) as exc:
        raise AuthorizationRefused(
            f"the network refused the authorization: {exc.detail[:200]}",
            slug="authorization-refused",
        ) from exc
    except NetworkError as exc:
        raise Unavailable(
            f"{connector.network} did not answer; try connecting again", slug="network-unavailable"
        ) from exc
    async with runtime.unit_of_work() as uow:
        # The person's enrolment may have arrived while the network answered: their
        # connection then belongs to their ambassador id, not the subject the state names.
        await store.lock_owner(uow.session, tenant, ambassador_id)
        owner = await views.ambassador_id_for_subject(uow.session, tenant, ambassador_id)
        ambassador_id = owner or ambassador_id
        connection = await store.of_owner(
            uow.session, tenant, ambassador_id, connector.network, lock=True
        )
        now = uow.now()
        if connection is None:
            connection = Connection(
                tenant=tenant,
                ambassador_id=ambassador_id,
                network=connector.network,
                network_user_id=account.user_id,
                connected_at=now,
            )
            uow.session.add(connection)
        else:
            connection.version += 1
        connection.network_user_id = account.user_id
        connection.display_name = account.name
        connection.username = account.username
        connection.audience_size = account.audience_size
        store_tokens(connection, networks, tokens)
        connection.status = CONNECTED
        connection.reason = None
        connection.expiry_announced = []
        connection.connected_at = now
        connection.updated_at = now
        await uow.session.flush()
        await uow.emit(
            tenant,
            ConnectionConnected(
                connection_id=connection.id,
                ambassador_id=ambassador_id,
                network=connector.network,
                audience_size=account.audience_size,
                connected_at=now,
            ),
        )
    return Connected(connection, return_to)


def store_tokens(
    connection: Connection, networks: Networks, tokens: Tokens, *, refreshed: bool = False
) -> None:
    """Seals and stores `tokens`. A refresh that answered no new refresh token keeps the
    current one (networks that do not rotate); a new grant replaces everything."""
    connection.access_token_sealed = networks.secrets.seal(tokens.access_token)
    if tokens.refresh_token is not None:
        connection.refresh_token_sealed = networks.secrets.seal(tokens.refresh_token)
    elif not refreshed:
        connection.refresh_token_sealed = None
    connection.expires_at = tokens.expires_at
    if tokens.scopes:
        connection.scopes = list(tokens.scopes)


def tokens_of(connection: Connection, networks: Networks) -> Tokens | None:
    if connection.access_token_sealed is None:
        return None
    refresh = connection.refresh_token_sealed
    return Tokens(
        access_token=networks.secrets.open(connection.access_token_sealed),
        refresh_token=networks.secrets.open(refresh) if refresh else None,
        expires_at=connection.expires_at,
        scopes=tuple(connection.scopes),
    )


@dataclass(frozen=True)
class ConnectionPage:
    connections: Sequence[Connection]
    next_cursor: str | None


async def list_connections(
    uow: Uow, actor: Principal, limit: int, cursor: str | None
) -> ConnectionPage:
    """The caller's connections by network, a page at a time after `cursor`."""
    after = decode_cursor(cursor, str, str) if cursor else None
    ambassador_id = await ambassador_of(uow, actor)
    found = await store.listed(
        uow.session, actor.tenant, ambassador_id, (after[0], after[1]) if after else None, limit + 1
    )
    return ConnectionPage(found[:limit], next_cursor(found, limit, lambda c: (c.network, c.id)))


async def disconnect(runtime: Rt, networks: Networks, actor: Principal, connection_id: str) -> None:
    """Revokes the grant at the network where it can be (best effort: the tokens are deleted
    here whatever the network answers), then forgets the tokens."""
    async with runtime.unit_of_work() as uow:
        ambassador_id = await ambassador_of(uow, actor)
        found = await store.owned(uow.session, actor.tenant, ambassador_id, connection_id)
        if found is None or found.status == DISCONNECTED:
            raise NotFound("connection not found", slug="connection-not-found")
        tokens = tokens_of(found, networks)
    if tokens is not None:
        # Best effort: if the network fails, it keeps a dead grant; ours is gone either way.
        with suppress(NetworkError):
            await networks.connectors[found.network].revoke(tokens)
    async with runtime.unit_of_work() as uow:
        await forget(uow, actor.tenant, ambassador_id, connection_id)


async def forget(uow: Uow, tenant: str, ambassador_id: str, connection_id: str) -> bool:
    """Deletes a connection's tokens and announces it (also used on erasure)."""
    row = await store.owned(uow.session, tenant, ambassador_id, connection_id, lock=True)
    if row is None or row.status == DISCONNECTED:
        return False
    row.access_token_sealed = None
    row.refresh_token_sealed = None
    row.status = DISCONNECTED
    row.reason = "disconnected"
    row.updated_at = uow.now()
    row.version += 1
    await uow.emit(
        tenant,
        ConnectionDisconnected(
            connection_id=row.id, ambassador_id=ambassador_id, network=row.network
        ),
    )
    return True


async def erase(uow: Uow, networks: Networks, tenant: str, ambassador_id: str) -> int:
    """ambassador.erased: revoke every grant at its network (best effort, bounded by the
    network timeout; runs inside the event's transaction), delete the tokens and the account
    details. The rows stay, emptied, so shares keep a valid connection id."""
    erased = 0
    for row in await store.of_ambassador(uow.session, tenant, ambassador_id):
        tokens = tokens_of(row, networks)
        if tokens is not None and row.network in networks.connectors:
            with suppress(NetworkError):
                await networks.connectors[row.network].revoke(tokens)
        await forget(uow, tenant, ambassador_id, row.id)
        row.display_name = row.username = row.audience_size = None
        row.network_user_id = "erased"
        row.reason = "erased"
        erased += 1
    return erased
