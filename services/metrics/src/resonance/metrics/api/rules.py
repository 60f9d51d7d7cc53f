"""Point rules: versioned, never retroactive."""

from fastapi import APIRouter, status

from resonance.common.api_paging import INVALID_CURSOR, Page, PageCursor, PageLimit
from resonance.common.paging import DEFAULT_LIMIT
from resonance.metrics.api.deps import ProgrammeManager, Rt
from resonance.metrics.api.schemas_gamification import PointRulesIn, PointRulesOut
from resonance.metrics.domain.points import PointRules
from resonance.metrics.service import points

router = APIRouter(prefix="/v1/points/rules", tags=["points"])


def _out(rules: PointRules) -> PointRulesOut:
    return PointRulesOut(
        version=rules.version,
        effective_from=rules.effective_from,
        share_by_network=dict(rules.share_by_network),
        share_default=rules.share_default,
        click=rules.click,
        click_cap_per_share=rules.click_cap_per_share,
        click_cap_per_day=rules.click_cap_per_day,
        submission_approved=rules.submission_approved,
        conversion_by_kind=dict(rules.conversion_by_kind),
        conversion_default=rules.conversion_default,
        event_attended=rules.event_attended,
        reach_milestones=[(t, p) for t, p in rules.reach_milestones],
    )


class PointRulesPage(Page[PointRulesOut]):
    """Every version of the point rules, oldest first."""


@router.get(
    "",
    response_model=PointRulesPage,
    summary="Every version of the point rules, oldest first",
    responses=INVALID_CURSOR,
)
async def list_rules(
    principal: ProgrammeManager, rt: Rt, limit: PageLimit = DEFAULT_LIMIT, cursor: PageCursor = None
) -> PointRulesPage:
    async with rt.unit_of_work() as uow:
        page = await points.rules_page(uow, principal.tenant, limit, cursor)
    return PointRulesPage(items=[_out(r) for r in page.rows], next_cursor=page.next_cursor)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PointRulesOut,
    summary="Add the next version, in force from effective_from (not in the past)",
    responses={409: {"description": "Backdated, or not after the latest version"}},
)
async def add_rules(body: PointRulesIn, principal: ProgrammeManager, rt: Rt) -> PointRulesOut:
    fields = body.model_dump(exclude={"effective_from"})
    async with rt.unit_of_work() as uow:
        rules = await points.add_rules(
            uow, principal.tenant, principal.subject, body.effective_from, fields
        )
    return _out(rules)
