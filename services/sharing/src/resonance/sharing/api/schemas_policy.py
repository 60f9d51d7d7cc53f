"""Request and response bodies of the tenant's sharing policy."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from resonance.sharing.domain.links import MAX_INTERNAL_NETWORKS

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
                    "internal_networks": ["10.0.0.0/8", "2001:db8:42::/48"],
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
    internal_networks: list[Annotated[str, StringConstraints(min_length=2, max_length=50)]] = Field(
        default_factory=list,
        max_length=MAX_INTERNAL_NETWORKS,
        description="The organisation's own address ranges (CIDR, IPv4 or IPv6): a click "
        "from one is reported as `internal` in link.clicked (decided before the address "
        "is hashed; no address is stored).",
    )


class PolicyOut(BaseModel):
    blocked_terms: list[str]
    daily_caps: dict[str, int]
    default_daily_cap: int | None
    reach_rates: dict[str, float]
    utm_medium: str
    internal_networks: list[str]
