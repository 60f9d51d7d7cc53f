"""Usable access tokens for the workers: refreshed ahead of expiry where the network allows
(X), else the connection becomes `reauth_required` and the ambassador is told.

X refresh tokens are single use and rotate: two workers refreshing with the same one would
kill the grant. The refresh therefore runs under the connection row's lock, re-reads the row
first (someone may just have refreshed) and stores the new pair in the same transaction. If
the process dies between X's answer and the commit, the new refresh token is lost and the
next refresh fails: the connection then asks the ambassador to reconnect (no silent harm).
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TypeAlias

from resonance.common.events.catalogue import ConnectionReauthRequired
from resonance.common.service import Runtime
from resonance.common.unit_of_work import UnitOfWork
from resonance.sharing.connectors.base import NetworkError, Unauthorized
from resonance.sharing.service.connection_rules import is_expired, needs_refresh
from resonance.sharing.service.connections import store_tokens, tokens_of
from resonance.sharing.service.networks import Networks
from resonance.sharing.settings import SharingSettings
from resonance.sharing.store import connections as store
from resonance.sharing.store.tables import CONNECTED, REAUTH_REQUIRED, Connection

Uow: TypeAlias = UnitOfWork[SharingSettings]


class ReauthRequired(Exception):
    """The connection cannot be used until the ambassador reconnects."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Credentials:
    connection_id: str
    network: str
    network_user_id: str
    username: str | None
    access_token: str = field(repr=False)


def _credentials(row: Connection, access_token: str) -> Credentials:
    return Credentials(row.id, row.network, row.network_user_id, row.username, access_token)


async def mark_reauth_required(uow: Uow, row: Connection, reason: str) -> None:
    """Once per episode: a connection already waiting for the ambassador stays silent."""
    if row.status != CONNECTED:
        return
    row.status = REAUTH_REQUIRED
    row.reason = reason[:200]
    row.updated_at = uow.now()
    row.version += 1
    await uow.emit(
        row.tenant,
        ConnectionReauthRequired(
            connection_id=row.id,
            ambassador_id=row.ambassador_id,
            network=row.network,
            reason=row.reason,
        ),
    )


async def report_unauthorized(runtime: Runtime[SharingSettings], connection_id: str) -> None:
    """The network refused the connection's token and it cannot be refreshed."""
    async with runtime.unit_of_work() as uow:
        row = await store.by_id(uow.session, connection_id, lock=True)
        if row is not None:
            await mark_reauth_required(uow, row, "the network refused the access token")


async def usable_credentials(
    uow: Uow, networks: Networks, connection_id: str
) -> Credentials | None:
    """The connection's access token when it can be used as it is, read in the caller's
    transaction (the worker's claim: one transaction fewer per share); None when a refresh,
    a reauthorisation or an error is due, which `credentials` then decides."""
    row = await store.by_id(uow.session, connection_id)
    if row is None or row.status != CONNECTED:
        return None
    tokens = tokens_of(row, networks)
    if tokens is None:
        return None
    now = uow.now()
    if not needs_refresh(row.expires_at, now, timedelta(seconds=uow.settings.refresh_ahead_s)):
        return _credentials(row, tokens.access_token)
    renewable = networks.connectors[row.network].refreshes_tokens and tokens.refresh_token
    if not renewable and not is_expired(row.expires_at, now):
        return _credentials(row, tokens.access_token)  # still valid, not renewable
    return None


async def credentials(
    runtime: Runtime[SharingSettings],
    networks: Networks,
    connection_id: str,
    *,
    refused_token: str | None = None,
) -> Credentials:
    """An access token to call the network with. `refused_token`: the one the network just
    answered 401 to (refresh once where possible, else reauth_required)."""
    reauth: str | None = None
    async with runtime.unit_of_work() as uow:
        row = await store.by_id(uow.session, connection_id)
        if row is None or row.status != CONNECTED:
            raise ReauthRequired(row.reason or "not connected" if row else "no such connection")
        tokens = tokens_of(row, networks)
        if tokens is None:
            raise ReauthRequired("no token")
        now = uow.now()
        refused = refused_token is not None and refused_token == tokens.access_token
        ahead = timedelta(seconds=uow.settings.refresh_ahead_s)
        connector = networks.connectors[row.network]
        if not refused and not needs_refresh(row.expires_at, now, ahead):
            return _credentials(row, tokens.access_token)
        if refused_token is not None and not refused:
            # Someone refreshed since that call: the current token has not been refused.
            return _credentials(row, tokens.access_token)
        if not connector.refreshes_tokens or tokens.refresh_token is None:
            if not refused and not is_expired(row.expires_at, now):
                return _credentials(row, tokens.access_token)  # still valid, not renewable
            locked = await store.by_id(uow.session, connection_id, lock=True)
            assert locked is not None
            reauth = "the access token was refused" if refused else "the access token expired"
            await mark_reauth_required(uow, locked, reauth)
    if reauth is not None:
        raise ReauthRequired(reauth)
    return await _refresh(runtime, networks, connection_id, tokens.access_token, refused)


async def _refresh(
    runtime: Runtime[SharingSettings],
    networks: Networks,
    connection_id: str,
    seen_token: str,
    refused: bool,
) -> Credentials:
    reauth: str | None = None
    async with runtime.unit_of_work() as uow:
        row = await store.by_id(uow.session, connection_id, lock=True)
        if row is None or row.status != CONNECTED:
            raise ReauthRequired(row.reason or "not connected" if row else "no such connection")
        current = tokens_of(row, networks)
        if current is None or current.refresh_token is None:
            raise ReauthRequired("no refresh token")
        if current.access_token != seen_token:
            return _credentials(row, current.access_token)  # refreshed while we waited
        try:
            fresh = await networks.connectors[row.network].refresh(current.refresh_token)
        except Unauthorized as exc:
            reauth = f"the refresh was refused: {exc.detail[:120]}"
            await mark_reauth_required(uow, row, reauth)
        except NetworkError:
            if refused or is_expired(row.expires_at, uow.now()):
                raise
            return _credentials(row, current.access_token)  # try the refresh next time
        else:
            store_tokens(row, networks, fresh, refreshed=True)
            row.updated_at = uow.now()
            row.version += 1
            return _credentials(row, fresh.access_token)
    raise ReauthRequired(reauth or "the refresh was refused")
