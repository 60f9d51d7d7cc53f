"""Shares: an ambassador shares an item now or later, on networks we post to for them (their
connected LinkedIn, X, Mastodon) or through the network's share page (Facebook, Instagram,
WhatsApp, XING); lists, reads and cancels their own shares."""

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, status

from resonance.common.api_paging import INVALID_CURSOR, PageCursor
from resonance.sharing.api.deps import Ambassador, Rt
from resonance.sharing.api.schemas_shares import (
    IntentOut,
    ReachOut,
    ShareIn,
    ShareOut,
    SharePageOut,
    SharesOut,
)
from resonance.sharing.domain.networks import ShareIntent
from resonance.sharing.service import shares
from resonance.sharing.store.share_views import ShareReach
from resonance.sharing.store.tables import Share

router = APIRouter(prefix="/v1/shares", tags=["shares"])

ShareId = Annotated[str, Path(min_length=1, max_length=64)]
PROBLEMS: dict[int | str, dict[str, str]] = {
    403: {
        "description": "Not an enrolled ambassador (`not-enrolled`), the item is not meant for "
        "you (`content-not-targeted`) or you did not consent to that network "
        "(`network-not-consented`)"
    },
    404: {"description": "No such item (`content-not-found`) or share (`share-not-found`)"},
    409: {
        "description": "The item is not live (`content-not-live`), your account on that "
        "network is not connected (`connection-required`), or the share can no longer be "
        "cancelled (`share-not-cancellable`)"
    },
    422: {
        "description": "Too long for the network with the disclosure and link "
        "(`caption-too-long`, with `length`, `limit`, `over`), a blocked term "
        "(`blocked-term`, with `terms`), an unknown network, a time in the past or too far "
        "ahead, a share page network scheduled for later (`intent-now-only`)"
    },
    429: {
        "description": "A daily cap is reached (`daily-cap-reached`): `retry_at` and the "
        "Retry-After header say when the next slot opens"
    },
}


def _reach(row: ShareReach | None) -> ReachOut | None:
    if row is None or row.measured is None:
        return None
    return ReachOut(
        measured=row.measured,
        impressions=row.impressions,
        reactions=row.reactions,
        comments=row.comments,
        reshares=row.reshares,
        clicks=row.clicks,
        measured_at=row.measured_at,
    )


def _out(
    share: Share, intent: ShareIntent | None = None, reach: ShareReach | None = None
) -> ShareOut:
    return ShareOut(
        id=share.id,
        content_id=share.content_id,
        campaign_id=share.campaign_id,
        network=share.network,
        status=share.status,
        text=share.text,
        tracked_link=share.tracked_link,
        scheduled_for=share.scheduled_for,
        posted_at=share.posted_at,
        permalink=share.post_url,
        self_reported=share.self_reported,
        automatic=share.automatic,
        reason=share.reason,
        intent=IntentOut(url=intent.url, text_to_copy=intent.text_to_copy) if intent else None,
        reach=_reach(reach),
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SharesOut,
    summary="Share an item on one or more networks, now or at a time",
    description=(
        "Creates one share per network, all or none. API networks (LinkedIn, X, Mastodon) "
        "are posted for you by the workers at `at` (now by default) with your connected "
        "account; share-page networks (Facebook, Instagram, WhatsApp, XING) answer `intent` "
        "(the page to open and the text to paste) and count as shared on your word until a "
        "click on the tracked link confirms it. Send an `Idempotency-Key`: a retried request "
        "answers the same shares instead of making new ones."
    ),
    responses={k: PROBLEMS[k] for k in (403, 404, 409, 422, 429)},
)
async def create(
    body: ShareIn,
    principal: Ambassador,
    rt: Rt,
    idempotency_key: Annotated[
        str | None,
        Header(max_length=255, description="Makes a retried request safe (recommended)."),
    ] = None,
) -> SharesOut:
    command = shares.ShareCommand(
        content_id=body.content_id,
        networks=list(body.networks),
        captions=dict(body.captions),
        at=body.at,
        audience_sizes=dict(body.audience_sizes),
    )
    async with rt.unit_of_work() as uow:
        created = await shares.create_shares(uow, principal, command)
    return SharesOut(shares=[_out(c.share, c.intent) for c in created])


@router.get(
    "",
    response_model=SharePageOut,
    summary="Your shares, newest first",
    responses=INVALID_CURSOR,
)
async def list_mine(
    principal: Ambassador,
    rt: Rt,
    # A list scrolled on a phone: smaller pages (docs/api.md, "Lists").
    limit: Annotated[int, Query(ge=1, le=100, description="Page size, at most 100")] = 20,
    cursor: PageCursor = None,
) -> SharePageOut:
    async with rt.unit_of_work() as uow:
        page = await shares.list_shares(uow, principal, limit, cursor)
    return SharePageOut(items=[_out(s) for s in page.shares], next_cursor=page.next_cursor)


@router.get(
    "/{share_id}",
    response_model=ShareOut,
    summary="One of your shares, with its permalink and latest reach",
    responses={404: PROBLEMS[404]},
)
async def read(share_id: ShareId, principal: Ambassador, rt: Rt) -> ShareOut:
    async with rt.unit_of_work() as uow:
        detail = await shares.get_share(uow, principal, share_id)
    return _out(detail.share, reach=detail.reach)


@router.post(
    "/{share_id}/cancel",
    response_model=ShareOut,
    summary="Cancel one of your shares while it waits for its time",
    responses={404: PROBLEMS[404], 409: PROBLEMS[409]},
)
async def cancel(share_id: ShareId, principal: Ambassador, rt: Rt) -> ShareOut:
    async with rt.unit_of_work() as uow:
        share = await shares.cancel_share(uow, principal, share_id)
    return _out(share)
