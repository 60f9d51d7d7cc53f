"""Request and response bodies of the tenant's sharing policy."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

NetworkKey = Annotated[str, StringConstraints(min_length=1, max_length=20)]


class PolicyIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "blocked_terms": ["guaranteed returns", "confidential"],
                    "daily_caps": {"linkedin": 3, "x": 5},
                    "default_daily_cap": 5,
                    "reach_rates": {"linkedin": 0.035},
                    "utm_medium": "employee_advocacy",
                }
            ]
        },
    )

    blocked_terms: list[Annotated[str, StringConstraints(max_length=100)]] = Field(
        default_factory=list, max_length=500
    )
    daily_caps: dict[NetworkKey, Annotated[int, Field(ge=0, le=1000)]] = Field(
        default_factory=dict,
        max_length=20,
        description="Most shares per ambassador per network per local day.",
    )
    default_daily_cap: int | None = Field(
        default=None, ge=0, le=1000, description="For networks without their own cap."
    )
    reach_rates: dict[NetworkKey, Annotated[float, Field(ge=0, le=1)]] = Field(
        default_factory=dict,
        max_length=20,
        description="Share of an account's audience one post reaches (default 0.035).",
    )
    utm_medium: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.\-]{1,64}$")


class PolicyOut(BaseModel):
    blocked_terms: list[str]
    daily_caps: dict[str, int]
    default_daily_cap: int | None
    reach_rates: dict[str, float]
    utm_medium: str
