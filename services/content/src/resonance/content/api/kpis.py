"""The content mix KPI: company vs market share of what was published, against the target."""

from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import BaseModel

from resonance.content.api.deps import NO_NUL, Editor, Rt
from resonance.content.api.timestamps import Timestamp
from resonance.content.service import kpis

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
    principal: Editor,
    rt: Rt,
    brand: str | None = Query(default=None, max_length=100),
    since: Timestamp | None = None,
    until: Timestamp | None = None,
) -> MixOut:
    async with rt.unit_of_work() as uow:
        report = await kpis.content_mix(uow, principal, brand, since, until)
    return MixOut(
        tenant=principal.tenant,
        brand=brand,
        since=report.since,
        until=report.until,
        **report.mix.__dict__,
    )
