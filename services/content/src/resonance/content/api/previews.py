"""Link previews read from the target page (SSRF-guarded)."""

from fastapi import APIRouter
from pydantic import BaseModel, HttpUrl

from resonance.content.api.deps import NO_NUL, Editor, Rt
from resonance.content.service import previews

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
async def preview(body: PreviewIn, principal: Editor, rt: Rt) -> PreviewOut:
    # Not in a unit of work: no transaction stays open while the page answers.
    found = await previews.preview_link(rt, principal, str(body.url))
    return PreviewOut(**found.__dict__)
