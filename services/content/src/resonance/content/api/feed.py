"""The ambassador's feed: what is targeted at them, live, and not yet shared by them."""

import json
import uuid
from datetime import datetime
from typing import Any, Literal

import asyncpg
from fastapi import APIRouter, Query, Response
from pydantic import BaseModel
from pydantic_core import to_json

from resonance.content.api.deps import NO_NUL, Ambassador, FeedReader, Rt
from resonance.content.api.schemas import CaptionOut
from resonance.content.service.feed import FeedFilters, feed_item, feed_page

router = APIRouter(prefix="/v1/feed", tags=["feed"], dependencies=NO_NUL)


class FeedItem(BaseModel):
    id: str
    family: str
    category: str | None
    format: str
    title: str
    body: str | None
    url: str | None
    image_url: str | None
    preview_title: str | None
    preview_description: str | None
    language: str | None
    brand: str | None
    tags: list[str]
    campaign_id: str | None
    pinned: bool
    must_read: bool
    published_at: datetime
    expires_at: datetime | None
    captions: list[CaptionOut]


class FeedPage(BaseModel):
    items: list[FeedItem]
    next_cursor: str | None
    disclosure: str | None

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "items": [
                        {
                            "id": "5b0c2a5e-8d7f-4a43-9a55-1f2ad4f6d1a1",
                            "family": "market",
                            "category": "analysis",
                            "format": "link",
                            "title": "Five trends in industrial IoT",
                            "body": None,
                            "url": "https://news.example.org/iot-trends",
                            "image_url": "https://news.example.org/iot.png",
                            "preview_title": "Five trends in industrial IoT",
                            "preview_description": "An analysis of ...",
                            "language": "en",
                            "brand": None,
                            "tags": ["iot"],
                            "campaign_id": None,
                            "pinned": False,
                            "must_read": True,
                            "published_at": "2026-11-22T08:00:00Z",
                            "expires_at": None,
                            "captions": [
                                {
                                    "network": "linkedin",
                                    "language": "en",
                                    "variant": 1,
                                    "text": "Worth a read",
                                }
                            ],
                        }
                    ],
                    "next_cursor": "WzAsMSwiMjAyNi0xMS0yMlQwODowMDowMCswMDowMCIsIjViMGMiXQ",
                    "disclosure": "#employee",
                }
            ]
        }
    }


def _item(r: asyncpg.Record) -> dict[str, Any]:
    """A FeedItem document from a feed row."""
    return {
        "id": r["id"],
        "family": r["family"],
        "category": r["category"],
        "format": r["format"],
        "title": r["title"],
        "body": r["body"],
        "url": r["url"],
        "image_url": r["image_url"],
        "preview_title": r["preview_title"],
        "preview_description": r["preview_description"],
        "language": r["language"],
        "brand": r["brand"],
        "tags": r["tags"],
        "campaign_id": r["campaign_id"],
        "pinned": r["pinned"],
        "must_read": r["must_read"],
        "published_at": r["feed_at"],
        "expires_at": r["expires_at"],
        "captions": json.loads(r["captions"]),
    }


def _page(rows: list[asyncpg.Record], next_cursor: str | None, disclosure: str | None) -> bytes:
    """The FeedPage document in one serialisation pass (the same JSON as FeedPage's)."""
    return to_json(
        {"items": [_item(r) for r in rows], "next_cursor": next_cursor, "disclosure": disclosure}
    )


@router.get(
    "",
    response_model=FeedPage,
    summary="The caller's feed (ambassadors): pinned, must-read, then newest",
    responses={
        422: {"description": "A cursor this service did not issue (`invalid-cursor`)"},
        403: {"description": "Not an ambassador, or no longer active (problem+json)"},
    },
)
async def feed(
    principal: Ambassador,
    reader: FeedReader,
    rt: Rt,
    cursor: str | None = Query(default=None, description="next_cursor of the previous page"),
    limit: int = Query(default=20, ge=1, le=100),
    family: Literal["company", "market", "submission"] | None = None,
    campaign_id: uuid.UUID | None = None,
    tag: str | None = Query(default=None, max_length=50),
    language: str | None = Query(default=None, pattern=r"^[a-z]{2}(-[A-Z]{2})?$"),
    format: Literal["link", "image", "video", "text"] | None = None,
    q: str | None = Query(default=None, max_length=200, description="Full-text search"),
) -> Response:
    filters = FeedFilters(
        family=family,
        campaign_id=campaign_id,
        tag=tag,
        language=language,
        format=format,
        q=q.strip() if q and q.strip() else None,
    )
    page = await feed_page(reader, principal, filters, cursor, limit, rt.clock())
    return Response(
        _page(page.rows, page.next_cursor, page.disclosure), media_type="application/json"
    )


class FeedItemPage(FeedItem):
    """One item of the feed, with the disclosure the sharing service will append."""

    disclosure: str | None


@router.get(
    "/{item_id}",
    response_model=FeedItemPage,
    summary="One item of the caller's feed (ambassadors), by the feed's rule",
    responses={
        403: {"description": "Not an ambassador, or no longer active (problem+json)"},
        404: {"description": "Not an item of the caller's feed (problem+json)"},
    },
)
async def read_feed_item(
    item_id: uuid.UUID, principal: Ambassador, reader: FeedReader, rt: Rt
) -> Response:
    row, disclosure = await feed_item(reader, principal, item_id, rt.clock())
    return Response(
        to_json({**_item(row), "disclosure": disclosure}), media_type="application/json"
    )
