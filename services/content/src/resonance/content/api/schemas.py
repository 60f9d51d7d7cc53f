"""Request and response bodies of the items routes (and the item shape other routes return)."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, HttpUrl, StringConstraints, model_validator

from resonance.common.api_paging import Page
from resonance.common.events.catalogue import Network, Targeting
from resonance.content.api.timestamps import Timestamp
from resonance.content.domain.captions import MAX_CAPTION_CHARS, MAX_CAPTIONS
from resonance.content.domain.taxonomy import EditorialFamily, Format
from resonance.content.store.items import targeting_of
from resonance.content.store.tables import Caption, ContentItem

LANGUAGE = r"^[a-z]{2}(-[A-Z]{2})?$"

# Every list and string that ends up in an event is bounded here (content.published must stay
# well under the outbox's event size limit; issue 8).
MAX_TAGS = 30
Tag = Annotated[str, StringConstraints(max_length=50)]
MAX_TARGET_VALUES = 50
TargetValue = Annotated[str, StringConstraints(max_length=100)]


def _values() -> Any:
    return Field(default_factory=list, max_length=MAX_TARGET_VALUES)


class TargetingIn(Targeting):
    """Targeting as a request sends it: at most 50 values of 100 characters per field.
    Values are matched trimmed and whatever their case ("marketing" reaches "Marketing")."""

    brands: list[TargetValue] = _values()
    entities: list[TargetValue] = _values()
    job_families: list[TargetValue] = _values()
    sites: list[TargetValue] = _values()
    countries: list[TargetValue] = _values()
    languages: list[TargetValue] = _values()
    programmes: list[TargetValue] = _values()
    worker_types: list[TargetValue] = _values()


TARGETING_EXAMPLE: dict[str, Any] = {
    "countries": ["FR", "BE"],
    "job_families": ["engineering", "sales"],
    "languages": ["fr"],
}

ITEM_OUT_EXAMPLE: dict[str, Any] = {
    "id": "5b0c2a5e-8d7f-4a43-9a55-1f2ad4f6d1a1",
    "family": "company",
    "category": "job_offer",
    "format": "link",
    "title": "We are hiring 40 engineers in Lyon",
    "body": None,
    "url": "https://careers.example.com/lyon",
    "canonical_url": "https://careers.example.com/lyon",
    "image_url": "https://careers.example.com/lyon.png",
    "preview_title": "Join us in Lyon",
    "preview_description": "40 open positions in our Lyon engineering centre.",
    "language": "fr",
    "brand": "acme",
    "tags": ["hiring", "lyon"],
    "captions": [
        {"network": "linkedin", "language": "fr", "variant": 1, "text": "Rejoignez-nous !"},
        {"network": "linkedin", "language": "fr", "variant": 2, "text": "On recrute à Lyon"},
    ],
    "targeting": TARGETING_EXAMPLE,
    "campaign_id": None,
    "status": "in_review",
    "pinned": False,
    "must_read": True,
    "publish_at": "2026-11-23T08:00:00Z",
    "expires_at": "2026-12-23T08:00:00Z",
    "published_at": None,
    "submitted_by": None,
    "created_by": "chloe",
    "created_at": "2026-11-22T10:00:00Z",
}


class CaptionIn(BaseModel):
    network: Network
    language: str = Field(pattern=LANGUAGE)
    text: str = Field(
        min_length=1,
        max_length=MAX_CAPTION_CHARS,
        description="At most 10,000 characters, and 60,000 for all of an item's captions.",
    )


class CaptionOut(BaseModel):
    network: Network
    language: str
    text: str
    variant: int


class Window(BaseModel):
    publish_at: Timestamp | None = Field(
        default=None, description="Start of the publish window (publishing may be scheduled)."
    )
    expires_at: Timestamp | None = Field(
        default=None, description="End of the window: the item expires and is retired."
    )

    @model_validator(mode="after")
    def _ordered(self) -> "Window":
        for name in ("publish_at", "expires_at"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"{name} needs a timezone (e.g. 2026-11-23T09:00:00Z)")
        if self.publish_at and self.expires_at and self.expires_at <= self.publish_at:
            raise ValueError("expires_at must be after publish_at")
        return self


class ItemIn(Window):
    family: EditorialFamily
    category: str | None = Field(default=None, max_length=40)
    format: Format = "link"
    title: str = Field(min_length=1, max_length=300)
    body: str | None = Field(default=None, max_length=10_000)
    url: HttpUrl | None = None
    image_url: HttpUrl | None = None
    language: str | None = Field(default=None, pattern=LANGUAGE)
    brand: str | None = Field(default=None, max_length=100)
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
    captions: list[CaptionIn] = Field(default_factory=list, max_length=MAX_CAPTIONS)
    targeting: TargetingIn = Field(default_factory=TargetingIn)
    campaign_id: uuid.UUID | None = None
    pinned: bool = False
    must_read: bool = False
    fetch_preview: bool = Field(
        default=False,
        description="Read title, description, image and canonical URL from the link's page.",
    )
    submit: Literal["publish", "review", "draft"] = Field(
        default="publish",
        description=(
            "What to do once created: `publish` (at once, or at `publish_at`; refused with 409 "
            "when the brand requires approval and the caller is not a programme manager), "
            "`review` (submit for approval) or `draft`."
        ),
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "family": "company",
                    "category": "job_offer",
                    "format": "link",
                    "title": "We are hiring 40 engineers in Lyon",
                    "url": "https://careers.example.com/lyon",
                    "language": "fr",
                    "brand": "acme",
                    "tags": ["hiring", "lyon"],
                    "captions": [
                        {
                            "network": "linkedin",
                            "language": "fr",
                            "text": "Rejoignez-nous à Lyon !",
                        },
                        {"network": "x", "language": "fr", "text": "On recrute à Lyon 🚀"},
                    ],
                    "targeting": TARGETING_EXAMPLE,
                    "publish_at": "2026-11-23T08:00:00Z",
                    "expires_at": "2026-12-23T08:00:00Z",
                    "must_read": True,
                    "submit": "review",
                }
            ]
        }
    }


class ItemPatch(BaseModel):
    """Fields to change; only what is sent is changed. Allowed before publication."""

    category: str | None = Field(default=None, max_length=40)
    format: Format | None = None
    title: str | None = Field(default=None, min_length=1, max_length=300)
    body: str | None = Field(default=None, max_length=10_000)
    url: HttpUrl | None = None
    image_url: HttpUrl | None = None
    language: str | None = Field(default=None, pattern=LANGUAGE)
    brand: str | None = Field(default=None, max_length=100)
    tags: list[Tag] | None = Field(default=None, max_length=MAX_TAGS)
    captions: list[CaptionIn] | None = Field(default=None, max_length=MAX_CAPTIONS)
    targeting: TargetingIn | None = None
    campaign_id: uuid.UUID | None = None
    publish_at: Timestamp | None = None
    expires_at: Timestamp | None = None
    pinned: bool | None = None
    must_read: bool | None = None

    model_config = {"json_schema_extra": {"examples": [{"title": "Updated title", "pinned": True}]}}


class ItemOut(BaseModel):
    id: str
    family: str
    category: str | None
    format: str
    title: str
    body: str | None
    url: str | None
    canonical_url: str | None
    image_url: str | None
    preview_title: str | None
    preview_description: str | None
    language: str | None
    brand: str | None
    tags: list[str]
    captions: list[CaptionOut]
    targeting: Targeting
    campaign_id: str | None
    status: str
    pinned: bool
    must_read: bool
    publish_at: datetime | None
    expires_at: datetime | None
    published_at: datetime | None
    submitted_by: str | None = None
    created_by: str
    created_at: datetime

    model_config = {"json_schema_extra": {"examples": [ITEM_OUT_EXAMPLE]}}


CURSOR_EXAMPLE = "WyIyMDI2LTExLTIyVDEwOjAwOjAwKzAwOjAwIiwiNWIwYzJhNWUiXQ"


class ItemPage(Page[ItemOut]):
    model_config = {
        "json_schema_extra": {
            "examples": [{"items": [ITEM_OUT_EXAMPLE], "next_cursor": CURSOR_EXAMPLE}]
        }
    }


class Comment(BaseModel):
    comment: str | None = Field(default=None, max_length=2000)

    model_config = {"json_schema_extra": {"examples": [{"comment": "Looks good"}]}}


class Rejection(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)

    model_config = {"json_schema_extra": {"examples": [{"reason": "Wrong date in the title"}]}}


class PublishRequest(BaseModel):
    publish_at: Timestamp | None = Field(
        default=None, description="Schedule for later; omitted or past means at once."
    )

    model_config = {"json_schema_extra": {"examples": [{"publish_at": "2026-11-23T08:00:00Z"}]}}


class AuditOut(BaseModel):
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    detail: dict[str, Any]
    at: datetime

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "actor": "paul",
                    "action": "reject",
                    "from_status": "in_review",
                    "to_status": "draft",
                    "detail": {"reason": "Wrong date in the title"},
                    "at": "2026-11-22T10:05:00Z",
                }
            ]
        }
    }


class AuditPage(Page[AuditOut]):
    """The item's audit trail, oldest first."""


def item_out(item: ContentItem, captions: list[Caption]) -> ItemOut:
    return ItemOut(
        id=str(item.id),
        family=item.family,
        category=item.category,
        format=item.format,
        title=item.title,
        body=item.body,
        url=item.url,
        canonical_url=item.canonical_url,
        image_url=item.image_url,
        preview_title=item.preview_title,
        preview_description=item.preview_description,
        language=item.language,
        brand=item.brand,
        tags=list(item.tags),
        captions=[
            CaptionOut(network=c.network, language=c.language, variant=c.variant, text=c.text)
            for c in captions
        ],
        targeting=targeting_of(item),
        campaign_id=str(item.campaign_id) if item.campaign_id else None,
        status=item.status,
        pinned=item.pinned,
        must_read=item.must_read,
        publish_at=item.publish_at,
        expires_at=item.expires_at,
        published_at=item.published_at,
        submitted_by=item.submitted_by,
        created_by=item.created_by,
        created_at=item.created_at,
    )
