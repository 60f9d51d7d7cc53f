"""Request and response bodies of the submissions routes."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, HttpUrl

from resonance.content.api.schemas import LANGUAGE, MAX_TAGS, CaptionIn, Tag, TargetingIn
from resonance.content.domain.captions import MAX_CAPTIONS


class SubmissionIn(BaseModel):
    format: Literal["link", "text", "image", "video"] = "link"
    title: str = Field(min_length=1, max_length=300)
    body: str | None = Field(default=None, max_length=10_000)
    url: HttpUrl | None = None
    language: str | None = Field(default=None, pattern=LANGUAGE)
    note: str | None = Field(default=None, max_length=2000, description="For the moderators")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "format": "link",
                    "title": "Our team at the Lyon robotics fair",
                    "url": "https://blog.example.net/robotics-fair",
                    "language": "fr",
                    "note": "Photos from yesterday",
                }
            ]
        }
    }


class SubmissionOut(BaseModel):
    id: str
    ambassador_id: str | None
    format: str
    title: str
    body: str | None
    url: str | None
    language: str | None
    note: str | None
    status: Literal["pending", "approved", "rejected"]
    reason: str | None
    content_id: str | None
    created_at: datetime
    moderated_at: datetime | None

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "id": "0f9e4b7a-3c55-4c8e-9a51-2b3c1d7e8f90",
                    "ambassador_id": "amb-42",
                    "format": "link",
                    "title": "Our team at the Lyon robotics fair",
                    "body": None,
                    "url": "https://blog.example.net/robotics-fair",
                    "language": "fr",
                    "note": "Photos from yesterday",
                    "status": "rejected",
                    "reason": "Please remove the customer's logo",
                    "content_id": None,
                    "created_at": "2026-11-22T09:00:00Z",
                    "moderated_at": "2026-11-22T11:00:00Z",
                }
            ]
        }
    }


class Approval(BaseModel):
    """Optional edits made by the moderator before publishing."""

    title: str | None = Field(default=None, min_length=1, max_length=300)
    body: str | None = Field(default=None, max_length=10_000)
    url: HttpUrl | None = None
    category: str | None = Field(default=None, max_length=40)
    language: str | None = Field(default=None, pattern=LANGUAGE)
    brand: str | None = Field(default=None, max_length=100)
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
    captions: list[CaptionIn] = Field(default_factory=list, max_length=MAX_CAPTIONS)
    targeting: TargetingIn = Field(default_factory=TargetingIn)
    pinned: bool = False
    must_read: bool = False

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "title": "Our team at the Lyon robotics fair 🤖",
                    "captions": [
                        {"network": "linkedin", "language": "fr", "text": "Bravo à l'équipe !"}
                    ],
                    "targeting": {"countries": ["FR"]},
                }
            ]
        }
    }


class Rejection(BaseModel):
    reason: str = Field(min_length=1, max_length=2000, description="Shown to the ambassador")

    model_config = {
        "json_schema_extra": {"examples": [{"reason": "Please remove the customer's name"}]}
    }
