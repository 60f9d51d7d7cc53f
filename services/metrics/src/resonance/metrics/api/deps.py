"""What the routes depend on: the typed runtime, who may call, and the filters KPIs and boards
share (period and segment). Role dependencies are named after who may call (an admin always
may, see require_roles)."""

from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Request
from pydantic import StringConstraints

from resonance.common.auth import Principal, Role, require_roles
from resonance.common.service import Runtime
from resonance.metrics.api.text import NO_NUL
from resonance.metrics.domain.segments import Segment
from resonance.metrics.domain.windows import PeriodName, PeriodRequest
from resonance.metrics.settings import MetricsSettings


# async so FastAPI calls it inline instead of hopping to its thread pool per request.
async def runtime(request: Request) -> Runtime[MetricsSettings]:
    rt: Runtime[MetricsSettings] = request.app.state.runtime
    return rt


Rt = Annotated[Runtime[MetricsSettings], Depends(runtime)]

# An ambassador acting on their own points, rank, badges, privacy and redemptions (`me`).
Ambassador = Annotated[Principal, Depends(require_roles(Role.AMBASSADOR))]
# Programme managers: every KPI, point rules, rewards, challenges, redemptions, settings.
ProgrammeManager = Annotated[Principal, Depends(require_roles(Role.PROGRAM_MANAGER))]
# Content KPIs (mix, items, reach, networks, campaigns, echo, EMV): communicators too.
ContentKpiReader = Annotated[
    Principal, Depends(require_roles(Role.PROGRAM_MANAGER, Role.COMMUNICATOR))
]
# Anyone taking part: boards, the reward catalogue, challenges, the published count.
AnyMember = Annotated[
    Principal,
    Depends(require_roles(Role.AMBASSADOR, Role.PROGRAM_MANAGER, Role.COMMUNICATOR)),
]

Value = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NO_NUL)]
Values = Annotated[list[Value], Query(max_length=20)]


async def period_request(
    period: Annotated[
        PeriodName, Query(description="rolling_30d, week, month, quarter, all or custom")
    ] = PeriodName.ROLLING_30D,
    start: Annotated[date | None, Query(description="custom: first local day")] = None,
    end: Annotated[date | None, Query(description="custom: local day after the last")] = None,
) -> PeriodRequest:
    return PeriodRequest(period, start, end)


async def segment(
    programme: Values = [],  # noqa: B006 - FastAPI copies defaults per request
    brand: Values = [],  # noqa: B006
    entity: Values = [],  # noqa: B006
    site: Values = [],  # noqa: B006
    country: Values = [],  # noqa: B006
    job_family: Values = [],  # noqa: B006
) -> Segment:
    return Segment(
        programmes=frozenset(programme),
        brands=frozenset(brand),
        entities=frozenset(entity),
        sites=frozenset(site),
        countries=frozenset(country),
        job_families=frozenset(job_family),
    )


Period = Annotated[PeriodRequest, Depends(period_request)]
SegmentFilter = Annotated[Segment, Depends(segment)]


Limit = Annotated[int, Query(ge=1, le=100, description="page size")]
Cursor = Annotated[str | None, Query(max_length=200, description="from a previous next_cursor")]
