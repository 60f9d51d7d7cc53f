"""Request and response bodies of the campaigns routes."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, HttpUrl, model_validator

from resonance.common.events.catalogue import Targeting
from resonance.content.api.schemas import TargetingIn
from resonance.content.api.timestamps import Timestamp


class CampaignIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    brand: str | None = Field(default=None, max_length=100)
    starts_at: Timestamp
    ends_at: Timestamp | None = None
    goal_metric: Literal["shares", "reach", "clicks"] | None = None
    goal_value: int | None = Field(default=None, ge=1, le=2_000_000_000)
    exclusive: bool = Field(default=False, description="An operation reserved to ambassadors")
    mirror_post_urls: list[HttpUrl] = Field(
        default_factory=list,
        max_length=20,
        description="The company's official posts this campaign amplifies (mirror campaign)",
    )
    targeting: TargetingIn = Field(default_factory=TargetingIn)

    @model_validator(mode="after")
    def _window(self) -> "CampaignIn":
        for value in (self.starts_at, self.ends_at):
            if value is not None and value.tzinfo is None:
                raise ValueError("dates need a timezone")
        if self.ends_at is not None and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if (self.goal_metric is None) != (self.goal_value is None):
            raise ValueError("goal_metric and goal_value go together")
        return self

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "name": "Lyon tech fair",
                    "brand": "acme",
                    "starts_at": "2026-12-01T08:00:00Z",
                    "ends_at": "2026-12-08T18:00:00Z",
                    "goal_metric": "shares",
                    "goal_value": 500,
                    "mirror_post_urls": ["https://www.linkedin.com/feed/update/urn:li:activity:1"],
                    "targeting": {"countries": ["FR"]},
                }
            ]
        }
    }


class CampaignOut(CampaignIn):
    # What was stored, as stored (the request bounds apply on the way in).
    starts_at: datetime
    ends_at: datetime | None = None
    targeting: Targeting = Field(default_factory=Targeting)
    id: str
    status: Literal["draft", "launched"]
    launched_at: datetime | None
    content_ids: list[str]
