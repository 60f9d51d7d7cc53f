"""The kept population read models (population spans, retention marks) give the same KPI
answers as the plain computations from memberships and share days, on a small history worked
out by hand, through enrolments, leaves, a gap, several programmes, a time-zone change and an
erasure.

The tenant reports in UTC; "now" is Wednesday 20 May 2026, noon (the fixture's clock).

- ann: enrolled p1 1 April (site paris); shared 3 and 9 April, 4 May.
- bob: enrolled p1 1 April, left it 15 April, enrolled p2 5 May (site lyon): nobody's
  member from 15 April to 5 May, the gap a span alone would miss; shared 3 April, 6 May.
- cat: enrolled p1 1 April and p2 3 April, left p1 10 April (site lyon): one span from
  1 April, still open; shared 12 May.
- dan: invited to p1 1 April, never enrolled.
- eve: enrolled p2 10 May (site paris); never shared.
- zed: shared 7 May, never anyone's member.
"""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from resonance.common.auth import Principal
from resonance.common.events.catalogue import (
    AmbassadorErased,
    AmbassadorInvited,
    AmbassadorLeft,
)
from resonance.devstack.testing import RunningService
from resonance.metrics.devtools.sample_facts import at, enrolment, share
from resonance.metrics.domain.periods import Period
from resonance.metrics.domain.population import MembershipDates, enrolled_during, person_span
from resonance.metrics.domain.retention import RetentionCurve, week_marks
from resonance.metrics.domain.segments import EVERYONE, Segment
from resonance.metrics.domain.windows import PeriodName, PeriodRequest
from resonance.metrics.service import config, kpis_people, people, populations, shares
from resonance.metrics.service.scope import resolve_scope, today
from resonance.metrics.store import kpi_people, member_months, retention_marks
from resonance.metrics.store.kpi_people import PopulationCounts

APRIL_1 = datetime(2026, 4, 1, 10, tzinfo=UTC)


def april(day: int, hour: int = 10) -> datetime:
    return at(day, hour, month=4)


async def _history(svc: RunningService, tenant: str) -> None:
    """Applied through the consumer's own functions, in an order facts may arrive in: some
    shares before the enrolment they follow (marks set then from the share days)."""
    async with svc.runtime.unit_of_work() as uow:
        await people.enrolled(uow, tenant, enrolment("ann", site="paris"), APRIL_1)
        await people.enrolled(uow, tenant, enrolment("bob", site="lyon"), APRIL_1)
        await people.enrolled(uow, tenant, enrolment("cat", site="lyon"), APRIL_1)
        invitation = AmbassadorInvited(ambassador_id="dan", programme_id="p1", invitation_id="i")
        await people.invited(uow, tenant, invitation, APRIL_1)
    for event in (
        share("ann", 1, april(3)),
        share("ann", 2, april(9)),
        share("bob", 1, april(3, 11)),
        share("ann", 3, at(4)),
        share("bob", 2, at(6)),  # before his p2 enrolment arrives
        share("cat", 1, at(12)),
        share("zed", 1, at(7)),  # nobody's member: counts in no population
    ):
        async with svc.runtime.unit_of_work() as uow:
            await shares.made(uow, tenant, event)
    async with svc.runtime.unit_of_work() as uow:
        await people.enrolled(uow, tenant, enrolment("cat", programme="p2", site="lyon"), april(3))
        left = AmbassadorLeft(ambassador_id="bob", programme_id="p1")
        await people.left(uow, tenant, left, april(15))
        await people.left(
            uow, tenant, AmbassadorLeft(ambassador_id="cat", programme_id="p1"), april(10)
        )
        await people.enrolled(uow, tenant, enrolment("bob", programme="p2", site="lyon"), at(5, 9))
        await people.enrolled(
            uow, tenant, enrolment("eve", programme="p2", site="paris"), at(10, 9)
        )


MAY = PeriodRequest(PeriodName.MONTH)
APRIL = PeriodRequest(PeriodName.CUSTOM, date(2026, 4, 1), date(2026, 5, 1))
IN_BOBS_GAP = PeriodRequest(PeriodName.CUSTOM, date(2026, 4, 20), date(2026, 5, 1))
ALL_TIME = PeriodRequest(PeriodName.ALL)
PERIODS = [MAY, APRIL, IN_BOBS_GAP, ALL_TIME, PeriodRequest(PeriodName.QUARTER)]
SEGMENTS = [
    EVERYONE,
    Segment(programmes=frozenset({"p1"})),
    Segment(programmes=frozenset({"p2"})),
    Segment(programmes=frozenset({"p1", "p2"})),
    Segment(sites=frozenset({"lyon"})),
    Segment(programmes=frozenset({"p2"}), sites=frozenset({"paris"})),
]


def manager(tenant: str) -> Principal:
    return Principal("pm", tenant, frozenset({"program_manager"}))


async def _plain(
    svc: RunningService, tenant: str, period: Period, segment: Segment
) -> tuple[PopulationCounts, dict[int, int]]:
    """The population counts and contribution buckets computed in Python from the rows they
    summarise (memberships, people, person-days, connections) with the per-membership rule."""
    async with svc.runtime.db.session() as session:
        members = (
            await session.execute(
                text(
                    "SELECT m.ambassador_id, m.programme_id, m.invited_at, m.enrolled_at, "
                    "m.left_at, a.site FROM memberships m LEFT JOIN ambassadors a "
                    "ON a.tenant = m.tenant AND a.ambassador_id = m.ambassador_id "
                    "WHERE m.tenant = :t"
                ),
                {"t": tenant},
            )
        ).all()
        days = (
            await session.execute(
                text(
                    "SELECT ambassador_id, day, shares, contributions FROM ambassador_daily "
                    "WHERE tenant = :t"
                ),
                {"t": tenant},
            )
        ).all()
    rows: dict[str, list[MembershipDates]] = {}
    for who, programme, invited, enrolled, left, site in members:
        if segment.programmes and programme not in segment.programmes:
            continue
        if segment.sites and site not in segment.sites:
            continue
        rows.setdefault(who, []).append(MembershipDates(invited, enrolled, left))
    start, end = period.start, period.end
    enrolled = {w for w, ms in rows.items() if any(enrolled_during(m, start, end) for m in ms)}
    in_period = [
        (w, s, c)
        for w, d, s, c in days
        if (period.first_day is None or d >= period.first_day) and d < period.end_day
    ]
    sharers = {w for w, s, _ in in_period if s > 0} & enrolled
    active = {w for w, _, c in in_period if c > 0} & enrolled
    targeted = {
        w for w, ms in rows.items() if any((m.invited_at or m.enrolled_at or end) < end for m in ms)
    }
    engaged = {w for w, ms in rows.items() if any((m.enrolled_at or end) < end for m in ms)}
    counts = PopulationCounts(
        len(enrolled), len(sharers), len(active), 0, len(targeted), len(engaged)
    )
    made = {w: 0 for w in enrolled}
    for w, _, c in in_period:
        if w in made:
            made[w] += c
    buckets: dict[int, int] = {}
    for n in made.values():
        buckets[n] = buckets.get(n, 0) + 1
    return counts, buckets


async def _retention_both_ways(
    svc: RunningService, tenant: str, request: PeriodRequest, segment: Segment, weeks: int
) -> tuple[kpis_people.Retention, tuple[RetentionCurve, ...]]:
    """The read (through the marks when they can answer) and the plain computation from
    each member's share days."""
    async with svc.runtime.unit_of_work() as uow:
        kept = await kpis_people.retention(uow, manager(tenant), request, segment, weeks)
        cfg, _, scope = await resolve_scope(uow, manager(tenant), request, segment)
        plain = await kpis_people._retention_from_share_days(uow, scope, weeks, today(uow, cfg))
    return kept, plain


def _curves(r: kpis_people.Retention) -> dict[str, tuple[int, tuple[float | None, ...]]]:
    return {c.cohort.isoformat(): (c.size, c.points) for c in r.curves}


async def test_population_reads_equal_the_plain_computation(
    metrics: RunningService, tenant: str
) -> None:
    await _history(metrics, tenant)
    for request in PERIODS:
        for segment in SEGMENTS:
            async with metrics.runtime.unit_of_work() as uow:
                p = await kpis_people.participation(uow, manager(tenant), request, segment)
                c = await kpis_people.concentration(uow, manager(tenant), request, segment)
                buckets = await kpi_people.contribution_buckets(
                    uow.session, (await resolve_scope(uow, manager(tenant), request, segment))[2]
                )
            counts, plain_buckets = await _plain(metrics, tenant, p.period, segment)
            async with metrics.runtime.unit_of_work() as uow:
                scope = (await resolve_scope(uow, manager(tenant), request, segment))[2]
                kept = await member_months.usable(uow.session, scope)
            # Whole months of the whole tenant read the kept member months.
            assert (kept is not None) == (request in (MAY, APRIL) and segment == EVERYONE)
            assert p.counts == counts, (request, segment)
            assert buckets == plain_buckets, (request, segment)
            assert c.people == counts.enrolled
    async with metrics.runtime.unit_of_work() as uow:
        may = await kpis_people.participation(uow, manager(tenant), MAY, EVERYONE)
        gap = await kpis_people.participation(uow, manager(tenant), IN_BOBS_GAP, EVERYONE)
        p2 = await kpis_people.participation(
            uow, manager(tenant), MAY, Segment(programmes=frozenset({"p2"}))
        )
        april_c = await kpis_people.concentration(uow, manager(tenant), APRIL, EVERYONE)
    # May: ann, bob (p2 from 5 May), cat (p2), eve enrolled; dan only invited. ann, bob and
    # cat shared in May.
    assert may.counts == PopulationCounts(4, 3, 3, 0, 5, 4)
    # 20-30 April: ann and cat; bob had left p1 and not yet joined p2.
    assert gap.counts.enrolled == 2
    # p2 in May: bob, cat, eve enrolled; bob and cat shared.
    assert (p2.counts.enrolled, p2.counts.sharers) == (3, 2)
    # April: ann 2 shares, bob 1, cat 0 (three enrolled): top 5 % is one person (ann, 2 of 3).
    assert (april_c.people, april_c.contributions, april_c.top.contributions) == (3, 3, 2)


async def test_spans_and_marks_are_what_their_rules_give(
    metrics: RunningService, tenant: str
) -> None:
    await _history(metrics, tenant)
    async with metrics.runtime.db.session() as session:
        spans = {
            r[0]: tuple(r[1:])
            for r in await session.execute(
                text(
                    "SELECT ambassador_id, enrolled_at, targeted_at, left_at, gaps "
                    "FROM population_spans WHERE tenant = :t"
                ),
                {"t": tenant},
            )
        }
        members = (
            await session.execute(
                text(
                    "SELECT ambassador_id, programme_id, invited_at, enrolled_at, left_at "
                    "FROM memberships WHERE tenant = :t"
                ),
                {"t": tenant},
            )
        ).all()
        marks = {
            (r[0], r[1]): (r[2], r[3])
            for r in await session.execute(
                text(
                    "SELECT ambassador_id, programme_id, enrolled_day, weeks "
                    "FROM retention_marks WHERE tenant = :t"
                ),
                {"t": tenant},
            )
        }
        share_days: dict[str, list[date]] = {}
        for who, day in await session.execute(
            text(
                "SELECT ambassador_id, day FROM ambassador_daily WHERE tenant = :t AND shares > 0"
            ),
            {"t": tenant},
        ):
            share_days.setdefault(who, []).append(day)
    by_person: dict[str, list[MembershipDates]] = {}
    for who, _, invited, enrolled, left in members:
        by_person.setdefault(who, []).append(MembershipDates(invited, enrolled, left))
    assert spans.keys() == by_person.keys() == {"ann", "bob", "cat", "dan"} | {"eve"}
    for who, rows in by_person.items():
        span = person_span(rows)
        assert spans[who] == (span.enrolled_at, span.targeted_at, span.left_at, span.gaps), who
    assert [who for who, s in spans.items() if s[3]] == ["bob"]
    # One row per enrolment and one per person's first: dan, never enrolled, has none.
    expected = {}
    for who, programme, _, enrolled, _ in members:
        if enrolled is not None:
            expected[(who, programme)] = enrolled.date()
    for who in {w for w, _ in expected}:
        expected[(who, "")] = min(d for (w, _), d in list(expected.items()) if w == who)
    assert {k: v[0] for k, v in marks.items()} == expected
    for (who, programme), (day, bits) in marks.items():
        assert bits == week_marks(day, share_days.get(who, [])), (who, programme)
    # bob from 1 April: weeks 0 (3 Apr) and 5 (6 May); from his p2 enrolment (5 May): week 0.
    assert marks[("bob", "")][1] == 0b100001 and marks[("bob", "p2")][1] == 0b1


async def test_retention_from_marks_equals_the_share_days(
    metrics: RunningService, tenant: str
) -> None:
    await _history(metrics, tenant)
    quarter = PeriodRequest(PeriodName.QUARTER)
    kept, plain = await _retention_both_ways(metrics, tenant, quarter, EVERYONE, 4)
    # April cohort (ann, bob, cat from 1 April): week 0 ann and bob shared (2/3), week 1 ann
    # (9 April, 1/3), weeks 2-3 nobody. May cohort (eve, 10 May): week 0 is over (16 May),
    # she did not share; week 1 ends 23 May, not over on 20 May.
    assert _curves(kept) == {
        "2026-04-01": (3, (2 / 3, 1 / 3, 0.0, 0.0)),
        "2026-05-01": (1, (0.0, None, None, None)),
    }
    assert kept.curves == plain
    # p2 counts from each member's p2 enrolment: cat 3 April (no share in her weeks 0-3),
    # bob 5 May (shared 6 May: week 0; week 1 over on 19 May, no share), eve 10 May.
    p2 = Segment(programmes=frozenset({"p2"}))
    kept, plain = await _retention_both_ways(metrics, tenant, quarter, p2, 4)
    assert _curves(kept) == {
        "2026-04-01": (1, (0.0, 0.0, 0.0, 0.0)),
        "2026-05-01": (2, (0.5, 0.0, None, None)),
    }
    assert kept.curves == plain
    for request in PERIODS:
        for segment in SEGMENTS:
            for weeks in (1, 6, 52):
                kept, plain = await _retention_both_ways(metrics, tenant, request, segment, weeks)
                assert kept.curves == plain, (request, segment, weeks)


async def _months_by_member_flags(svc: RunningService, tenant: str) -> list[bool]:
    """For April and May, whole tenant: whether the read takes the member months, each
    read checked against the plain computation in the tenant's current zone."""
    taken = []
    for request in (APRIL, MAY):
        async with svc.runtime.unit_of_work() as uow:
            p = await kpis_people.participation(uow, manager(tenant), request, EVERYONE)
            scope = (await resolve_scope(uow, manager(tenant), request, EVERYONE))[2]
            buckets = await kpi_people.contribution_buckets(uow.session, scope)
            taken.append(await member_months.usable(uow.session, scope) is not None)
        counts, plain_buckets = await _plain(svc, tenant, p.period, EVERYONE)
        assert (p.counts, buckets) == (counts, plain_buckets), request
    return taken


async def test_a_new_zone_reads_share_days_until_the_marks_are_recounted(
    metrics: RunningService, tenant: str
) -> None:
    await _history(metrics, tenant)
    quarter = PeriodRequest(PeriodName.QUARTER)
    async with metrics.runtime.unit_of_work() as uow:
        assert not await populations.ensure_zone(uow, tenant)  # counted in UTC already
        # UTC+14: every 10:00 UTC enrolment is on the next local day.
        change = config.SettingsChange(timezone="Pacific/Kiritimati")
        await config.update_settings(uow, tenant, change)
    async with metrics.runtime.unit_of_work() as uow:
        _, _, scope = await resolve_scope(uow, manager(tenant), quarter, EVERYONE)
        assert await retention_marks.enrolment_days(uow.session, scope, 8) is None
    for segment in SEGMENTS:
        kept, plain = await _retention_both_ways(metrics, tenant, quarter, segment, 8)
        assert kept.curves == plain and kept.curves, segment
    assert await _months_by_member_flags(metrics, tenant) == [False, False]
    # The rolling boards round recounts them in the tenant's zone, once.
    async with metrics.runtime.unit_of_work() as uow:
        assert await populations.ensure_zone(uow, tenant)
    async with metrics.runtime.unit_of_work() as uow:
        assert not await populations.ensure_zone(uow, tenant)
        assert await retention_marks.enrolment_days(uow.session, scope, 8) is not None
    assert await _months_by_member_flags(metrics, tenant) == [True, True]
    async with metrics.runtime.db.session() as session:
        found = await session.execute(
            text(
                "SELECT DISTINCT timezone, enrolled_day FROM retention_marks "
                "WHERE tenant = :t AND ambassador_id = 'ann'"
            ),
            {"t": tenant},
        )
        assert list(found) == [("Pacific/Kiritimati", date(2026, 4, 2))]
    for segment in SEGMENTS:
        kept, plain = await _retention_both_ways(metrics, tenant, quarter, segment, 8)
        assert kept.curves == plain and kept.curves, segment


async def test_erasure_keeps_the_answers_and_forgets_the_id(
    metrics: RunningService, tenant: str
) -> None:
    await _history(metrics, tenant)
    quarter = PeriodRequest(PeriodName.QUARTER)

    async def answers() -> tuple[object, ...]:
        async with metrics.runtime.unit_of_work() as uow:
            p = await kpis_people.participation(uow, manager(tenant), MAY, EVERYONE)
            gap = await kpis_people.participation(uow, manager(tenant), IN_BOBS_GAP, EVERYONE)
            r = await kpis_people.retention(uow, manager(tenant), quarter, EVERYONE, 6)
        return p.counts, gap.counts, r.curves

    before = await answers()
    async with metrics.runtime.unit_of_work() as uow:
        await people.erased(uow, tenant, AmbassadorErased(ambassador_id="bob"))
    assert await answers() == before
    async with metrics.runtime.db.session() as session:
        for table in ("population_spans", "retention_marks"):
            left = await session.execute(
                text(f"SELECT count(*) FROM {table} WHERE tenant = :t AND ambassador_id = 'bob'"),
                {"t": tenant},
            )
            assert left.scalar_one() == 0, table


@pytest.mark.parametrize("weeks", [0, 64])
async def test_weeks_beyond_the_marks_are_read_from_share_days(
    metrics: RunningService, tenant: str, weeks: int
) -> None:
    """The API allows 1..52; the store still answers None outside what marks hold."""
    await _history(metrics, tenant)
    async with metrics.runtime.unit_of_work() as uow:
        _, _, scope = await resolve_scope(uow, manager(tenant), ALL_TIME, EVERYONE)
        assert await retention_marks.enrolment_days(uow.session, scope, weeks) is None
        assert await retention_marks.enrolment_days(uow.session, scope, 4) is not None
