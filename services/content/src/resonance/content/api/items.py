"""Content items: the walking skeleton's create-and-publish endpoint."""

from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field, HttpUrl

from resonance.common.auth import Principal, Role, require_roles
from resonance.common.events.catalogue import ContentPublished
from resonance.common.service import Runtime, runtime_of
from resonance.content.store.tables import ContentItem

router = APIRouter(prefix="/v1/items", tags=["items"])


class ItemIn(BaseModel):
    family: Literal["company", "market"]
    format: Literal["link", "image", "video", "text"] = "link"
    title: str = Field(min_length=1, max_length=300)
    body: str | None = Field(default=None, max_length=10_000)
    url: HttpUrl | None = None
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}(-[A-Z]{2})?$")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "family": "company",
                    "format": "link",
                    "title": "We are hiring 40 engineers in Lyon",
                    "url": "https://careers.example.com/lyon",
                    "language": "en",
                }
            ]
        }
    }


class ItemOut(BaseModel):
    id: str
    family: str
    format: str
    title: str
    status: str
    published_at: datetime | None


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ItemOut,
    summary="Create a content item and publish it at once",
)
async def create_and_publish(
    item: ItemIn,
    principal: Principal = Depends(require_roles(Role.COMMUNICATOR, Role.PROGRAM_MANAGER)),
    runtime: Runtime = Depends(runtime_of),
) -> ItemOut:
    now = datetime.now(UTC)
    row = ContentItem(
        tenant=principal.tenant,
        family=item.family,
        format=item.format,
        title=item.title,
        body=item.body,
        url=str(item.url) if item.url else None,
        language=item.language,
        status="published",
        created_by=principal.subject,
        published_at=now,
    )
    async with runtime.db.transaction() as session:
        session.add(row)
        await runtime.outbox.add(
            session,
            principal.tenant,
            ContentPublished(
                content_id=str(row.id),
                family=item.family,
                format=item.format,
                title=item.title,
                body=item.body,
                url=row.url,
                language=item.language,
                publish_at=now,
            ),
        )
    return ItemOut(
        id=str(row.id),
        family=row.family,
        format=row.format,
        title=row.title,
        status=row.status,
        published_at=row.published_at,
    )
