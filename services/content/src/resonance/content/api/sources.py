"""RSS/Atom sources of market (or company) content, polled on a schedule."""

import uuid
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field, HttpUrl
from sqlalchemy import select

from resonance.common.auth import Principal
from resonance.common.errors import Problem
from resonance.common.service import Runtime, runtime_of
from resonance.content.api.checks import NO_NUL, writer
from resonance.content.api.schemas import LANGUAGE
from resonance.content.domain.taxonomy import EditorialFamily, category_error
from resonance.content.jobs.sources import poll_source
from resonance.content.store.tables import Source

router = APIRouter(prefix="/v1/sources", tags=["sources"], dependencies=NO_NUL)


class SourceIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    url: HttpUrl
    family: EditorialFamily = "market"
    category: str | None = None
    language: str | None = Field(default=None, pattern=LANGUAGE)
    brand: str | None = Field(default=None, max_length=100)
    tags: list[str] = Field(default_factory=list, max_length=30)
    auto_approve: bool = Field(
        default=False,
        description="Publish new entries at once (programme managers only); else drafts.",
    )
    poll_interval_s: int = Field(default=3600, ge=60, le=7 * 86400)
    active: bool = True

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "name": "Industry news",
                    "url": "https://news.example.org/feed.atom",
                    "family": "market",
                    "category": "industry_news",
                    "language": "en",
                    "poll_interval_s": 1800,
                }
            ]
        }
    }


class SourceOut(SourceIn):
    id: str
    last_polled_at: datetime | None
    last_error: str | None
    next_poll_at: datetime


class PollOut(BaseModel):
    created: int
    duplicates: int
    error: str | None

    model_config = {
        "json_schema_extra": {"examples": [{"created": 3, "duplicates": 1, "error": None}]}
    }


def _out(s: Source) -> SourceOut:
    return SourceOut(
        id=str(s.id),
        name=s.name,
        url=s.url,  # type: ignore[arg-type]
        family=s.family,  # type: ignore[arg-type]
        category=s.category,
        language=s.language,
        brand=s.brand,
        tags=list(s.tags),
        auto_approve=s.auto_approve,
        poll_interval_s=s.poll_interval_s,
        active=s.active,
        last_polled_at=s.last_polled_at,
        last_error=s.last_error,
        next_poll_at=s.next_poll_at,
    )


def _check(body: SourceIn, principal: Principal) -> None:
    error = category_error(body.family, body.category)
    if error:
        raise Problem(422, "Invalid category", error)
    if body.auto_approve and not principal.has_any("program_manager", "admin"):
        raise Problem(403, "Forbidden", "only a programme manager may auto-approve a source")


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SourceOut,
    summary="Add a feed source (first poll at once)",
)
async def create_source(
    body: SourceIn, principal: Principal = Depends(writer), runtime: Runtime = Depends(runtime_of)
) -> SourceOut:
    _check(body, principal)
    row = Source(
        tenant=principal.tenant,
        name=body.name,
        url=str(body.url),
        family=body.family,
        category=body.category,
        language=body.language,
        brand=body.brand,
        tags=sorted({t.strip().lower() for t in body.tags if t.strip()}),
        auto_approve=body.auto_approve,
        poll_interval_s=body.poll_interval_s,
        active=body.active,
        next_poll_at=datetime.now(UTC),
        created_by=principal.subject,
    )
    async with runtime.db.transaction() as session:
        session.add(row)
    return _out(row)


@router.get("", response_model=list[SourceOut], summary="The tenant's sources")
async def list_sources(
    principal: Principal = Depends(writer), runtime: Runtime = Depends(runtime_of)
) -> list[SourceOut]:
    async with runtime.db.session() as session:
        rows = (
            await session.execute(
                select(Source).where(Source.tenant == principal.tenant).order_by(Source.created_at)
            )
        ).scalars()
        return [_out(s) for s in rows]


async def _owned(runtime: Runtime, principal: Principal, source_id: uuid.UUID) -> None:
    async with runtime.db.session() as session:
        found = await session.execute(
            select(Source.id).where(Source.tenant == principal.tenant, Source.id == source_id)
        )
        if found.first() is None:
            raise Problem(404, "Not Found", f"no source {source_id}")


@router.put(
    "/{source_id}",
    response_model=SourceOut,
    summary="Replace a source's settings",
    responses={404: {"description": "No such source"}},
)
async def put_source(
    source_id: uuid.UUID,
    body: SourceIn,
    principal: Principal = Depends(writer),
    runtime: Runtime = Depends(runtime_of),
) -> SourceOut:
    _check(body, principal)
    await _owned(runtime, principal, source_id)
    async with runtime.db.transaction() as session:
        row = await session.get(Source, source_id, with_for_update=True)
        assert row is not None
        row.name = body.name
        row.url = str(body.url)
        row.family = body.family
        row.category = body.category
        row.language = body.language
        row.brand = body.brand
        row.tags = sorted({t.strip().lower() for t in body.tags if t.strip()})
        row.auto_approve = body.auto_approve
        row.poll_interval_s = body.poll_interval_s
        row.active = body.active
    return _out(row)


@router.post(
    "/{source_id}/poll",
    response_model=PollOut,
    summary="Poll a source now",
    responses={404: {"description": "No such source"}},
)
async def poll_now(
    source_id: uuid.UUID,
    principal: Principal = Depends(writer),
    runtime: Runtime = Depends(runtime_of),
) -> PollOut:
    await _owned(runtime, principal, source_id)
    result = await poll_source(runtime, source_id)
    return PollOut(created=result.created, duplicates=result.duplicates, error=result.error)
