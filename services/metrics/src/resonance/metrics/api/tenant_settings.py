"""The tenant's reporting settings and the company page's reach."""

from fastapi import APIRouter

from resonance.common.api_paging import INVALID_CURSOR, PageCursor, PageLimit
from resonance.common.paging import DEFAULT_LIMIT
from resonance.metrics.api.deps import ProgrammeManager, Rt
from resonance.metrics.api.schemas_settings import (
    CompanyReachIn,
    CompanyReachOut,
    CompanyReachPage,
    EmvIn,
    EmvRatesIn,
    ReachRatesIn,
    SettingsIn,
    SettingsOut,
)
from resonance.metrics.domain.emv import EmvRates
from resonance.metrics.service import config
from resonance.metrics.service.config import SettingsChange, TenantConfig

router = APIRouter(prefix="/v1/settings", tags=["settings"])


def _rates(rates: EmvRates) -> EmvRatesIn:
    return EmvRatesIn(
        cpm=rates.cpm,
        cpc=rates.cpc,
        per_reaction=rates.per_reaction,
        per_comment=rates.per_comment,
        per_reshare=rates.per_reshare,
    )


def _out(c: TenantConfig) -> SettingsOut:
    return SettingsOut(
        timezone=c.timezone,
        company_share_target=c.company_share_target,
        lapse_days=c.lapse_after.days,
        reach_rates=ReachRatesIn(
            default=c.reach_rates.default, by_network=dict(c.reach_rates.by_network)
        ),
        emv=EmvIn(
            currency=c.emv.currency,
            default=_rates(c.emv.default),
            by_network={n: _rates(r) for n, r in c.emv.by_network.items()},
        ),
        digest_recipients=list(c.digest_recipients),
        programme_recipients={k: list(v) for k, v in c.programme_recipients.items()},
    )


@router.get("", response_model=SettingsOut, summary="Reporting settings, defaults filled in")
async def read_settings(principal: ProgrammeManager, rt: Rt) -> SettingsOut:
    async with rt.unit_of_work() as uow:
        found = await config.tenant_config(uow, principal.tenant)
    return _out(found)


@router.put("", response_model=SettingsOut, summary="Change reporting settings")
async def update_settings(body: SettingsIn, principal: ProgrammeManager, rt: Rt) -> SettingsOut:
    change = SettingsChange(
        timezone=body.timezone,
        company_share_target=body.company_share_target,
        lapse_days=body.lapse_days,
        reach_rates=body.reach_rates.model_dump() if body.reach_rates else None,
        emv=body.emv.model_dump(mode="json", exclude_none=True) if body.emv else None,
        digest_recipients=[str(r) for r in body.digest_recipients]
        if body.digest_recipients is not None
        else None,
        programme_recipients={k: [str(r) for r in v] for k, v in body.programme_recipients.items()}
        if body.programme_recipients is not None
        else None,
    )
    async with rt.unit_of_work() as uow:
        updated = await config.update_settings(uow, principal.tenant, change)
    return _out(updated)


@router.put(
    "/company-reach",
    response_model=CompanyReachOut,
    summary="The company page's reach over a period (for the employee vs company ratio)",
)
async def set_company_reach(
    body: CompanyReachIn, principal: ProgrammeManager, rt: Rt
) -> CompanyReachOut:
    async with rt.unit_of_work() as uow:
        row = await config.set_company_reach(
            uow, principal.tenant, body.first_day, body.end_day, body.reach, body.audience
        )
    return CompanyReachOut(
        first_day=row.first_day, end_day=row.end_day, reach=row.reach, audience=row.audience
    )


@router.get(
    "/company-reach",
    response_model=CompanyReachPage,
    summary="The company's own reach figures, by first day",
    responses=INVALID_CURSOR,
)
async def list_company_reach(
    principal: ProgrammeManager, rt: Rt, limit: PageLimit = DEFAULT_LIMIT, cursor: PageCursor = None
) -> CompanyReachPage:
    async with rt.unit_of_work() as uow:
        page = await config.company_reach(uow, principal.tenant, limit, cursor)
    return CompanyReachPage(
        items=[
            CompanyReachOut(
                first_day=r.first_day, end_day=r.end_day, reach=r.reach, audience=r.audience
            )
            for r in page.rows
        ],
        next_cursor=page.next_cursor,
    )
