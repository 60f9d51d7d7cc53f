"""RSS/Atom sources of market (or company) content, polled on a schedule."""

import uuid

from fastapi import APIRouter, Query, status

from resonance.common.api_paging import CURSOR_DOC, Page
from resonance.content.api.deps import NO_NUL, Editor, Rt
from resonance.content.api.schemas_sources import PollOut, SourceIn, SourceOut
from resonance.content.service import sources
from resonance.content.store.tables import Source

router = APIRouter(prefix="/v1/sources", tags=["sources"], dependencies=NO_NUL)

NOT_FOUND = {"description": "No such source"}


def _out(s: Source) -> SourceOut:
    return SourceOut(
        id=str(s.id),
        name=s.name,
        url=s.url,
        family=s.family,
        category=s.category,
        language=s.language,
        brand=s.brand,
        tags=list(s.tags),
        auto_approve=s.auto_approve,
        poll_interval_s=s.poll_interval_s,
        active=s.active,
        last_polled_at=s.last_polled_at,
        last_error=s.last_error,
        failures=s.failures,
        next_poll_at=s.next_poll_at,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SourceOut,
    summary="Add a feed source (first poll at once)",
)
async def create_source(body: SourceIn, principal: Editor, rt: Rt) -> SourceOut:
    async with rt.unit_of_work() as uow:
        row = await sources.create_source(uow, principal, body)
    return _out(row)


@router.get("", response_model=Page[SourceOut], summary="The tenant's sources, oldest first")
async def list_sources(
    principal: Editor,
    rt: Rt,
    cursor: str | None = Query(default=None, max_length=200, description=CURSOR_DOC),
    limit: int = Query(default=50, ge=1, le=200),
) -> Page[SourceOut]:
    async with rt.unit_of_work() as uow:
        page = await sources.list_sources(uow, principal, cursor, limit)
    return Page(items=[_out(s) for s in page.rows], next_cursor=page.next_cursor)


@router.put(
    "/{source_id}",
    response_model=SourceOut,
    summary="Replace a source's settings",
    responses={404: NOT_FOUND},
)
async def put_source(source_id: uuid.UUID, body: SourceIn, principal: Editor, rt: Rt) -> SourceOut:
    async with rt.unit_of_work() as uow:
        row = await sources.replace_source(uow, principal, source_id, body)
    return _out(row)


@router.post(
    "/{source_id}/poll",
    response_model=PollOut,
    summary="Poll a source now",
    responses={404: NOT_FOUND},
)
async def poll_now(source_id: uuid.UUID, principal: Editor, rt: Rt) -> PollOut:
    # Not in one unit of work: the feed is read between two.
    result = await sources.poll_now(rt, principal, source_id)
    return PollOut(created=result.created, duplicates=result.duplicates, error=result.error)
