"""The activity rollups (migration 9d3f6a1c8e27) stay equal to the activity rows they sum
through everything that writes those rows: multi-row inserts, upserts adding to existing rows,
a person's programmes changing after the fact, and deletes; and the KPI reads that use them
(whole tenant, one programme; whole months, days around them, all time) answer what the rows
answer."""

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import text

from resonance.devstack.testing import RunningService
from resonance.metrics.domain.segments import EVERYONE, Segment
from resonance.metrics.store import kpi_activity
from resonance.metrics.store.kpi_activity import COLUMNS, Totals
from resonance.metrics.store.kpi_scope import Scope, rollup_scope

# Each row's programmes travel as one comma-separated text (arrays of arrays must be even).
UPSERT = (
    "INSERT INTO daily_activity (tenant, day, ambassador_id, content_id, campaign_id, network, "
    "family, segment_known, programmes, site, shares, clicks, impressions, measured_posts, "
    "failed_shares) SELECT :tenant, r.day, r.who, r.item, r.campaign, r.network, r.family, true, "
    "string_to_array(r.programmes, ','), r.site, r.shares, r.clicks, r.impressions, r.posts, "
    "r.failed "
    "FROM unnest(CAST(:days AS date[]), CAST(:people AS text[]), CAST(:items AS text[]), "
    "CAST(:campaigns AS text[]), CAST(:networks AS text[]), CAST(:families AS text[]), "
    "CAST(:programmes AS text[]), CAST(:sites AS text[]), CAST(:shares AS int[]), "
    "CAST(:clicks AS int[]), CAST(:impressions AS int[]), CAST(:posts AS int[]), "
    "CAST(:failed AS int[])) AS r(day, who, item, campaign, network, family, programmes, site, "
    "shares, clicks, impressions, posts, failed) "
    "ON CONFLICT (tenant, day, ambassador_id, content_id, campaign_id, network) DO UPDATE SET "
    "shares = daily_activity.shares + excluded.shares, "
    "clicks = daily_activity.clicks + excluded.clicks, "
    "impressions = daily_activity.impressions + excluded.impressions, "
    "measured_posts = daily_activity.measured_posts + excluded.measured_posts, "
    "failed_shares = daily_activity.failed_shares + excluded.failed_shares"
)
PROGRAMMES = ("p1", "p2", "p3")


def _batch(rng: random.Random, tenant: str, rows: int) -> dict[str, Any]:
    """Random activity from 20 March to 10 June 2026, each key once (a statement may not
    upsert one row twice)."""
    keyed: dict[tuple[date, str, str, str], tuple[Any, ...]] = {}
    for _ in range(rows):
        day = date(2026, 3, 20) + timedelta(days=rng.randrange(83))
        person = f"a{rng.randrange(25)}"
        key = (day, person, f"k{rng.randrange(12)}", rng.choice(("linkedin", "x", "facebook")))
        keyed[key] = (
            rng.choice(("", "c1")),
            rng.choice(("company", "market", None)),
            ",".join(rng.sample(PROGRAMMES, rng.randrange(3))),
            rng.randrange(4),
            rng.randrange(9),
            rng.randrange(500),
            rng.randrange(2),
            rng.randrange(2),
            rng.choice(("paris", "lyon", None)),
        )
    keys, values = list(keyed), list(keyed.values())
    columns = ("campaigns", "families", "programmes", "shares", "clicks", "impressions")
    batch: dict[str, Any] = {name: [v[i] for v in values] for i, name in enumerate(columns)}
    batch["posts"] = [v[6] for v in values]
    batch["failed"] = [v[7] for v in values]
    batch["sites"] = [v[8] for v in values]
    for i, name in enumerate(("days", "people", "items", "networks")):
        batch[name] = [k[i] for k in keys]
    return {"tenant": tenant, **batch}


async def _write_history(svc: RunningService, tenant: str) -> None:
    rng = random.Random(20260520)
    async with svc.runtime.db.session() as session:
        for _ in range(3):  # later batches add to rows the earlier ones wrote
            await session.execute(text(UPSERT), _batch(rng, tenant, 400))
        # A person's programmes filled in after their rows were written.
        await session.execute(
            text(
                "UPDATE daily_activity SET programmes = ARRAY['p2', 'p3'], site = 'paris' "
                "WHERE tenant = :tenant AND ambassador_id IN ('a1', 'a2')"
            ),
            {"tenant": tenant},
        )
        await session.execute(
            text(
                "DELETE FROM daily_activity WHERE tenant = :tenant "
                "AND ambassador_id IN ('a3', 'a4') AND day < '2026-05-01'"
            ),
            {"tenant": tenant},
        )
        # An item gone entirely: no key of it may be left in a read (zeros are not rows).
        await session.execute(
            text("DELETE FROM daily_activity WHERE tenant = :tenant AND content_id = 'k0'"),
            {"tenant": tenant},
        )
        await session.commit()


KEYS = {"network": "network", "family": "family", "day": "day", "item": "content_id"}


async def _from_rows(svc: RunningService, scope: Scope, group: str) -> dict[Any, Totals]:
    """What the activity rows say, filtered and summed in Python (the plain computation)."""
    query = (
        f"SELECT day, {KEYS[group]}, programmes, site, {', '.join(COLUMNS)} FROM daily_activity "
        "WHERE tenant = :tenant"
    )
    async with svc.runtime.db.session() as session:
        rows = (await session.execute(text(query), {"tenant": scope.tenant})).all()
    wanted = scope.segment.programmes
    sums: dict[Any, list[int]] = {}
    sites = scope.segment.sites
    for day, key, programmes, site, *values in rows:
        if (scope.first_day is not None and day < scope.first_day) or day >= scope.end_day:
            continue
        if (wanted and not wanted & set(programmes)) or (sites and site not in sites):
            continue
        totals = sums.setdefault(key, [0] * len(COLUMNS))
        for i, value in enumerate(values):
            totals[i] += int(value)
    return {k: Totals(*v) for k, v in sums.items()}


def _scope(tenant: str, first: date | None, end: date, segment: Segment) -> Scope:
    start = None if first is None else datetime.combine(first, time(), UTC)
    return Scope(tenant, "UTC", first, end, start, datetime.combine(end, time(), UTC), segment)


PERIODS = (
    (date(2026, 4, 1), date(2026, 5, 1)),  # a whole month
    (date(2026, 3, 25), date(2026, 6, 4)),  # whole months and the days around them
    (date(2026, 5, 9), date(2026, 6, 8)),  # 30 days across a month's end
    (date(2026, 4, 3), date(2026, 5, 3)),  # a month less its first days, and days after
    (date(2026, 6, 1), date(2026, 6, 3)),  # a month's first days
    (None, date(2026, 6, 11)),  # all time
)
SEGMENTS = (
    EVERYONE,
    Segment(programmes=frozenset({"p2"})),
    Segment(sites=frozenset({"paris"})),  # per day from its scope, per item from the rows
)


async def test_kpi_reads_over_the_rollups_answer_what_the_activity_rows_answer(
    metrics: RunningService, tenant: str
) -> None:
    await _write_history(metrics, tenant)
    for segment in SEGMENTS:
        assert rollup_scope(segment) is not None  # these reads take the per-day rollup
        for first, end in PERIODS:
            scope = _scope(tenant, first, end, segment)
            for group in KEYS:
                async with metrics.runtime.db.session() as session:
                    read = dict(await kpi_activity.totals_by(session, scope, group))
                expected = await _from_rows(metrics, scope, group)
                assert read == expected, (segment, first, end, group)
                assert expected, "the history has activity in every period"
                assert "k0" not in read
            async with metrics.runtime.db.session() as session:
                total = await kpi_activity.totals(session, scope)
            assert total.shares == sum(t.shares for t in expected.values())
            assert total.impressions == sum(t.impressions for t in expected.values())


async def test_top_items_from_the_rollups_rank_as_the_rows_do(
    metrics: RunningService, tenant: str
) -> None:
    await _write_history(metrics, tenant)
    scope = _scope(tenant, date(2026, 3, 25), date(2026, 6, 4), EVERYONE)
    expected = await _from_rows(metrics, scope, "item")
    ranked = sorted(expected.items(), key=lambda kv: (-kv[1].clicks, kv[0]))[:5]
    async with metrics.runtime.db.session() as session:
        top = await kpi_activity.totals_by(session, scope, "item", 5, "clicks")
    assert top == ranked


def test_segments_of_one_value_of_one_field_have_a_scope_others_read_the_rows() -> None:
    assert rollup_scope(EVERYONE) == ""
    assert rollup_scope(Segment(programmes=frozenset({"p1"}))) == "programme:p1"
    assert rollup_scope(Segment(programmes=frozenset({"p1"})), items=True) == "programme:p1"
    assert rollup_scope(Segment(sites=frozenset({"paris"}))) == "site:paris"
    assert rollup_scope(Segment(job_families=frozenset({"sales"}))) == "job_family:sales"
    # Items are kept per tenant and programme only.
    assert rollup_scope(Segment(sites=frozenset({"paris"})), items=True) is None
    assert rollup_scope(Segment(programmes=frozenset({"p1", "p2"}))) is None
    assert rollup_scope(Segment(sites=frozenset({"paris", "lyon"}))) is None
    assert rollup_scope(Segment(programmes=frozenset({"p1"}), sites=frozenset({"x"}))) is None


PERSON_DAYS = (
    "INSERT INTO ambassador_daily (tenant, ambassador_id, day, segment_known, programmes, site, "
    "shares) SELECT :tenant, r.who, r.day, true, string_to_array(r.programmes, ','), r.site, "
    "r.shares FROM unnest(CAST(:people AS text[]), CAST(:days AS date[]), "
    "CAST(:programmes AS text[]), CAST(:sites AS text[]), CAST(:shares AS int[])) "
    "AS r(who, day, programmes, site, shares) "
    "ON CONFLICT (tenant, ambassador_id, day) DO UPDATE SET "
    "shares = ambassador_daily.shares + excluded.shares"
)


async def test_sharers_per_day_are_kept_as_the_person_days_change(
    metrics: RunningService, tenant: str
) -> None:
    rng = random.Random(7)
    async with metrics.runtime.db.session() as session:
        for _ in range(3):  # a person's day with no share yet may get one later
            keys = {
                (f"a{rng.randrange(30)}", date(2026, 5, 1 + rng.randrange(20))) for _ in range(200)
            }
            await session.execute(
                text(PERSON_DAYS),
                {
                    "tenant": tenant,
                    "people": [k[0] for k in keys],
                    "days": [k[1] for k in keys],
                    "programmes": [
                        ",".join(rng.sample(PROGRAMMES, rng.randrange(3))) for _ in keys
                    ],
                    "sites": [rng.choice(("paris", "lyon", None)) for _ in keys],
                    "shares": [rng.choice((0, 0, 1, 2)) for _ in keys],
                },
            )
        await session.execute(
            text(
                "UPDATE ambassador_daily SET programmes = ARRAY['p1'], site = 'lyon' "
                "WHERE tenant = :tenant AND ambassador_id IN ('a1', 'a2')"
            ),
            {"tenant": tenant},
        )
        await session.execute(
            text("DELETE FROM ambassador_daily WHERE tenant = :tenant AND ambassador_id = 'a3'"),
            {"tenant": tenant},
        )
        await session.commit()
        rows = (
            await session.execute(
                text(
                    "SELECT day, programmes, site, shares FROM ambassador_daily WHERE tenant = :t"
                ),
                {"t": tenant},
            )
        ).all()
    for segment in SEGMENTS:
        expected: dict[date, int] = {}
        for day, programmes, site, shares in rows:
            in_programme = not segment.programmes or segment.programmes & set(programmes)
            if shares > 0 and in_programme and (not segment.sites or site in segment.sites):
                expected[day] = expected.get(day, 0) + 1
        scope = _scope(tenant, date(2026, 5, 3), date(2026, 5, 18), segment)
        async with metrics.runtime.db.session() as session:
            kept = await kpi_activity.sharers_by_day(session, scope)
        assert kept == {
            d: n for d, n in expected.items() if date(2026, 5, 3) <= d < date(2026, 5, 18)
        }
        assert kept, "people shared in the period"
