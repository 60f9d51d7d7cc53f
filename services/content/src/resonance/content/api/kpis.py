"""The content mix KPI: company vs market share of what was published, against the target."""

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy import func, select

from resonance.common.auth import Principal
from resonance.common.errors import Problem
from resonance.common.service import Runtime, runtime_of
from resonance.content.api.checks import NO_NUL, writer
from resonance.content.domain.mix import compute_mix
from resonance.content.store.tables import ContentItem
from resonance.content.store.tenants import tenant_settings

router = APIRouter(prefix="/v1/kpis", tags=["kpis"], dependencies=NO_NUL)


class MixOut(BaseModel):
    tenant: str
    brand: str | None
    since: datetime
    until: datetime
    company: int
    market: int
    company_share: float | None
    market_share: float | None
    target_company_share: float
    deviation: float | None
    on_target: bool | None

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "tenant": "acme",
                    "brand": None,
                    "since": "2026-10-23T00:00:00Z",
                    "until": "2026-11-22T00:00:00Z",
                    "company": 12,
                    "market": 40,
                    "company_share": 0.2308,
                    "market_share": 0.7692,
                    "target_company_share": 0.2,
                    "deviation": 0.0308,
                    "on_target": True,
                }
            ]
        }
    }


@router.get(
    "/mix",
    response_model=MixOut,
    summary="Company/market ratio of items published in a period (default: 30 days)",
)
async def mix(
    brand: str | None = Query(default=None, max_length=100),
    since: datetime | None = None,
    until: datetime | None = None,
    principal: Principal = Depends(writer),
    runtime: Runtime = Depends(runtime_of),
) -> MixOut:
    until = until or datetime.now(UTC)
    since = since or until - timedelta(days=30)
    if since.tzinfo is None or until.tzinfo is None:
        raise Problem(422, "Invalid period", "since and until need a timezone")
    if since >= until:
        raise Problem(422, "Invalid period", "since must be before until")
    query = (
        select(ContentItem.family, func.count())
        .where(
            ContentItem.tenant == principal.tenant,
            ContentItem.published_at >= since,  # type: ignore[operator]
            ContentItem.published_at < until,  # type: ignore[operator]
            ContentItem.family.in_(["company", "market"]),  # type: ignore[attr-defined]
        )
        .group_by(ContentItem.family)
    )
    if brand is not None:
        query = query.where(ContentItem.brand == brand)
    async with runtime.db.session() as session:
        counts = dict((await session.execute(query)).tuples().all())
        settings = await tenant_settings(session, principal.tenant)
    result = compute_mix(
        counts.get("company", 0), counts.get("market", 0), settings.mix_target_company
    )
    return MixOut(tenant=principal.tenant, brand=brand, since=since, until=until, **result.__dict__)
