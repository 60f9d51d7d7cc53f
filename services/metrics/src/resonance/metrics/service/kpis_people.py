"""KPIs about people: participation, activation, targeted engagement, active rate, retention
cohorts, concentration and the most active people (domain/kpis.py, retention.py,
concentration.py compute; store/kpi_people.py counts)."""

from dataclasses import dataclass
from datetime import date

from resonance.common.auth import Principal
from resonance.metrics.domain import kpis
from resonance.metrics.domain.concentration import Distribution, TopShare, gini, top_share
from resonance.metrics.domain.periods import Period
from resonance.metrics.domain.retention import (
    CohortWeek,
    RetentionCurve,
    cohort_weeks,
    retention_curve,
    week_is_over,
)
from resonance.metrics.domain.segments import Segment
from resonance.metrics.domain.windows import PeriodRequest
from resonance.metrics.service import Uow
from resonance.metrics.service.scope import resolve_scope, today
from resonance.metrics.store import kpi_people, retention_marks
from resonance.metrics.store.kpi_people import PersonTotals, PopulationCounts
from resonance.metrics.store.kpi_scope import Scope


@dataclass(frozen=True)
class Participation:
    period: Period
    counts: PopulationCounts
    participation: float | None
    activation: float | None
    targeted_engagement: float | None
    active_rate: float | None


async def participation(
    uow: Uow, principal: Principal, request: PeriodRequest, segment: Segment
) -> Participation:
    _, period, scope = await resolve_scope(uow, principal, request, segment)
    c = await kpi_people.population_counts(uow.session, scope)
    return Participation(
        period=period,
        counts=c,
        participation=kpis.participation_rate(c.sharers, c.enrolled),
        activation=kpis.activation_rate(c.connected, c.enrolled),
        targeted_engagement=kpis.targeted_engagement_rate(c.engaged, c.targeted),
        active_rate=kpis.active_rate(c.active, c.enrolled),
    )


@dataclass(frozen=True)
class Concentration:
    period: Period
    people: int
    contributions: int
    top: TopShare
    gini: float | None


async def concentration(
    uow: Uow, principal: Principal, request: PeriodRequest, segment: Segment
) -> Concentration:
    """Contributions of the people enrolled in the period, those who made none included."""
    _, period, scope = await resolve_scope(uow, principal, request, segment)
    distribution = Distribution.from_counts(
        await kpi_people.contribution_buckets(uow.session, scope)
    )
    return Concentration(
        period=period,
        people=distribution.people,
        contributions=distribution.total,
        top=top_share(distribution),
        gini=gini(distribution),
    )


@dataclass(frozen=True)
class Retention:
    period: Period
    weeks: int
    curves: tuple[RetentionCurve, ...]


async def retention(
    uow: Uow, principal: Principal, request: PeriodRequest, segment: Segment, weeks: int
) -> Retention:
    """One curve per month of first enrolment within the period: for week k after each
    member's own enrolment, the share of the members whose week k is over who shared in it."""
    config, period, scope = await resolve_scope(uow, principal, request, segment)
    now_day = today(uow, config)
    marked = await retention_marks.enrolment_days(uow.session, scope, weeks)
    if marked is None:  # the kept marks cannot answer (another zone): the share days can
        return Retention(
            period, weeks, await _retention_from_share_days(uow, scope, weeks, now_day)
        )
    cohorts = cohort_weeks(marked, weeks, now_day)
    curves = [retention_curve(c, size, points) for c, (size, points) in sorted(cohorts.items())]
    return Retention(period, weeks, tuple(curves))


async def _retention_from_share_days(
    uow: Uow, scope: Scope, weeks: int, now_day: date
) -> tuple[RetentionCurve, ...]:
    """The plain computation: each cohort member's share days read one by one."""
    rows = await kpi_people.cohorts(uow.session, scope, weeks, now_day)
    curves = []
    for cohort in sorted(rows.sizes):
        members = rows.sizes[cohort]
        points = [
            CohortWeek(
                week=k,
                observed=sum(n for day, n in members.items() if week_is_over(day, k, now_day)),
                active=rows.active.get((cohort, k), 0),
            )
            for k in range(weeks)
        ]
        curves.append(retention_curve(cohort, sum(members.values()), points))
    return tuple(curves)


async def top_people(
    uow: Uow, principal: Principal, request: PeriodRequest, segment: Segment, by: str, limit: int
) -> tuple[Period, list[PersonTotals]]:
    """The most active people, never those hidden by their privacy choice."""
    _, period, scope = await resolve_scope(uow, principal, request, segment)
    return period, await kpi_people.top_people(uow.session, scope, by, limit)
