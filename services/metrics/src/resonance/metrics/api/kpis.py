"""Key figures of a tenant's programme."""

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from resonance.common.auth import Principal, Role, require_roles
from resonance.common.service import Runtime, runtime_of
from resonance.metrics.store.published import count_by_family

router = APIRouter(prefix="/v1/kpis", tags=["kpis"])


class PublishedCount(BaseModel):
    tenant: str
    published_items: int
    by_family: dict[str, int]


@router.get("/published", response_model=PublishedCount, summary="Published content items")
async def published_count(
    principal: Principal = Depends(
        require_roles(Role.PROGRAM_MANAGER, Role.COMMUNICATOR, Role.AMBASSADOR)
    ),
    runtime: Runtime = Depends(runtime_of),
) -> PublishedCount:
    async with runtime.db.session() as session:
        by_family = await count_by_family(session, principal.tenant)
    return PublishedCount(
        tenant=principal.tenant, published_items=sum(by_family.values()), by_family=by_family
    )
