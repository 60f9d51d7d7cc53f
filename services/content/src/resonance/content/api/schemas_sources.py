"""Request and response bodies of the sources routes."""

from datetime import datetime

from pydantic import BaseModel, Field, HttpUrl

from resonance.content.api.schemas import LANGUAGE, MAX_TAGS, Tag
from resonance.content.domain.taxonomy import EditorialFamily


class SourceIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    url: HttpUrl
    family: EditorialFamily = "market"
    category: str | None = Field(default=None, max_length=40)
    language: str | None = Field(default=None, pattern=LANGUAGE)
    brand: str | None = Field(default=None, max_length=100)
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
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
    tags: list[str] = Field(default_factory=list)  # as stored
    id: str
    last_polled_at: datetime | None
    last_error: str | None
    failures: int = Field(
        default=0, description="Polls failed in a row; each doubles the wait before the next."
    )
    next_poll_at: datetime


class PollOut(BaseModel):
    created: int
    duplicates: int
    error: str | None

    model_config = {
        "json_schema_extra": {"examples": [{"created": 3, "duplicates": 1, "error": None}]}
    }
