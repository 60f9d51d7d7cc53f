"""Monthly digests: the list, each one as JSON or HTML, and a preview of the month so far."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from resonance.common.api_paging import INVALID_CURSOR, Page, PageCursor, PageLimit
from resonance.common.paging import DEFAULT_LIMIT
from resonance.metrics.api.deps import ProgrammeManager, Rt
from resonance.metrics.jobs.digest import render
from resonance.metrics.service import digests
from resonance.metrics.store.tables_reports import DigestRow

router = APIRouter(prefix="/v1/digests", tags=["digests"])
HTML = {"content": {"text/html": {}}, "description": "The digest as a web page"}


class DigestOut(BaseModel):
    id: uuid.UUID
    programme_id: str | None
    label: str
    period_start: datetime
    period_end: datetime
    status: str
    created_at: datetime
    sent_at: datetime | None
    data: dict[str, Any]


def _out(row: DigestRow) -> DigestOut:
    return DigestOut(
        id=row.id,
        programme_id=row.programme_id,
        label=row.label,
        period_start=row.period_start,
        period_end=row.period_end,
        status=row.status,
        created_at=row.created_at,
        sent_at=row.sent_at,
        data=row.data,
    )


class DigestPage(Page[DigestOut]):
    """Digests made, newest first."""


@router.get(
    "",
    response_model=DigestPage,
    summary="Digests made, newest first",
    responses=INVALID_CURSOR,
)
async def list_digests(
    principal: ProgrammeManager,
    rt: Rt,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> DigestPage:
    async with rt.unit_of_work() as uow:
        page = await digests.listing(uow, principal, limit, cursor)
    return DigestPage(items=[_out(r) for r in page.rows], next_cursor=page.next_cursor)


@router.get(
    "/preview",
    response_class=HTMLResponse,
    summary="The digest of the month so far, as a web page (not stored, not sent)",
    responses={200: HTML},
)
async def preview(
    principal: ProgrammeManager,
    rt: Rt,
    programme: Annotated[str | None, Query(max_length=100)] = None,
) -> HTMLResponse:
    async with rt.unit_of_work() as uow:
        gathered = await digests.preview(uow, principal, programme)
    _, html = render(gathered, "inline")
    return HTMLResponse(html)


@router.get(
    "/{digest_id}",
    response_model=DigestOut,
    summary="One digest: JSON, or the web page with Accept: text/html or format=html",
    responses={200: HTML, 404: {"description": "No such digest"}},
)
async def read_digest(
    digest_id: uuid.UUID,
    request: Request,
    principal: ProgrammeManager,
    rt: Rt,
    format: Literal["json", "html"] | None = None,
) -> Response | DigestOut:
    async with rt.unit_of_work() as uow:
        row = await digests.read(uow, principal, digest_id)
    wants_html = format == "html" or (
        format is None and "text/html" in request.headers.get("accept", "")
    )
    if wants_html:
        return HTMLResponse(row.html)
    return _out(row)
