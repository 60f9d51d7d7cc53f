"""Monthly digests: per tenant and per programme, the last complete month of the tenant's
zone against the month before (domain/digest.py decides the month, the key and the content).

Made in steps so that no transaction waits on rendering or on SMTP:
1. `gather` reads the aggregates (nothing when the digest already exists);
2. the caller renders charts and HTML (render/);
3. `claim` stores it under its unique key and emits digest.ready in the same transaction;
   a second run or replica finds the key taken and stops there;
4. the caller sends the mail, then `mark`s it sent or failed. A digest whose sending was cut
   short stays "sending" and is never sent again: never twice wins over always once.
"""

import uuid
from dataclasses import dataclass

from resonance.common.auth import Principal
from resonance.common.domain_errors import NotFound
from resonance.common.events.catalogue import DigestReady
from resonance.common.paging import BY_TIME_AND_ID, Paged, after, paged
from resonance.metrics.domain.digest import (
    DigestContent,
    ItemRow,
    MonthFigures,
    PersonRow,
    build_digest,
    digest_key,
    due_month,
    month_period,
)
from resonance.metrics.domain.periods import Period, local_day, previous_period
from resonance.metrics.domain.segments import EVERYONE, Segment
from resonance.metrics.service import Uow
from resonance.metrics.service.config import tenant_config
from resonance.metrics.service.scope import scope_of
from resonance.metrics.store import digests as store
from resonance.metrics.store import kpi_activity, kpi_people
from resonance.metrics.store import settings as settings_store
from resonance.metrics.store.kpi_scope import Scope
from resonance.metrics.store.tables_reports import DigestRow


@dataclass(frozen=True)
class DueDigest:
    tenant: str
    programme_id: str | None
    month: Period
    recipients: tuple[str, ...]


async def tenants(uow: Uow) -> list[str]:
    return await settings_store.tenants_known(uow.session)


async def due(uow: Uow, tenant: str) -> list[DueDigest]:
    """The digests of the tenant (whole tenant, then each programme) due now and not made."""
    config = await tenant_config(uow, tenant)
    month = due_month(uow.now(), config.timezone, None)
    assert month is not None  # with nothing sent yet, the last complete month is due
    scopes: list[tuple[str | None, tuple[str, ...]]] = [(None, config.digest_recipients)]
    for programme in await store.programmes_of(uow.session, tenant):
        scopes.append((programme, config.programme_recipients.get(programme, ())))
    return [
        DueDigest(tenant, programme, month, recipients)
        for programme, recipients in scopes
        if not await store.exists(uow.session, digest_key(tenant, programme, month))
    ]


@dataclass(frozen=True)
class Gathered:
    content: DigestContent
    daily: list[int]  # shares per day of the month
    previous_daily: list[int]


async def _figures(uow: Uow, scope: Scope) -> MonthFigures:
    totals = await kpi_activity.totals(uow.session, scope)
    population = await kpi_people.population_counts(uow.session, scope)
    return MonthFigures(
        shares=totals.shares,
        clicks=totals.clicks,
        impressions=totals.impressions,
        sharers=await kpi_activity.sharers(uow.session, scope),
        enrolled=population.enrolled,
        new_enrolments=await kpi_people.enrolments(uow.session, scope),
        approved_submissions=totals.approved_submissions,
    )


async def _daily(uow: Uow, scope: Scope) -> list[int]:
    by_day = {d: t.shares for d, t in await kpi_activity.totals_by(uow.session, scope, "day")}
    first = scope.first_day
    assert first is not None
    return [by_day.get(first.replace(day=n), 0) for n in range(1, (scope.end_day - first).days + 1)]


async def gather(uow: Uow, due: DueDigest, *, fresh: bool = False) -> Gathered | None:
    """The digest's content, or None when it was made already (unless `fresh`)."""
    key = digest_key(due.tenant, due.programme_id, due.month)
    if not fresh and await store.exists(uow.session, key):
        return None
    segment = Segment(programmes=frozenset({due.programme_id})) if due.programme_id else EVERYONE
    before = previous_period(due.month)
    assert before is not None
    current, previous = (
        scope_of(due.tenant, due.month, segment),
        scope_of(due.tenant, before, segment),
    )
    items = await kpi_activity.totals_by(uow.session, current, "item", 6, "shares")
    names = await kpi_activity.titles(uow.session, due.tenant, [str(c) for c, _ in items])
    people = await kpi_people.top_people(uow.session, current, "contributions", 5)
    content = build_digest(
        due.tenant,
        due.programme_id,
        due.month,
        await _figures(uow, current),
        await _figures(uow, previous),
        [
            ItemRow(str(c), names.get(str(c), (None, ""))[0] or str(c), t.shares)
            for c, t in items
            if c
        ],
        [PersonRow(p.ambassador_id, p.ambassador_id, p.contributions) for p in people],
    )
    return Gathered(content, await _daily(uow, current), await _daily(uow, previous))


async def claim(
    uow: Uow, due: DueDigest, content: DigestContent, html: str, data: dict[str, object]
) -> uuid.UUID | None:
    """Stores the digest and emits digest.ready; None when someone else made it first."""
    digest_id = uuid.UUID(content.digest_id)
    start, end = content.period.start, content.period.end
    assert start is not None and content.period.first_day is not None
    claimed = await store.claim(
        uow.session,
        {
            "id": digest_id,
            "tenant": due.tenant,
            "key": content.key,
            "programme_id": due.programme_id,
            "label": content.period.label,
            "month": content.period.first_day,
            "period_start": start,
            "period_end": end,
            "html": html,
            "data": data,
            "recipients": list(due.recipients),
            "status": "sending" if due.recipients else "stored",
            "created_at": uow.now(),
        },
    )
    if not claimed:
        return None
    await uow.emit(
        due.tenant,
        DigestReady(
            digest_id=content.digest_id,
            period_start=start,
            period_end=end,
            audience="managers",
            summary=content.summary(),
        ),
    )
    return digest_id


async def mark(uow: Uow, digest_id: uuid.UUID, error: str | None) -> None:
    await store.mark(uow.session, digest_id, "failed" if error else "sent", error, uow.now())


async def read(uow: Uow, principal: Principal, digest_id: uuid.UUID) -> DigestRow:
    row = await store.digest(uow.session, principal.tenant, digest_id)
    if row is None:
        raise NotFound(f"no digest {digest_id}", slug="digest-not-found")
    return row


async def listing(
    uow: Uow, principal: Principal, limit: int, cursor: str | None
) -> Paged[DigestRow]:
    """Digests made, newest first, a page at a time after `cursor`."""
    key = after(cursor, *BY_TIME_AND_ID)
    found = await store.digests_of(uow.session, principal.tenant, limit + 1, key)
    return paged(found, limit, lambda r: (r.created_at, r.id))


async def preview(uow: Uow, principal: Principal, programme_id: str | None) -> Gathered:
    """The digest of the month so far (not stored, not sent): what the next one will say."""
    config = await tenant_config(uow, principal.tenant)
    month = month_period(local_day(uow.now(), config.timezone), config.timezone)
    gathered = await gather(uow, DueDigest(principal.tenant, programme_id, month, ()), fresh=True)
    assert gathered is not None
    return gathered
