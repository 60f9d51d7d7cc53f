"""Applying other services' events to the local projections, so a share request is checked
without calling anyone. Every function takes the event's time (`at`, from its envelope) and
ignores what is older than the state it would overwrite (projection_rules.is_newer)."""

from datetime import datetime
from typing import TypeAlias

from resonance.common.events.catalogue import (
    AmbassadorEnrolled,
    AmbassadorLeft,
    AmbassadorProfile,
    AmbassadorUpdated,
    CampaignLaunched,
    ContentPublished,
    ContentRetired,
)
from resonance.common.unit_of_work import UnitOfWork
from resonance.sharing.service import projection_rules as rules
from resonance.sharing.settings import SharingSettings
from resonance.sharing.store import connections, share_queries, views
from resonance.sharing.store.share_views import AmbassadorView, CampaignView, ContentView

Uow: TypeAlias = UnitOfWork[SharingSettings]


async def _person(uow: Uow, tenant: str, ambassador_id: str) -> AmbassadorView:
    row = await views.ambassador(uow.session, tenant, ambassador_id, lock=True)
    if row is None:
        row = AmbassadorView(tenant=tenant, ambassador_id=ambassador_id, updated_at=uow.now())
        uow.session.add(row)
    return row


async def _apply_profile(
    uow: Uow,
    row: AmbassadorView,
    profile: AmbassadorProfile,
    login_subject: str | None,
    at: datetime,
) -> None:
    if not rules.is_newer(at, row.profile_at):
        return
    row.profile = profile.model_dump(mode="json")
    row.profile_at = at
    if login_subject:  # older producers do not send it: keep what is known
        if login_subject != row.login_subject and login_subject != row.ambassador_id:
            # Someone who connected an account before this event arrived did so under their
            # login subject; their shares will look for it under their ambassador id.
            await connections.adopt(uow.session, row.tenant, login_subject, row.ambassador_id)
        row.login_subject = login_subject


async def ambassador_enrolled(
    uow: Uow, tenant: str, event: AmbassadorEnrolled, at: datetime
) -> None:
    row = await _person(uow, tenant, event.ambassador_id)
    if row.erased_at is not None:
        return  # a tombstone: a late event never brings an erased person back
    await _apply_profile(uow, row, event.profile, event.login_subject, at)
    row.memberships = rules.enrol(row.memberships, event.programme_id, event.networks, at)
    row.updated_at = uow.now()


async def ambassador_updated(uow: Uow, tenant: str, event: AmbassadorUpdated, at: datetime) -> None:
    row = await _person(uow, tenant, event.ambassador_id)
    if row.erased_at is not None:
        return
    if rules.is_newer(at, row.profile_at):
        row.employee_active = event.active
    await _apply_profile(uow, row, event.profile, event.login_subject, at)
    row.updated_at = uow.now()


async def ambassador_left(uow: Uow, tenant: str, event: AmbassadorLeft, at: datetime) -> None:
    row = await _person(uow, tenant, event.ambassador_id)
    if row.erased_at is not None:
        return
    row.memberships = rules.leave(row.memberships, event.programme_id, at)
    row.updated_at = uow.now()


async def ambassador_erased(uow: Uow, tenant: str, ambassador_id: str, at: datetime) -> None:
    """Keeps a tombstone (ids only), deletes opt-ins, cancels what was not posted yet and
    strips the shares' texts and post addresses. Links keep redirecting; counts stay."""
    row = await _person(uow, tenant, ambassador_id)
    row.login_subject = None
    row.profile = {}
    row.memberships = {}
    row.employee_active = False
    row.erased_at = row.erased_at or at
    row.updated_at = uow.now()
    await views.forget_autoshare(uow.session, tenant, ambassador_id)
    await share_queries.forget_ambassador(uow.session, tenant, ambassador_id, uow.now())


async def content_published(uow: Uow, tenant: str, event: ContentPublished, at: datetime) -> None:
    row = await views.content(uow.session, tenant, event.content_id, lock=True)
    if row is None:
        row = ContentView(
            tenant=tenant,
            content_id=event.content_id,
            family=event.family,
            title=event.title,
            version_at=at,
        )
        uow.session.add(row)
    elif not rules.is_newer(at, row.version_at):
        return
    row.family = event.family
    row.title = event.title
    row.url = event.url or event.canonical_url
    row.language = event.language
    row.disclosure = event.disclosure
    row.campaign_id = event.campaign_id
    row.captions = [c.model_dump(mode="json") for c in event.captions]
    row.targeting = event.targeting.model_dump(mode="json")
    row.publish_at = event.publish_at
    row.expires_at = event.expires_at
    row.live = True
    row.retired_reason = None
    row.version_at = at


async def content_retired(uow: Uow, tenant: str, event: ContentRetired, at: datetime) -> None:
    row = await views.content(uow.session, tenant, event.content_id, lock=True)
    if row is None:
        # Retired before we saw it published: remember, so a late publication stays retired.
        uow.session.add(
            ContentView(
                tenant=tenant,
                content_id=event.content_id,
                family="company",
                title="",
                live=False,
                retired_reason=event.reason,
                version_at=at,
            )
        )
        return
    if not rules.is_newer(at, row.version_at):
        return
    row.live = False
    row.retired_reason = event.reason
    row.version_at = at


async def campaign_launched(
    uow: Uow, tenant: str, event: CampaignLaunched, at: datetime
) -> CampaignView | None:
    """Records the campaign; returns it when this event is the newest (auto-share plans it)."""
    row = await views.campaign(uow.session, tenant, event.campaign_id, lock=True)
    if row is None:
        row = CampaignView(
            tenant=tenant,
            campaign_id=event.campaign_id,
            name=event.name,
            starts_at=event.starts_at,
            version_at=at,
        )
        uow.session.add(row)
    elif not rules.is_newer(at, row.version_at):
        return None
    row.name = event.name
    row.starts_at = event.starts_at
    row.ends_at = event.ends_at
    row.content_ids = list(event.content_ids)
    row.targeting = event.targeting.model_dump(mode="json")
    row.version_at = at
    return row
