"""share.made for a whole consumer poll: the same effects as shares.made, event by event, but
with one read per kind of row and one multi-row upsert per table.

A post the poll cannot take in this way (already known, e.g. its reach came first, or named
twice in the poll) goes through shares.made after the others; so does what only a few posts
need (campaign goals, challenges, new badges). Every write adds to counters, so the order of
the posts inside a poll does not change the totals.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from resonance.common.events.catalogue import ShareMade
from resonance.metrics.domain.badges import longest_weekly_streak, new_badges
from resonance.metrics.domain.challenges import ChallengeMetric
from resonance.metrics.domain.periods import PeriodKind, current_period, local_day
from resonance.metrics.domain.points import Fact, FactKind, LedgerEntry, award
from resonance.metrics.domain.reach import post_reach
from resonance.metrics.domain.windows import board_labels
from resonance.metrics.service import Uow, badges, challenges, points, populations, shares
from resonance.metrics.service.config import TenantConfig, tenant_config
from resonance.metrics.store import activity, poll_reads, rolling
from resonance.metrics.store import campaigns as campaigns_store
from resonance.metrics.store import ledger as ledger_store
from resonance.metrics.store.activity import ActivityKey, Attributes, PersonDayAddition
from resonance.metrics.store.tables import NONE_KEY

ACTIVITY_COLUMNS = (
    "shares",
    "self_reported_shares",
    "automatic_shares",
    "estimated_impressions",
    "estimated_posts",
)
PERSON_DAY_COLUMNS = ("shares", "contributions", "points")
COUNTER_COLUMNS = ("shares", "market_shares")


@dataclass
class _Post:
    event: ShareMade
    family: str | None
    campaign_id: str
    day: date
    attributes: Attributes | None
    estimate: int | None
    entries: tuple[LedgerEntry, ...] = ()


async def made_many(uow: Uow, events: Sequence[tuple[str, ShareMade]]) -> None:
    """Applies (tenant, share.made) pairs: a fold of the share queue (service/fold.py)."""
    by_tenant: dict[str, list[ShareMade]] = {}
    for tenant, event in events:
        by_tenant.setdefault(tenant, []).append(event)
    for tenant, batch in by_tenant.items():
        await _made(uow, tenant, batch)


async def _made(uow: Uow, tenant: str, batch: list[ShareMade]) -> None:
    session = uow.session
    erased = await poll_reads.erased_among(session, tenant, {e.ambassador_id for e in batch})
    batch = [e for e in batch if e.ambassador_id not in erased]
    if not batch:
        return
    known = await poll_reads.known_shares(session, tenant, [e.share_id for e in batch])
    fresh: dict[str, ShareMade] = {}
    singly: list[ShareMade] = []
    for event in batch:
        if event.share_id in known or event.share_id in fresh:
            singly.append(event)
        else:
            fresh[event.share_id] = event
    if fresh:
        await _apply_fresh(uow, await tenant_config(uow, tenant), list(fresh.values()))
    for event in singly:
        await shares.made(uow, tenant, event)


async def _posts(uow: Uow, config: TenantConfig, batch: list[ShareMade]) -> list[_Post]:
    session, tenant = uow.session, config.tenant
    wanted = {
        e.content_id
        for e in batch
        if e.content_id and (e.content_family is None or e.campaign_id is None)
    }
    items = await poll_reads.items(session, tenant, wanted)
    people_ids = {e.ambassador_id for e in batch}
    profiles = await poll_reads.attributes(session, tenant, people_ids)
    audiences = await poll_reads.audiences(session, tenant, people_ids)
    rules = await points.history(uow, tenant)
    posts = []
    for e in batch:
        item = items.get(e.content_id or "")
        family = e.content_family or (item.family if item else None)
        campaign_id = e.campaign_id or (item.campaign_id if item else None)
        estimate = None
        if e.network:
            reach = post_reach(
                e.network, None, audiences.get((e.ambassador_id, e.network)), config.reach_rates
            )
            estimate = None if reach is None else reach.impressions
        post = _Post(
            event=e,
            family=family,
            campaign_id=campaign_id or NONE_KEY,
            day=local_day(e.shared_at, config.timezone),
            attributes=profiles.get(e.ambassador_id),
            estimate=estimate,
        )
        if not e.automatic:  # posted by campaign auto-share: no points
            fact = Fact(
                FactKind.SHARE, e.ambassador_id, e.share_id, e.shared_at, network=e.network or None
            )
            post.entries = award(fact, rules)
        posts.append(post)
    return posts


def _share_row(tenant: str, post: _Post) -> dict[str, object]:
    e = post.event
    return {
        "tenant": tenant,
        "share_id": e.share_id,
        "ambassador_id": e.ambassador_id,
        "content_id": e.content_id or NONE_KEY,
        "campaign_id": post.campaign_id,
        "network": e.network,
        "family": post.family,
        "day": post.day,
        "shared_at": e.shared_at,
        "made": True,
        "automatic": e.automatic,
        "basis": "none" if post.estimate is None else "estimated",
        "measured_at": None,
        "impressions": 0,
        "reactions": 0,
        "comments": 0,
        "reshares": 0,
        "post_clicks": 0,
        "estimated_impressions": post.estimate or 0,
        "estimated_at": None if post.estimate is None else e.shared_at,
    }


async def _apply_fresh(uow: Uow, config: TenantConfig, batch: list[ShareMade]) -> None:
    session, tenant = uow.session, config.tenant
    posts = await _posts(uow, config, batch)
    await poll_reads.insert_shares(session, [_share_row(tenant, p) for p in posts])
    credited = await _credit(uow, config, posts)

    rows: dict[ActivityKey, Counter[str]] = {}
    for p in posts:
        e = p.event
        key = ActivityKey(
            tenant, p.day, e.ambassador_id, e.content_id, p.campaign_id, e.network, p.family,
            p.attributes,
        )  # fmt: skip
        row = rows.setdefault(key, Counter())
        row.update(
            shares=1,
            self_reported_shares=int(e.self_reported),
            automatic_shares=int(e.automatic),
            estimated_impressions=p.estimate or 0,
            estimated_posts=int(p.estimate is not None),
        )
    await activity.add_activity_many(session, rows, ACTIVITY_COLUMNS)

    days = await _person_days(uow, config, posts, credited)
    counters: dict[str, tuple[Counter[str], datetime | None, datetime | None]] = {}
    for p in posts:
        e = p.event
        increments, first, last = counters.get(e.ambassador_id, (Counter(), None, None))
        increments.update(shares=1, market_shares=int(p.family == "market"))
        first = e.shared_at if first is None else min(first, e.shared_at)
        last = e.shared_at if last is None else max(last, e.shared_at)
        counters[e.ambassador_id] = (increments, first, last)
    await activity.add_counters_many(session, tenant, counters, COUNTER_COLUMNS)
    await _streaks_and_badges(uow, tenant, days, sorted(counters))
    await _campaigns_and_challenges(uow, config, posts, credited)


async def _credit(uow: Uow, config: TenantConfig, posts: list[_Post]) -> set[str]:
    """Ledger, balances, calendar and rolling boards (what points.credit does per entry);
    returns the keys of the entries written (an entry already in the ledger earns nothing)."""
    tenant, now = config.tenant, uow.now()
    entries = [entry for p in posts for entry in p.entries]
    written = await ledger_store.insert_entries_many(
        uow.session,
        [
            {
                "tenant": tenant,
                "ambassador_id": entry.ambassador_id,
                "amount": entry.amount,
                "reason": entry.reason.value,
                "source_id": entry.source_id,
                "occurred_at": entry.occurred_at,
                "rule_version": entry.rule_version,
                "key": entry.key,
                "recorded_at": now,
            }
            for entry in entries
        ],
    )
    credited = [entry for entry in entries if entry.key in written]
    if not credited:
        return written
    balances: Counter[str] = Counter()
    scores: dict[tuple[str, str, str], tuple[int, datetime]] = {}
    window = current_period(PeriodKind.ROLLING_30_DAYS, now, config.timezone)
    rolling_built: bool | None = None
    for entry in credited:
        balances[entry.ambassador_id] += entry.amount
        labels = [
            (kind.value, label) for kind, label in board_labels(entry.occurred_at, config.timezone)
        ]
        if window.contains_day(local_day(entry.occurred_at, config.timezone)):
            if rolling_built is None:
                rolling_built = await points.rolling_built(uow, tenant, window.label)
            if rolling_built:  # not built yet: the build will count this day
                labels.append((rolling.KIND, window.label))
        for kind, label in labels:
            amount, at = scores.get((kind, label, entry.ambassador_id), (0, entry.occurred_at))
            scores[(kind, label, entry.ambassador_id)] = (
                amount + entry.amount,
                max(at, entry.occurred_at),
            )
    await ledger_store.add_to_balances(uow.session, tenant, dict(balances))
    await ledger_store.add_board_scores_many(uow.session, tenant, scores)
    return written


async def _person_days(
    uow: Uow, config: TenantConfig, posts: list[_Post], credited: set[str]
) -> dict[tuple[str, date], int]:
    """The person-day rows (shares, contributions, points); returns, for each row the poll
    touched with shares, how many shares it held before the poll (0: a new active day)."""
    rows: dict[tuple[str, date], tuple[Attributes | None, Counter[str], datetime | None]] = {}
    added: Counter[tuple[str, date]] = Counter()

    def row(who: str, day: date, attrs: Attributes | None) -> Any:
        return rows.setdefault((who, day), (attrs, Counter(), None))

    for p in posts:
        who = p.event.ambassador_id
        _, increments, _ = row(who, p.day, p.attributes)
        increments.update(shares=1, contributions=1)
        added[(who, p.day)] += 1
        for entry in p.entries:
            if entry.key not in credited:
                continue
            day = local_day(entry.occurred_at, config.timezone)
            attrs, increments, scored = row(entry.ambassador_id, day, p.attributes)
            increments.update(points=entry.amount)
            latest = entry.occurred_at if scored is None else max(scored, entry.occurred_at)
            rows[(entry.ambassador_id, day)] = (attrs, increments, latest)
    after = await activity.add_person_days_many(
        uow.session,
        config.tenant,
        {key: PersonDayAddition(a, inc, at) for key, (a, inc, at) in sorted(rows.items())},
        PERSON_DAY_COLUMNS,
    )
    return {key: after[key] - n for key, n in added.items()}


async def _streaks_and_badges(
    uow: Uow, tenant: str, before: dict[tuple[str, date], int], people: list[str]
) -> None:
    """Streaks of people with a new active day, then the badges their counters now earn."""
    new_day = sorted({who for (who, _), shares in before.items() if shares == 0})
    await populations.new_share_days(
        uow, tenant, [key for key, shares in before.items() if shares == 0]
    )
    if new_day:
        days = await activity.share_days_many(uow.session, tenant, new_day)
        await activity.set_longest_streaks(
            uow.session,
            tenant,
            {who: longest_weekly_streak(days.get(who, [])) for who in new_day},
        )
    counters = await activity.counters_many(uow.session, tenant, people)
    codes = await poll_reads.badge_codes(uow.session, tenant, people)
    awards = []
    for who in people:
        c = counters.get(who)
        if c is None:
            continue
        earned = new_badges(c, codes.get(who, set()))
        awards += [(who, badge.code, badge.title) for badge in earned]
    await badges.grant_many(uow, tenant, awards, uow.now())


async def _campaigns_and_challenges(
    uow: Uow, config: TenantConfig, posts: list[_Post], credited: set[str]
) -> None:
    tenant = config.tenant
    for p in posts:
        if p.campaign_id:
            totals = await campaigns_store.add_totals(
                uow.session, tenant, p.campaign_id, {"shares": 1}
            )
            await badges.campaign_goal(
                uow, tenant, p.campaign_id, totals, uow.now(), p.event.ambassador_id,
                p.event.shared_at,
            )  # fmt: skip
    manual = [p for p in posts if not p.event.automatic]
    if not manual:
        return
    first = min(p.event.shared_at for p in manual)
    last = max(p.event.shared_at for p in manual)
    if not await poll_reads.any_challenge_running(uow.session, tenant, first, last):
        return
    for p in manual:
        await challenges.advance(
            uow,
            tenant,
            p.event.ambassador_id,
            {
                ChallengeMetric.SHARES: 1,
                ChallengeMetric.MARKET_SHARES: int(p.family == "market"),
                ChallengeMetric.POINTS: sum(e.amount for e in p.entries if e.key in credited),
            },
            p.event.shared_at,
            config.timezone,
        )
