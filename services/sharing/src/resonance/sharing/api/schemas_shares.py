"""Request and response bodies of the share routes."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from resonance.common.api_paging import Page, page_examples

NetworkName = Annotated[str, StringConstraints(min_length=1, max_length=20)]
ShareStatus = Literal["scheduled", "posting", "posted", "failed", "cancelled"]
MAX_NETWORKS = 8


class ShareIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "content_id": "9b0e4c1e-2f1a-4a57-8d6e-5b8f3c2a1d00",
                    "networks": ["linkedin", "x", "facebook"],
                    "captions": {"linkedin": "Proud of our team's work on this!"},
                },
                {
                    "content_id": "9b0e4c1e-2f1a-4a57-8d6e-5b8f3c2a1d00",
                    "networks": ["mastodon"],
                    "at": "2026-12-02T08:30:00Z",
                },
            ]
        },
    )

    content_id: str = Field(min_length=1, max_length=64)
    networks: list[NetworkName] = Field(min_length=1, max_length=MAX_NETWORKS)
    captions: dict[NetworkName, Annotated[str, StringConstraints(max_length=70_000)]] = Field(
        default_factory=dict,
        max_length=MAX_NETWORKS,
        description="Your own words per network; default: the item's suggested caption "
        "(a variant picked so that colleagues do not all post the same text). The "
        "disclosure and the tracked link are added to it.",
    )
    at: datetime | None = Field(
        default=None, description="When to post (with a time zone); default: now."
    )
    audience_sizes: dict[NetworkName, Annotated[int, Field(ge=0, le=1_000_000_000)]] = Field(
        default_factory=dict,
        max_length=MAX_NETWORKS,
        description="Share-intent networks only: your follower count there, to estimate reach.",
    )


class IntentOut(BaseModel):
    url: str | None = Field(
        description="Open this share page (None: the network has no web share page, e.g. "
        "Instagram: post from its app)."
    )
    text_to_copy: str | None = Field(
        description="Paste this where the share page cannot carry the text (None: prefilled)."
    )


class ReachOut(BaseModel):
    measured: bool = Field(description="True: the network's figures; False: an estimate.")
    impressions: int
    reactions: int
    comments: int
    reshares: int
    clicks: int
    measured_at: datetime | None


class ShareOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "5a3f1d2e-0b4c-4e8a-9f1d-3c2b1a0f9e8d",
                    "content_id": "9b0e4c1e-2f1a-4a57-8d6e-5b8f3c2a1d00",
                    "network": "linkedin",
                    "status": "posted",
                    "text": "Proud of our team's work on this! #employee\n"
                    "https://rsn.example/l/Xc8_k2LmQw0a",
                    "tracked_link": "https://rsn.example/l/Xc8_k2LmQw0a",
                    "scheduled_for": "2026-12-01T10:00:00Z",
                    "posted_at": "2026-12-01T10:00:02Z",
                    "permalink": "https://www.linkedin.com/feed/update/urn:li:share:7/",
                    "self_reported": False,
                    "automatic": False,
                    "reason": None,
                    "intent": None,
                    "reach": {
                        "measured": True,
                        "impressions": 1450,
                        "reactions": 37,
                        "comments": 4,
                        "reshares": 2,
                        "clicks": 19,
                        "measured_at": "2026-12-01T16:00:00Z",
                    },
                }
            ]
        }
    )

    id: str
    content_id: str | None
    campaign_id: str | None = None
    network: str
    status: ShareStatus
    text: str = Field(description="The exact text posted: caption, disclosure, tracked link.")
    tracked_link: str | None
    scheduled_for: datetime
    posted_at: datetime | None = None
    permalink: str | None = None
    self_reported: bool = Field(
        description="Shared through a share page: counted on your word until a click confirms."
    )
    automatic: bool = Field(description="Scheduled by campaign auto-share.")
    reason: str | None = Field(default=None, description="Why it failed or was cancelled.")
    intent: IntentOut | None = Field(
        default=None, description="For share-intent networks: where to finish the share."
    )
    reach: ReachOut | None = Field(default=None, description="The latest reach reading.")


class SharesOut(BaseModel):
    shares: list[ShareOut]


class SharePageOut(Page[ShareOut]):
    model_config = page_examples(ShareOut)
