"""Request and response bodies of the conversion route."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ConversionKind = Literal["application", "lead", "signup", "purchase", "other"]


class ConversionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "share_id": "5a3f1d2e-0b4c-4e8a-9f1d-3c2b1a0f9e8d",
                    "kind": "application",
                    "external_ref": "ats-application-88412",
                    "occurred_at": "2026-12-03T14:12:00Z",
                }
            ]
        },
    )

    share_id: str = Field(
        min_length=1, max_length=64, description="The `utm_content` of the visit."
    )
    kind: ConversionKind
    value: float | None = Field(default=None, ge=0, le=1e12)
    currency: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$")
    occurred_at: datetime | None = Field(default=None, description="Default: now.")
    external_ref: str | None = Field(
        default=None,
        max_length=200,
        description="Your system's id of this conversion: reporting it again changes nothing.",
    )


class ConversionOut(BaseModel):
    id: str
    share_id: str
    kind: ConversionKind
    value: float | None
    currency: str | None
    occurred_at: datetime
    recorded_at: datetime
