"""Link previews read from the target page (SSRF-guarded)."""

from fastapi import APIRouter, Depends
from pydantic import BaseModel, HttpUrl

from resonance.common.auth import Principal
from resonance.common.service import Runtime, runtime_of
from resonance.content.api.checks import NO_NUL, fetch_policy, preview_or_problem, writer
from resonance.content.settings import ContentSettings
from resonance.content.store.tenants import tenant_settings

router = APIRouter(prefix="/v1/previews", tags=["items"], dependencies=NO_NUL)


class PreviewIn(BaseModel):
    url: HttpUrl

    model_config = {"json_schema_extra": {"examples": [{"url": "https://news.example.org/a"}]}}


class PreviewOut(BaseModel):
    url: str
    canonical_url: str
    title: str | None
    description: str | None
    image_url: str | None
    site_name: str | None

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "url": "https://news.example.org/a?utm_source=x",
                    "canonical_url": "https://news.example.org/a",
                    "title": "Five trends in industrial IoT",
                    "description": "Sensors, edge computing and predictive maintenance.",
                    "image_url": "https://news.example.org/a.png",
                    "site_name": "Example news",
                }
            ]
        }
    }


@router.post(
    "",
    response_model=PreviewOut,
    summary="Read a link's title, description, image and canonical URL",
    responses={422: {"description": "Refused (private address, scheme) or unreadable link"}},
)
async def preview(
    body: PreviewIn,
    principal: Principal = Depends(writer),
    runtime: Runtime = Depends(runtime_of),
) -> PreviewOut:
    assert isinstance(runtime.settings, ContentSettings)
    async with runtime.db.session() as session:
        tenant = await tenant_settings(session, principal.tenant)
    found = await preview_or_problem(str(body.url), fetch_policy(runtime.settings, tenant))
    return PreviewOut(**found.__dict__)
