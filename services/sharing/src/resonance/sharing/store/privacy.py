"""Queries behind a person's data export: what this service keeps about one ambassador.

Columns are named one by one: sealed tokens, PKCE verifiers and request fingerprints are
never selected, so they cannot reach an export by accident. Each list is newest first and
at most `limit` rows."""

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.sharing.store.share_views import AutoshareConsent, Conversion, ShareReach
from resonance.sharing.store.tables import Connection, OAuthState, Share

CONNECTION_COLUMNS = (
    Connection.id,
    Connection.network,
    Connection.network_user_id,
    Connection.display_name,
    Connection.username,
    Connection.audience_size,
    Connection.status,
    Connection.reason,
    Connection.scopes,
    Connection.expires_at,
    Connection.refresh_expires_at,
    Connection.connected_at,
    Connection.updated_at,
)
AUTHORIZATION_COLUMNS = (
    OAuthState.network,
    OAuthState.created_at,
    OAuthState.expires_at,
    OAuthState.used_at,
)
SHARE_COLUMNS = (
    Share.id,
    Share.content_id,
    Share.campaign_id,
    Share.network,
    Share.connection_id,
    Share.text,
    Share.tracked_link,
    Share.status,
    Share.reason,
    Share.scheduled_for,
    Share.posted_at,
    Share.post_url,
    Share.automatic,
    Share.self_reported,
    Share.created_at,
    Share.updated_at,
)
REACH_COLUMNS = (
    ShareReach.share_id,
    ShareReach.audience_size,
    ShareReach.measured,
    ShareReach.impressions,
    ShareReach.reactions,
    ShareReach.comments,
    ShareReach.reshares,
    ShareReach.clicks,
    ShareReach.measured_at,
)
# What a conversion says about the ambassador's share; the external reference and reporter
# belong to the integration (and to the candidate or customer), not to the ambassador.
CONVERSION_COLUMNS = (
    Conversion.id,
    Conversion.share_id,
    Conversion.kind,
    Conversion.value,
    Conversion.currency,
    Conversion.occurred_at,
)


async def _rows(session: AsyncSession, query: Select[Any]) -> list[dict[str, Any]]:
    return [dict(row) for row in (await session.execute(query)).mappings()]


def _their_shares(tenant: str, ambassador_id: str) -> Any:
    return (
        select(Share.id)
        .where(Share.tenant == tenant, Share.ambassador_id == ambassador_id)
        .scalar_subquery()
    )


async def connections_of(
    session: AsyncSession, tenant: str, ambassador_id: str, limit: int
) -> list[dict[str, Any]]:
    query = (
        select(*CONNECTION_COLUMNS)
        .where(Connection.tenant == tenant, Connection.ambassador_id == ambassador_id)
        .order_by(Connection.connected_at.desc(), Connection.id)
        .limit(limit)
    )
    return await _rows(session, query)


async def authorizations_of(
    session: AsyncSession, tenant: str, ambassador_id: str, limit: int
) -> list[dict[str, Any]]:
    """Connections started and not (yet) completed or expired."""
    query = (
        select(*AUTHORIZATION_COLUMNS)
        .where(OAuthState.tenant == tenant, OAuthState.ambassador_id == ambassador_id)
        .order_by(OAuthState.created_at.desc())
        .limit(limit)
    )
    return await _rows(session, query)


async def shares_of(
    session: AsyncSession, tenant: str, ambassador_id: str, limit: int
) -> list[dict[str, Any]]:
    """Posted, scheduled, failed and cancelled shares, with the text as composed."""
    query = (
        select(*SHARE_COLUMNS)
        .where(Share.tenant == tenant, Share.ambassador_id == ambassador_id)
        .order_by(Share.created_at.desc(), Share.id)
        .limit(limit)
    )
    return await _rows(session, query)


async def reach_of(
    session: AsyncSession, tenant: str, ambassador_id: str, limit: int
) -> list[dict[str, Any]]:
    query = (
        select(*REACH_COLUMNS)
        .where(
            ShareReach.tenant == tenant,
            ShareReach.share_id.in_(_their_shares(tenant, ambassador_id)),
        )
        .order_by(ShareReach.posted_at.desc(), ShareReach.share_id)
        .limit(limit)
    )
    return await _rows(session, query)


async def conversions_of(
    session: AsyncSession, tenant: str, ambassador_id: str, limit: int
) -> list[dict[str, Any]]:
    """Conversions attributed to the person's shares."""
    query = (
        select(*CONVERSION_COLUMNS)
        .where(
            Conversion.tenant == tenant,
            Conversion.share_id.in_(_their_shares(tenant, ambassador_id)),
        )
        .order_by(Conversion.occurred_at.desc(), Conversion.id)
        .limit(limit)
    )
    return await _rows(session, query)


async def autoshare_choices_of(
    session: AsyncSession, tenant: str, ambassador_id: str, limit: int
) -> list[dict[str, Any]]:
    """The auto-share opt-in history (granted / revoked per network)."""
    query = (
        select(AutoshareConsent.network, AutoshareConsent.action, AutoshareConsent.recorded_at)
        .where(AutoshareConsent.tenant == tenant, AutoshareConsent.ambassador_id == ambassador_id)
        .order_by(AutoshareConsent.recorded_at.desc(), AutoshareConsent.id)
        .limit(limit)
    )
    return await _rows(session, query)
