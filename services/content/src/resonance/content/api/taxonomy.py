"""What targeting can name in the caller's tenant (read-only)."""

from fastapi import APIRouter

from resonance.common.events.catalogue import Targeting
from resonance.content.api.deps import Editor, Rt
from resonance.content.service import taxonomy

router = APIRouter(prefix="/v1/taxonomy", tags=["items"])


class TaxonomyOut(Targeting):
    """Per targeting field, the values the tenant's ambassadors have (from their profiles),
    alphabetical; values differing only by case are listed once (targeting ignores case)."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "brands": ["acme", "acme-bank"],
                    "entities": [],
                    "job_families": ["engineering", "sales"],
                    "sites": ["Lyon", "Paris"],
                    "countries": ["DE", "FR"],
                    "languages": ["de", "fr"],
                    "programmes": ["p-2026"],
                    "worker_types": ["employee"],
                }
            ]
        }
    }


@router.get(
    "",
    response_model=TaxonomyOut,
    summary="The targeting values that exist in the tenant (brands, sites, job families...)",
)
async def read_taxonomy(principal: Editor, rt: Rt) -> TaxonomyOut:
    async with rt.unit_of_work() as uow:
        values = await taxonomy.targeting_values(uow, principal)
    return TaxonomyOut(**values)
